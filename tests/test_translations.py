"""Swedish is the first language: every text in the catalogues has a Swedish translation."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def _catalogues(lang):
    return [p for p in ROOT.glob(f"**/locale/{lang}/LC_MESSAGES/django.po") if ".venv" not in p.parts]


def test_swedish_catalogues_exist():
    assert _catalogues("sv")


def test_every_swedish_entry_is_translated():
    missing = []
    for path in _catalogues("sv"):
        po = polib.pofile(str(path))
        missing += [f"{path.relative_to(ROOT)}: {e.msgid!r}" for e in po.untranslated_entries()]
        missing += [f"{path.relative_to(ROOT)} (fuzzy): {e.msgid!r}" for e in po.fuzzy_entries()]
    assert not missing, "\n".join(missing[:50])
