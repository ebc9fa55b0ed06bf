"""CI check: every translatable text in the code is in the Swedish catalogues, translated.

Runs `make messages` on a copy of the catalogues and compares the sets of msgids (line wrapping
and dates are ignored), then restores the committed files. Exit 1 lists what is missing.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues():
    return [p for p in ROOT.glob("**/locale/sv/LC_MESSAGES/django.po") if ".venv" not in p.parts]


def ids(path):
    return {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if not e.obsolete}


def main() -> int:
    backup = Path(tempfile.mkdtemp(prefix="po-backup-"))
    committed = {}
    for path in catalogues():
        target = backup / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        committed[path] = ids(path)
    try:
        subprocess.run(["make", "messages"], cwd=ROOT, check=True, capture_output=True)  # noqa: S603, S607
        missing = []
        for path in catalogues():
            new = ids(path) - committed.get(path, set())
            missing += [f"{path.relative_to(ROOT)}: {msgid!r}" for _ctx, msgid in sorted(new, key=str)]
    finally:
        for path in catalogues():
            saved = backup / path.relative_to(ROOT)
            if saved.exists():
                shutil.copy2(saved, path)
            else:
                path.unlink()
        shutil.rmtree(backup, ignore_errors=True)
    if missing:
        print("Texts missing from the Swedish catalogues (run 'make messages' and translate):")
        print("\n".join(missing))
        return 1
    print("The Swedish catalogues cover every text.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
