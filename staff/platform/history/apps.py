from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "staff.platform.history"
    label = "history"
    verbose_name = _("Change history")

    def ready(self) -> None:
        from staff.platform.history import reasons

        reasons.connect()
