from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseloadConfig(AppConfig):
    name = "caseload"
    verbose_name = _("Caseload")

    def ready(self) -> None:
        from staff.imports.kinds import register

        from .imports import CASE_IMPORT

        register(CASE_IMPORT)
