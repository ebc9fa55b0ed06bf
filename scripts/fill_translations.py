"""Fill Swedish translations into the catalogues from a Python file with T = {msgid: msgstr}
(a key may also be (msgctxt, msgid) for texts with a context)
and optionally PLURALS = {msgid: (singular, plural)}. Usage: python scripts/fill_translations.py FILE.py

Only untranslated entries are filled; prints what is still missing afterwards.
"""

import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main(path: str) -> int:
    data = runpy.run_path(path)
    table, plurals = data.get("T", {}), data.get("PLURALS", {})
    missing = []
    for po_path in sorted(ROOT.glob("**/locale/sv/LC_MESSAGES/django.po")):
        if ".venv" in po_path.parts:
            continue
        po = polib.pofile(str(po_path))
        for entry in po:
            if entry.obsolete:
                continue
            # A fuzzy entry holds makemessages' guess from a similar old text: it is replaced when the
            # table has the text and otherwise stays fuzzy (tests/test_translations.py fails on it).
            fuzzy = "fuzzy" in entry.flags
            key = entry.msgid if entry.msgctxt is None else (entry.msgctxt, entry.msgid)
            if entry.msgid_plural:
                if entry.msgid in plurals and (fuzzy or not all(entry.msgstr_plural.values())):
                    one, many = plurals[entry.msgid]
                    entry.msgstr_plural = {0: one, 1: many}
                    if fuzzy:
                        entry.flags.remove("fuzzy")
            elif (fuzzy or not entry.msgstr) and key in table:
                entry.msgstr = table[key]
                if fuzzy:
                    entry.flags.remove("fuzzy")
        po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.save()
        missing += [f"{po_path.relative_to(ROOT)}: {e.msgid!r}" for e in po.untranslated_entries()]
        missing += [f"{po_path.relative_to(ROOT)}: {e.msgid!r} (fuzzy guess)" for e in po.fuzzy_entries()]
    print("\n".join(missing) or "All Swedish entries are translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
