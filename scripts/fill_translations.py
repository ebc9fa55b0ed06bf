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
            if entry.msgid_plural:
                if entry.msgid in plurals and not all(entry.msgstr_plural.values()):
                    one, many = plurals[entry.msgid]
                    entry.msgstr_plural = {0: one, 1: many}
            elif not entry.msgstr and (entry.msgctxt, entry.msgid) in table:
                entry.msgstr = table[(entry.msgctxt, entry.msgid)]
            elif not entry.msgstr and entry.msgctxt is None and entry.msgid in table:
                entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags and (entry.msgstr or entry.msgid_plural):
                entry.flags.remove("fuzzy")
        po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.save()
        missing += [f"{po_path.relative_to(ROOT)}: {e.msgid!r}" for e in po.untranslated_entries()]
    print("\n".join(missing) or "All Swedish entries are translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
