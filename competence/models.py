"""The competence ladder: levels per organisation and who is on which level from which date.

The competence issue extends this with entry rules, supplements with valid-from history,
assessments, appointments, introduction plans and development plans.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from staff.tenancy import TenantModel


class LadderLevel(TenantModel):
    """One step of an organisation's ladder (Umeå: 1–4; Krokom: junior … senior)."""

    number = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=120)
    is_specialist = models.BooleanField(
        _("specialist level"),
        default=False,
        help_text=_("An appointment (förordnande) for a limited period; holders take no own cases."),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("ladder level")
        verbose_name_plural = _("ladder levels")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="ladder_level_number_unique_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class LevelPlacement(TenantModel):
    """A period on a level. The open placement (no end) is the current one; history is kept."""

    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="level_placements")
    level = models.ForeignKey(LadderLevel, on_delete=models.PROTECT, related_name="placements")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["staff_id", "start"]
        verbose_name = _("level placement")
        verbose_name_plural = _("level placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="placement_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["organisation", "staff"],
                condition=Q(end__isnull=True),
                name="one_open_placement_per_staff",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "staff", "start"])]

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date cannot be before the start date.")})
