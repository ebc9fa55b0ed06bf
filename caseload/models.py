"""Cases and who handles them. Cases carry numbers only: never client names or identity numbers.

The caseload issue extends this with investigations and their deadlines, capacity and reminders.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from staff.tenancy import TenantModel


class Case(TenantModel):
    class Kind(models.TextChoices):
        INVESTIGATION = "investigation", _("Investigation")
        FOLLOW_UP = "follow_up", _("Ongoing intervention follow-up")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        AWAITING_ALLOCATION = "awaiting", _("Awaiting allocation")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    number = models.CharField(
        _("case number"),
        max_length=40,
        help_text=_("The case number from the case management system. Never a name or a personal identity number."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVESTIGATION)
    weight = models.PositiveSmallIntegerField(
        _("complexity weight"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1 = ordinary, 2 = heavy, 3 = very heavy (by default)."),
    )
    acute = models.BooleanField(_("acute"), default=False)
    unit = models.ForeignKey("staff.Unit", on_delete=models.PROTECT, related_name="cases", verbose_name=_("unit"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("opened"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="case_number_unique_per_org"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="case_weight_positive"),
        ]
        indexes = [models.Index(fields=["organisation", "unit", "status"])]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": _("A case cannot close before it opened.")})


class Assignment(TenantModel):
    """Who handles a case: one main handler (handläggare) and normally one co-handler (medhandläggare)."""

    class Role(models.TextChoices):
        MAIN = "main", _("Main handler")
        CO = "co", _("Co-handler")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case", "role"],
                condition=Q(end__isnull=True),
                name="one_current_assignment_per_case_role",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="assignment_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "staff", "end"])]
