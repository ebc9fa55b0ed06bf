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


def test_translations_keep_the_placeholders():
    """A translation that drops or invents a %(name)s placeholder is a wrong translation (often a fuzzy
    guess of makemessages that was accepted), and can raise KeyError when the text is formatted."""
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    wrong = []
    for path in _catalogues("sv"):
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if entry.msgid_plural:
                allowed = set(placeholder.findall(entry.msgid)) | set(placeholder.findall(entry.msgid_plural))
                # Swedish may say "ett underlag" instead of "%(n)s underlag" in the singular.
                if any(not set(placeholder.findall(s)) <= allowed for s in entry.msgstr_plural.values()):
                    wrong.append(f"{path.relative_to(ROOT)}: {entry.msgid!r}")
            elif entry.msgstr and set(placeholder.findall(entry.msgstr)) != set(placeholder.findall(entry.msgid)):
                wrong.append(f"{path.relative_to(ROOT)}: {entry.msgid!r} -> {entry.msgstr!r}")
    assert not wrong, "\n".join(wrong)


def test_stabils_own_swedish_wins_over_a_library_catalogue():
    """Django merges every installed app's catalogue and an earlier app wins: a library listed before Stabil's
    apps (django-allauth translates "Confirm" as "Verifiera") would change Stabil's pages. At run time every
    text of Stabil's catalogues reads as Stabil's own translation."""
    from django.utils import translation

    wrong = []
    with translation.override("sv"):
        for path in _catalogues("sv"):
            for entry in polib.pofile(str(path)):
                if entry.obsolete or entry.fuzzy or entry.msgid_plural or not entry.msgstr:
                    continue
                shown = (
                    translation.pgettext(entry.msgctxt, entry.msgid)
                    if entry.msgctxt
                    else translation.gettext(entry.msgid)
                )
                if shown != entry.msgstr:
                    wrong.append(f"{path.relative_to(ROOT)}: {entry.msgid!r} shows {shown!r}, not {entry.msgstr!r}")
    assert not wrong, "\n".join(wrong[:30])
