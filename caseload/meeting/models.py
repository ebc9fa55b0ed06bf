"""Rows of the allocation meeting. Imported by caseload/models.py so Django registers them in the caseload app."""

from __future__ import annotations

import datetime
import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from staff.platform.tenancy import TenantModel

from ..allocation.cycle import MAX_PERIOD_WEEKS, MIN_PERIOD_WEEKS, CycleRules
from ..allocation.explain import describe
from ..allocation.model import Reason

KNOWN_REASONS = {r.value for r in Reason}


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CycleSettings(TenantModel):
    """A unit's allocation rhythm: the Monday of one allocation week and the period in weeks."""

    unit = models.OneToOneField("staff.Unit", on_delete=models.CASCADE, related_name="cycle_settings")
    anchor = models.DateField(_("an allocation Monday"))
    period_weeks = models.PositiveSmallIntegerField(
        _("weeks per cycle"),
        default=5,
        validators=[MinValueValidator(MIN_PERIOD_WEEKS), MaxValueValidator(MAX_PERIOD_WEEKS)],
    )
    review_reminder_days = models.CharField(
        _("review form reminders (days before the allocation Monday)"),
        max_length=40,
        default="7,3",
        help_text=_("Comma-separated, e.g. 7,3: a reminder to everyone who has not submitted, once per threshold."),
    )
    feed_token = models.CharField(max_length=64, default=new_feed_token, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cycle settings")
        verbose_name_plural = _("cycle settings")
        constraints = [models.UniqueConstraint(fields=["organisation", "unit"], name="cycle_settings_one_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} ({self.anchor})"

    @property
    def reminder_days(self) -> list[int]:
        return sorted(
            {int(p) for p in self.review_reminder_days.split(",") if p.strip().isascii() and p.strip().isdecimal()},
            reverse=True,
        )

    @property
    def rules(self) -> CycleRules:
        return CycleRules(anchor=self.anchor, period_weeks=self.period_weeks)


class MeetingCycle(TenantModel):
    """One allocation point of a unit: the cycle's meeting (week 1) with its proposal, confirmation and
    Friday wrap-up, or a later week's point for the cases carried over from the week before."""

    unit = models.ForeignKey("staff.Unit", on_delete=models.CASCADE, related_name="meeting_cycles")
    allocation_monday = models.DateField(_("allocation Monday"))
    week = models.PositiveSmallIntegerField(
        _("week of the cycle"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PERIOD_WEEKS)],
        help_text=_(
            "1: the allocation meeting. 2 and on: the week's allocation point for the non-acute cases carried"
            " over from the week before."
        ),
    )
    ends = models.DateField(_("last day"))
    proposed_at = models.DateTimeField(null=True, blank=True)
    # The engine proved that no allocation within the unit's rules scores better (else: the best it found
    # within its time limit, at most proposal_gap per cent above the proven bound).
    proposal_proven = models.BooleanField(default=False)
    proposal_gap = models.FloatField(null=True, blank=True)
    # Capacity and load of each worker when the proposal was made: {staff id: [capacity, load]}.
    snapshot = models.JSONField(default=dict, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    wrap_up_notes = models.TextField(_("wrap-up notes"), blank=True)

    class Meta:
        ordering = ["-allocation_monday"]
        verbose_name = _("allocation cycle")
        verbose_name_plural = _("allocation cycles")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "unit", "allocation_monday"], name="one_cycle_per_monday")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.allocation_monday}"

    @property
    def allocation_days(self) -> list[datetime.date]:
        return [self.allocation_monday + datetime.timedelta(days=d) for d in range(5)]


class Interest(TenantModel):
    """A worker would like to take a queued case (as main or co-handler)."""

    case = models.ForeignKey("caseload.Case", on_delete=models.CASCADE, related_name="interests")
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="case_interests")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "case", "staff"], name="one_interest_per_case")]


