from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    name = "competence"
    verbose_name = _("Competence ladder")

    def ready(self) -> None:
        from staff import onboarding

        from .services.onboarding import onboarding_start

        # Creating a social worker (staff) starts them on the ladder: staff cannot import competence.
        onboarding.register(onboarding_start)
