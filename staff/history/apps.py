from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "staff.history"
    label = "history"
    verbose_name = _("Change history")

    def ready(self) -> None:
        from . import reasons

        reasons.connect()
