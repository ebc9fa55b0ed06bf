"""Compile every locale/*.po into .mo with polib: no GNU gettext needed on a fresh machine."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po -> .mo) of the project and its apps."

    def handle(self, *args, **options):
        count = 0
        # The project's, the apps' and nested apps' catalogues (staff/platform/history, staff/platform/retention).
        base = Path(settings.BASE_DIR)
        patterns = ("locale/*/LC_MESSAGES/*.po", "*/locale/*/LC_MESSAGES/*.po", "*/*/*/locale/*/LC_MESSAGES/*.po")
        for po_path in sorted(p for pattern in patterns for p in base.glob(pattern)):
            if ".venv" in po_path.parts:
                continue
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        self.stdout.write(f"Compiled {count} catalogue(s).")
