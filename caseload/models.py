"""Cases and who handles them. Cases carry numbers only: never client names or identity numbers.

The caseload issue extends this with investigations and their deadlines, capacity and reminders.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from staff.platform.tenancy import TenantModel

from .case_numbers import DEFAULT_PATTERN, MAX_LENGTH, validate_pattern


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
    # Bumped by every change of handlers: two managers reassigning at once cannot both win.
    version = models.PositiveIntegerField(default=0, editable=False)

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

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("caseload:case_detail", args=[self.pk])

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
    assigned_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)

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


CAPACITY_LEVELS = 4  # CaseloadSettings.capacity_level_1 .. capacity_level_4; a level above 4 takes level 4's


class CaseloadSettings(models.Model):
    """Every caseload rule and number of docs/domain.md sections 5 as an organisation setting (created on demand)."""

    organisation = models.OneToOneField(
        "staff.Organisation", on_delete=models.CASCADE, related_name="caseload_settings", editable=False
    )
    target_days = models.PositiveSmallIntegerField(
        _("investigation target (days)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    legal_months = models.PositiveSmallIntegerField(
        _("legal limit (calendar months)"), default=4, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    first_warning_day = models.PositiveSmallIntegerField(
        _("first warning (day)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    second_warning_day = models.PositiveSmallIntegerField(
        _("second warning (day)"), default=75, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    chain_window_days = models.PositiveSmallIntegerField(
        _("days after closing in which a new investigation without a report is flagged"),
        default=30,
        validators=[MaxValueValidator(366)],
    )
    top_weight = models.PositiveSmallIntegerField(
        _("highest complexity weight"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # Capacity per ladder level (docs/domain.md section 5): the weighted load a full-time worker of the level may
    # carry, scaled by FTE and absence (caseload.selectors.load.worker_capacity). Seed 001: new workers about
    # 10-12 cases; seed 002: a guide of 20-22 in child and youth work; level 4 is the specialist, no own cases.
    capacity_level_1 = models.PositiveSmallIntegerField(
        _("capacity at level 1 (weighted cases)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Newly employed, and everyone not yet placed on the ladder: about 10-12 cases. A case counts at its"
            " complexity weight; scaled by FTE and absence."
        ),
    )
    capacity_level_2 = models.PositiveSmallIntegerField(
        _("capacity at level 2 (weighted cases)"),
        default=22,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("After the introduction: the guide of 20-22 cases per worker. Scaled by FTE and absence."),
    )
    capacity_level_3 = models.PositiveSmallIntegerField(
        _("capacity at level 3 (weighted cases)"),
        default=22,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Experienced workers, who may carry more than the guide. Scaled by FTE and absence."),
    )
    capacity_level_4 = models.PositiveSmallIntegerField(
        _("capacity at level 4 and above (weighted own cases)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Specialist social workers hold no own cases: 0. While specialists hold no own cases, a specialist's"
            " capacity is the co-handling capacity below instead. A ladder whose level 4 (or higher) holds own"
            " cases sets it here."
        ),
    )
    co_handler_fraction = models.DecimalField(
        _("share of a co-handled case in the load"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    co_handler_target_percent = models.PositiveSmallIntegerField(
        _("co-handler coverage target (%)"), default=90, validators=[MaxValueValidator(100)]
    )
    closed_per_month_target = models.PositiveSmallIntegerField(
        _("closed investigations per worker and month"), default=2, validators=[MaxValueValidator(50)]
    )
    specialists_hold_no_cases = models.BooleanField(_("specialists hold no own cases"), default=True)
    # The seeds give no figure: 6 (half a level-1 worker's 12) leaves a specialist room for their own tasks.
    specialist_co_capacity = models.PositiveSmallIntegerField(
        _("co-handling capacity of a specialist (cases)"),
        default=6,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "While specialists hold no own cases, the weighted cases a specialist may co-handle (scaled by FTE and"
            " absence); 0: specialists are not proposed as co-handlers."
        ),
    )
    max_days_ahead = models.PositiveSmallIntegerField(
        _("how far ahead a date may lie (days)"),
        default=400,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
    )
    handover_window_days = models.PositiveSmallIntegerField(
        _("days before a main handler's last day of employment from which colleagues may read for a handover"),
        default=14,
        validators=[MaxValueValidator(90)],
    )
    case_number_pattern = models.CharField(
        _("shape of the case numbers (regular expression)"),
        max_length=MAX_LENGTH,
        default=DEFAULT_PATTERN,
        validators=[validate_pattern],
        help_text=_(
            "A case number must match it whole when a case or a report is registered. The default accepts a prefix"
            " of up to six letters and digits, then parts of up to four capital letters or digits joined by"
            " hyphens, ending in digits (BoU-W-001, MOT-2026-0101). PostgreSQL syntax; a pattern that accepts a"
            " personal identity number or a name is refused."
        ),
    )

    class Meta:
        verbose_name = _("caseload settings")
        verbose_name_plural = _("caseload settings")

    def __str__(self) -> str:
        return str(self.organisation)

    @classmethod
    def for_org(cls, organisation) -> CaseloadSettings:
        from staff.platform.history.reasons import settings_row

        return settings_row(cls, organisation)

    def capacity_for_level(self, number: int) -> int:
        """The settings' capacity of a ladder level at full time (a level above 4 takes level 4's)."""
        return getattr(self, f"capacity_level_{min(max(number, 1), CAPACITY_LEVELS)}")


class Investigation(TenantModel):
    """An investigation (utredning) in a case: deadlines are stored columns computed once from the settings."""

    class Outcome(models.TextChoices):
        INTERVENTION = "intervention", _("Intervention granted")
        NO_INTERVENTION = "no_intervention", _("Closed without intervention")
        REFERRED = "referred", _("Referred elsewhere")
        OTHER = "other", _("Other outcome")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="investigations", verbose_name=_("case"))
    # The case's unit, copied when the investigation opens (a case never changes unit): the per-unit counts of
    # closed investigations then read one index instead of joining every closed investigation to its case.
    unit = models.ForeignKey(
        "staff.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"), editable=False
    )
    start_date = models.DateField(_("start date"))
    target_date = models.DateField(_("target date"))
    legal_deadline = models.DateField(_("legal deadline"))
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    # Closed after the date in force (the legal deadline or the extension's new date): why (reported).
    overrun_reason = models.TextField(_("reason for closing past the legal deadline"), blank=True, db_default="")
    chained = models.BooleanField(
        _("opened soon after a closed one without a new report"),
        default=False,
    )
    closed_by_handler = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case"], condition=Q(closed_on__isnull=True), name="one_running_investigation"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("start_date")),
                name="investigation_closed_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "closed_on", "target_date"]),
            models.Index(fields=["organisation", "closed_on", "legal_deadline"]),
            models.Index(fields=["organisation", "unit", "closed_on"]),
            # Closed this month per worker (worker_loads: my caseload, the unit dashboard, the board): the
            # workers' own closures, not a scan of every closure of the organisation in the month.
            models.Index(fields=["organisation", "closed_by_handler", "closed_on"], name="caseload_inv_closed_by_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} ({self.start_date})"

    @property
    def deadline(self) -> datetime.date:
        """The date the law allows: the legal deadline, or the extension's new date."""
        return self.extended_until or self.legal_deadline

    def clean(self) -> None:
        if self.closed_on and self.start_date and self.closed_on < self.start_date:
            raise ValidationError({"closed_on": _("An investigation cannot close before it started.")})