class DutyDay(TenantModel):
    """Day or phone duty of one worker on one day of the allocation week."""

    cycle = models.ForeignKey(MeetingCycle, on_delete=models.CASCADE, related_name="duty_days")
    day = models.DateField(_("day"))
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "cycle", "day", "staff"], name="one_duty_per_person_day")
        ]


class ProposedAllocation(TenantModel):
    """The engine's proposal for one queued case, adjusted by the manager until the cycle is confirmed."""

    class Outcome(models.TextChoices):
        ASSIGNED = "assigned", _("Allocated")
        CARRIED_OVER = "carried_over", _("Carried over")
        FLAGGED = "flagged", _("Acute, not placed")

    cycle = models.ForeignKey(MeetingCycle, on_delete=models.CASCADE, related_name="proposals")
    case = models.ForeignKey("caseload.Case", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    main = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    co = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reasons = models.CharField(max_length=200, blank=True)  # "main=interest+load;co=load;notes=no_co_handler"
    weeks_waited = models.PositiveSmallIntegerField(default=0)
    # The earlier allocation point that left the case over (None: new to the queue at this point).
    carried_from = models.ForeignKey(MeetingCycle, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    adjusted = models.BooleanField(default=False)
    confirmed = models.BooleanField(default=False)

    @property
    def reason_lines(self) -> list[tuple[str, str]]:
        """The engine's reasons in the active language, per role: [(role label or "", texts)]."""
        labels = {"main": _("Main handler"), "co": _("Co-handler")}
        lines = []
        for part in filter(None, self.reasons.split(";")):
            role, _sep, codes = part.rpartition("=")
            known = [describe(Reason(c)) for c in codes.replace(",", "+").split("+") if c in KNOWN_REASONS]
            if known:
                lines.append((str(labels.get(role, "")), ", ".join(known)))
        return lines

    class Meta:
        ordering = ["case__number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "cycle", "case"], name="one_proposal_per_case_and_cycle")
        ]


class ReviewForm(TenantModel):
    """A worker's review form (ärendegenomgång) before one allocation meeting."""

    class Situation(models.IntegerChoices):
        VERY_HEAVY = 1, _("Very heavy")
        HEAVY = 2, _("Heavy")
        MANAGEABLE = 3, _("Manageable")
        GOOD = 4, _("Good")
        VERY_GOOD = 5, _("Very good")

    cycle = models.ForeignKey(MeetingCycle, on_delete=models.CASCADE, related_name="review_forms")
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="review_forms")
    work_situation = models.PositiveSmallIntegerField(
        _("my work situation here and now"), choices=Situation.choices, null=True
    )
    comment = models.TextField(_("comment on my work situation"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "cycle", "staff"], name="one_review_form_per_cycle")
        ]


class ReviewEntry(TenantModel):
    """Where one open investigation stands, as the worker reports it on the review form."""

    class Reconsideration(models.TextChoices):
        NOT_APPLICABLE = "na", _("Not a placement case")
        DONE = "done", _("Done")
        PENDING = "pending", _("Not done yet")

    form = models.ForeignKey(ReviewForm, on_delete=models.CASCADE, related_name="entries")
    case = models.ForeignKey("caseload.Case", on_delete=models.CASCADE, related_name="+")
    stands = models.TextField(_("where it stands"), blank=True, max_length=2000)
    basis_started = models.BooleanField(_("decision basis started"), default=False)
    journal_started = models.BooleanField(_("journal notes started"), default=False)
    still_needed = models.TextField(_("still needed before a decision"), blank=True, max_length=2000)
    interventions = models.TextField(_("ongoing interventions"), blank=True, max_length=2000)
    decisions = models.TextField(_("decisions taken during the investigation"), blank=True, max_length=2000)
    reconsideration = models.CharField(
        _("placement reconsiderations"), max_length=10, choices=Reconsideration.choices, default="na"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "form", "case"], name="one_review_entry_per_case")
        ]
