from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff and organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import mfa, rls, schema  # noqa: F401 - registers the sign-in signal and the OpenAPI extension

        post_migrate.connect(rls.install_after_migrate, sender=self)
