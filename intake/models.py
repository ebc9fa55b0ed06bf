"""Reports of concern and applications received by the intake unit. Case numbers only: no names."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff.platform.tenancy import TenantModel


class IntakeSettings(models.Model):
    """Intake rules of docs/domain.md section 6 as organisation settings (created on demand)."""

    organisation = models.OneToOneField(
        "staff.Organisation", on_delete=models.CASCADE, related_name="intake_settings", editable=False
    )
    pre_assessment_days = models.PositiveSmallIntegerField(
        _("pre-assessment due after (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "The law (Socialtjänstlagen) says 14 days: the pre-assessment is decided within 14 days of the day "
            "the report was received. The due date is the day received plus these days (1 to 30). A change "
            "applies to reports and applications registered after it."
        ),
    )

    class Meta:
        verbose_name = _("intake settings")
        verbose_name_plural = _("intake settings")

    def __str__(self) -> str:
        return str(self.organisation)

    @classmethod
    def for_org(cls, organisation) -> IntakeSettings:
        from staff.platform.history.reasons import settings_row

        return settings_row(cls, organisation)


class IntakeItem(TenantModel):
    """A report of concern (anmälan) or an application (ansökan)."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report of concern")
        APPLICATION = "application", _("Application")

    class Reason(models.TextChoices):
        VIOLENCE = "violence", _("Violence or abuse")
        NEGLECT = "neglect", _("Neglect")
        PARENTING = "parenting", _("Parenting concerns")
        SUBSTANCE = "substance", _("Substance abuse")
        BEHAVIOUR = "behaviour", _("The young person's own behaviour")
        SUPPORT = "support", _("Request for support")
        OTHER = "other", _("Other")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting pre-assessment")
        OPEN = "open", _("Investigation opened")
        NOT_OPENED = "not_opened", _("No investigation")
        LINKED = "linked", _("Linked to a running investigation")

    unit = models.ForeignKey(
        "staff.Unit", on_delete=models.PROTECT, related_name="intake_items", verbose_name=_("unit")
    )
    case_number = models.CharField(
        _("case number"),
        max_length=40,
        help_text=_("Only the case number: never a name or a personal identity number."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REPORT)
    received_at = models.DateTimeField(_("received"))
    acute = models.BooleanField(_("acute"), default=False)
    about_child = models.BooleanField(_("about a child"), default=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    due_date = models.DateField(_("pre-assessment due"), null=True, blank=True)
    protection_assessed_at = models.DateTimeField(_("immediate-protection assessment"), null=True, blank=True)
    protection_needed = models.BooleanField(_("immediate protection needed"), null=True, blank=True)
    protection_outcome = models.CharField(
        _("outcome of the immediate-protection assessment"),
        max_length=200,
        blank=True,
        help_text=_("A short text: never a name or a personal identity number."),
    )
    protection_assessed_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    investigation = models.ForeignKey(
        "caseload.Investigation", on_delete=models.PROTECT, null=True, blank=True, related_name="intake_items"
    )
    registered_by = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "received_at"]
        verbose_name = _("intake item")
        verbose_name_plural = _("intake items")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_on__isnull=False), name="intake_decided_has_date"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "decision", "due_date"])]

    def __str__(self) -> str:
        return f"{self.case_number} {self.received_at:%Y-%m-%d}"

    def clean(self) -> None:
        if self.decided_on and self.received_at and self.decided_on < self.received_at.date():
            raise ValidationError({"decided_on": _("The decision cannot be dated before the report was received.")})

    @property
    def protection_applies(self) -> bool:
        """An acute item, and every report about a child, gets an immediate-protection assessment."""
        return self.acute or (self.kind == self.Kind.REPORT and self.about_child)

    @property
    def needs_protection_assessment(self) -> bool:
        return self.protection_applies and self.protection_assessed_at is None

    @property
    def protection_late(self) -> bool:
        """The assessment is made on the day the report arrives: recorded on a later day, it was late."""
        if self.protection_assessed_at is None or self.received_at is None:
            return False
        return timezone.localtime(self.protection_assessed_at).date() > timezone.localtime(self.received_at).date()
