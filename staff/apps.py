from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff and organisation")

    def ready(self) -> None:
        from . import mfa, schema  # noqa: F401 - registers the sign-in signal and the OpenAPI extension