class Extension(TenantModel):
    """A manager's decision to let an investigation run past the legal date (special reasons)."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="extensions")
    new_deadline = models.DateField(_("new date"))
    reason = models.TextField(_("special reason"))
    decided_by = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-new_deadline"]
        verbose_name = _("extension decision")
        verbose_name_plural = _("extension decisions")


class CaseEvent(TenantModel):
    """The case's timeline: who changed what and when (an audit row per change)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case registered")
        ASSIGNED = "assigned", _("Handlers changed")
        INVESTIGATION_OPENED = "opened", _("Investigation opened")
        EXTENDED = "extended", _("Extension decided")
        INVESTIGATION_CLOSED = "closed", _("Investigation closed")
        REPORT_LINKED = "report", _("New report linked")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    detail = models.TextField(_("details"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["organisation", "case", "at"])]


class CoverageFigure(TenantModel):
    """The organisation's co-handler coverage as last counted: the comparison figure of every unit page.

    Counting every open case grows with the organisation, so no page counts it: the beat does, every
    CASELOAD_ORGANISATION_FIGURES_SECONDS (caseload.tasks.coverage_count_all), and a page reads this one
    row, which works with or without Redis. The one exception is an organisation that has no row yet.
    """

    open_cases = models.PositiveIntegerField(_("open cases"))
    with_co_handler = models.PositiveIntegerField(_("with a co-handler"))
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("organisation coverage figure")
        verbose_name_plural = _("organisation coverage figures")
        constraints = [models.UniqueConstraint(fields=["organisation"], name="coverage_figure_one_per_org")]

    def __str__(self) -> str:
        return f"{self.with_co_handler}/{self.open_cases} at {self.counted_at:%Y-%m-%d %H:%M}"


from .meeting.models import (  # noqa: E402
    CycleSettings,
    DutyDay,
    Interest,
    MeetingCycle,
    ProposedAllocation,
    ReviewEntry,
    ReviewForm,
)

__all__ = [
    "Assignment",
    "Case",
    "CaseEvent",
    "CaseloadSettings",
    "CoverageFigure",
    "CycleSettings",
    "DutyDay",
    "Extension",
    "Interest",
    "Investigation",
    "MeetingCycle",
    "ProposedAllocation",
    "ReviewEntry",
    "ReviewForm",
]
