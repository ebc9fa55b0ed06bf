"""Retention (gallring): how long the organisation keeps closed cases, decided intake items and the staff
records of people who left, and what each daily run removed.

docs/domain.md gives no numbers: the defaults are documented in docs/trust-history.md and every one is an
organisation setting.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from staff.platform.tenancy import TenantModel

YEARS = [MinValueValidator(1), MaxValueValidator(50)]


class RetentionSettings(TenantModel):
    """The organisation's retention periods, created on demand with the defaults."""

    organisation = models.OneToOneField(
        "staff.Organisation", on_delete=models.PROTECT, related_name="retention_settings", editable=False
    )
    closed_case_years = models.PositiveSmallIntegerField(
        _("years a closed case is kept"),
        default=5,
        validators=YEARS,
        help_text=_(
            "Counted from the day the case was closed. Then the case is removed with its handlers, "
            "investigations, extension decisions, the intake items linked to it and its change history."
        ),
    )
    intake_item_years = models.PositiveSmallIntegerField(
        _("years a decided intake item is kept"),
        default=5,
        validators=YEARS,
        help_text=_(
            "Counted from the day the pre-assessment was decided (report of concern or application). "
            "Items still awaiting a decision are never removed."
        ),
    )
    former_staff_years = models.PositiveSmallIntegerField(
        _("years the staff record of someone who left is kept"),
        default=2,
        validators=YEARS,
        help_text=_(
            "Counted from the last day of employment. Then name, e-mail and login are removed; dates, "
            "FTE, unit and ladder levels stay for the supplement and turnover reports."
        ),
    )

    access_log_years = models.PositiveSmallIntegerField(
        _("years the access log is kept"),
        default=5,
        validators=YEARS,
        help_text=_(
            "Counted from the day of the access. The log shows who read which case or staff record; the "
            "monthly review and the export can only show what is still kept."
        ),
    )

    class Meta:
        verbose_name = _("retention settings")
        verbose_name_plural = _("retention settings")

    def __str__(self) -> str:
        return str(self.organisation)


class RetentionRun(TenantModel):
    """What one day's retention removed in the organisation (a second run the same day adds to it)."""

    run_on = models.DateField(_("date"))
    finished_at = models.DateTimeField(_("finished"), auto_now=True)
    cases = models.PositiveIntegerField(_("cases removed"), default=0)
    assignments = models.PositiveIntegerField(_("handler periods removed"), default=0)
    investigations = models.PositiveIntegerField(_("investigations removed"), default=0)
    intake_items = models.PositiveIntegerField(_("intake items removed"), default=0)
    staff = models.PositiveIntegerField(_("staff records anonymised"), default=0)
    history_rows = models.PositiveIntegerField(_("history rows removed"), default=0)
    access_log_rows = models.PositiveIntegerField(_("access-log rows removed"), default=0)

    class Meta:
        ordering = ["-run_on"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        constraints = [models.UniqueConstraint(fields=["organisation", "run_on"], name="retention_run_one_per_day")]

    @property
    def total(self) -> int:
        return self.cases + self.assignments + self.investigations + self.intake_items + self.staff


class AnonymisedStaff(TenantModel):
    """Marks a staff record whose name, e-mail and login were removed, so a later run skips it."""

    staff = models.OneToOneField("staff.StaffMember", on_delete=models.CASCADE, related_name="anonymised")
    anonymised_on = models.DateField(_("anonymised"))

    class Meta:
        verbose_name = _("anonymised staff record")
        verbose_name_plural = _("anonymised staff records")
