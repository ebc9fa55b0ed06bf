from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "staff.platform.retention"
    label = "retention"
    verbose_name = _("Retention")
