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


def test_one_text_has_one_swedish_translation_across_apps():
    """Django merges the apps' catalogues: the same English text with two Swedish translations would show
    whichever app comes first. Texts that mean different things need a context (pgettext)."""
    seen: dict[tuple, dict[str, str]] = {}
    for path in _catalogues("sv"):
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.obsolete:
                seen.setdefault((entry.msgctxt, entry.msgid), {})[str(path.relative_to(ROOT))] = entry.msgstr
    clashes = {key: found for key, found in seen.items() if len(set(found.values())) > 1}
    assert not clashes, "\n".join(f"{key}: {found}" for key, found in clashes.items())
