"""Tertial survey rounds, invitations, answers, unit snapshots, action plans, baselines and exit interviews."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from staff.platform.tenancy import TenantModel

SCALE = (1, 5)
# The three statements of docs/domain.md section 8 (seed 002), in the order they are asked.
QUESTIONS = (
    ("q1", _("I have a good work situation.")),
    ("q2", _("I feel that I can do a good job.")),
    ("q3", _("I can recommend my workplace to others.")),
)
SCALE_LABELS = {
    1: _("Strongly disagree"),
    2: _("Disagree"),
    3: _("Neither agree nor disagree"),
    4: _("Agree"),
    5: _("Strongly agree"),
}
FLAG_AT_OR_BELOW = 2


ABSOLUTE_MIN_RESPONDENTS = 3  # the database refuses anything lower, whatever the floor is set to


def min_respondents_floor() -> int:
    """The fewest respondents any organisation may choose: the operator's SURVEYS_MIN_RESPONDENTS_FLOOR
    (default 5), never below 3. Nobody in an organisation can change it."""
    return max(int(getattr(settings, "SURVEYS_MIN_RESPONDENTS_FLOOR", 5)), ABSOLUTE_MIN_RESPONDENTS)


def validate_min_respondents(value: int) -> None:
    floor = min_respondents_floor()
    if value is not None and value < floor:
        raise ValidationError(
            _("At least %(floor)s respondents: fewer could identify a person."), params={"floor": floor}, code="floor"
        )


def _score(verbose):
    return models.PositiveSmallIntegerField(
        verbose, validators=[MinValueValidator(SCALE[0]), MaxValueValidator(SCALE[1])]
    )


class SurveySettings(models.Model):
    """Per-organisation rules of the tertial survey (created on demand with docs/domain.md's defaults)."""

    organisation = models.OneToOneField(
        "staff.Organisation", on_delete=models.CASCADE, related_name="survey_settings", editable=False
    )
    open_hour = models.PositiveSmallIntegerField(
        _("opening hour"),
        default=8,
        validators=[MaxValueValidator(23)],
        help_text=_("Rounds open at this hour (Stockholm time) on the first weekday of the tertial's last month."),
    )
    open_days = models.PositiveSmallIntegerField(
        _("days open"), default=14, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    first_reminder_hours = models.PositiveSmallIntegerField(
        _("first reminder (hours after opening)"), default=72, validators=[MinValueValidator(1)]
    )
    final_reminder_hours = models.PositiveSmallIntegerField(
        _("last reminder (hours before closing)"), default=24, validators=[MinValueValidator(1)]
    )
    min_respondents = models.PositiveSmallIntegerField(
        _("fewest respondents shown"),
        default=5,
        validators=[validate_min_respondents],
        help_text=_(
            "Aggregates with fewer respondents are suppressed. Never below the floor set for every organisation; "
            "only the organisation admin changes it, and a round keeps the value in force when it closed."
        ),
    )
    junior_years = models.PositiveSmallIntegerField(
        _("new in the profession (years)"),
        default=2,
        validators=[
            MinValueValidator(1, message=_("Give at least 1 year.")),
            MaxValueValidator(10, message=_("Give at most 10 years.")),
        ],
        help_text=_("Turnover shows the share of staff with fewer years than this in the profession, to the day."),
    )

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [models.CheckConstraint(condition=Q(min_respondents__gte=3), name="survey_min_respondents_3")]

    def __str__(self) -> str:
        return str(self.organisation)


class SurveyRound(TenantModel):
    """One tertial's survey in one organisation. Times are stored columns scanned by the periodic task."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", pgettext_lazy("survey round", "Closed")

    year = models.PositiveSmallIntegerField(_("year"))
    tertial = models.PositiveSmallIntegerField(_("tertial"), validators=[MinValueValidator(1), MaxValueValidator(3)])
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    first_reminder_at = models.DateTimeField(_("first reminder"))
    final_reminder_at = models.DateTimeField(_("last reminder"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    min_respondents = models.PositiveSmallIntegerField(
        _("fewest respondents shown"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The threshold in force when the round closed; its results are published with it."),
    )

    class Meta:
        ordering = ["-year", "-tertial"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "tertial"], name="survey_round_unique_tertial"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="survey_round_close_after_open"
            ),
            models.CheckConstraint(condition=Q(tertial__gte=1, tertial__lte=3), name="survey_round_tertial_1_3"),
            models.CheckConstraint(
                condition=Q(min_respondents__isnull=True) | Q(min_respondents__gte=ABSOLUTE_MIN_RESPONDENTS),
                name="survey_round_min_respondents_3",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"T{self.tertial} {self.year}"

    @property
    def label(self) -> str:
        return str(self)

    def clean(self) -> None:
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The round must close after it opens.")
        for name in ("first_reminder_at", "final_reminder_at"):
            moment = getattr(self, name)
            if self.opens_at and self.closes_at and moment and not self.opens_at <= moment <= self.closes_at:
                errors[name] = _("Reminders must fall between opening and closing.")
        if errors:
            raise ValidationError(errors)


class Invitation(TenantModel):
    """A case worker invited to a round; only invited people may answer. Reminder stage is 0, 1 or 2."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    # PROTECT: deleting a person must not change a closed round's figures (people are anonymised instead).
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="survey_invitations")
    unit = models.ForeignKey("staff.Unit", on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    reminder_stage = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "round", "staff"], name="survey_invitation_unique")
        ]


class Answer(TenantModel):
    """One person's answer in a round; changeable until the round closes. Identifiable only at unit level."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="answers")
    # PROTECT: deleting a person must not change a closed round's figures (people are anonymised instead).
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="survey_answers")
    unit = models.ForeignKey("staff.Unit", on_delete=models.PROTECT, related_name="+")
    q1 = _score(_("good work situation"))
    q2 = _score(_("can do a good job"))
    q3 = _score(_("would recommend the workplace"))
    m1 = models.CharField(_("motivation"), max_length=500, blank=True)
    m2 = models.CharField(_("motivation"), max_length=500, blank=True)
    m3 = models.CharField(_("motivation"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-round__year", "-round__tertial"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "round", "staff"], name="survey_answer_once_per_round"),
            *[
                models.CheckConstraint(condition=Q(**{f"{q}__gte": 1, f"{q}__lte": 5}), name=f"survey_answer_{q}_1_5")
                for q in ("q1", "q2", "q3")
            ],
        ]
        indexes = [models.Index(fields=["organisation", "round", "unit"])]

    @property
    def scores(self) -> tuple[int, int, int]:
        return (self.q1, self.q2, self.q3)

    @property
    def flagged(self) -> bool:
        return min(self.scores) <= FLAG_AT_OR_BELOW

    def items(self):
        return [(label, getattr(self, q), getattr(self, "m" + q[1])) for q, label in QUESTIONS]


class UnitSnapshot(TenantModel):
    """Cases per employee of a unit, and the department it belonged to, taken when the round closes.

    The round's results sum each unit into this department for ever, so moving a unit later cannot be
    used to difference a past round's department before and after."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="snapshots")
    unit = models.ForeignKey("staff.Unit", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("staff.Department", on_delete=models.PROTECT, null=True, related_name="+")
    taken_on = models.DateField()
    employees = models.PositiveIntegerField(_("employees"))
    open_cases = models.PositiveIntegerField(_("open cases"))
    weighted_cases = models.PositiveIntegerField(_("weighted cases"))
    cases_per_employee = models.DecimalField(_("cases per employee"), max_digits=7, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("caseload snapshot")
        verbose_name_plural = _("caseload snapshots")
        constraints = [models.UniqueConstraint(fields=["organisation", "round", "unit"], name="survey_snapshot_unique")]


class PublishedCells(TenantModel):
    """The cells of a closed round a class of viewers was shown, stored the first time they are computed.

    A viewer who sees one set and later another holds the union, which may isolate a small group even
    when each set alone does not. So later computations (a renamed unit, a raised floor, another HiGHS)
    start from this set and may only hide more of it. `viewer_key` is the sha256 of `viewer` (the class:
    the departments shown and the units known raw); `fingerprint` the sha256 of the threshold and the
    respondents per unit and department the set was computed on: while it matches, the set is read, not
    solved again."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="published_sets")
    viewer_key = models.CharField(max_length=64)
    viewer = models.TextField()
    fingerprint = models.CharField(max_length=64)
    minimum = models.PositiveSmallIntegerField()
    cells = models.JSONField(default=list)  # [[kind, id], ...] of the published cells
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("published survey cells")
        verbose_name_plural = _("published survey cells")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "round", "viewer_key"], name="survey_published_unique")
        ]


class RawRoleTenure(TenantModel):
    """A unit manager's or assistant manager's role in a unit, from when it was seen until it ended.

    Such a person sees the unit's raw answers of every closed round while they hold the role, and keeps
    what they saw: for a round they count as knowing the unit if the role had not ended when the round
    opened (`surveys.permissions.result_viewer`). Kept in step with `RoleAssignment` by signals
    (`surveys.signals`); `started_at` is empty for roles held before these records began."""

    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("staff.Unit", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=30)
    started_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("unit management tenure")
        verbose_name_plural = _("unit management tenures")
        indexes = [models.Index(fields=["organisation", "staff"], name="survey_tenure_staff")]


class ActionPlan(TenantModel):
    """An individual action plan the manager offers a worker who answered 1 or 2."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="action_plan")
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="survey_action_plans")
    offered_by = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")
    actions = models.TextField(_("agreed actions"), max_length=3000)
    follow_up_on = models.DateField(_("follow-up date"))
    outcome = models.TextField(_("outcome of the follow-up"), max_length=3000, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("action plan", "closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_by__isnull=True)
                | Q(closed_at__isnull=False, closed_by__isnull=False),
                name="survey_action_plan_closed_with_closer",
            )
        ]
        # The daily reminder scans the open plans by their follow-up date.
        indexes = [
            models.Index(
                fields=["organisation", "follow_up_on"],
                condition=Q(closed_at__isnull=True),
                name="survey_action_plan_open_due",
            )
        ]

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def is_overdue(self, today) -> bool:
        """Open past its follow-up date (the follow-up day itself is not overdue: it is due)."""
        return self.closed_at is None and self.follow_up_on < today


class RhythmStep(TenantModel):
    """The yearly rhythm per unit: T1 results, T2 improvement plan presented, T3 follow-up and revision."""

    class Step(models.IntegerChoices):
        RESULTS = 1, _("T1: results discussed")
        PLAN = 2, _("T2: improvement plan presented")
        FOLLOW_UP = 3, _("T3: follow-up and revised plan")

    unit = models.ForeignKey("staff.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    done_on = models.DateField(_("done on"))
    note = models.CharField(_("note"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("rhythm step")
        verbose_name_plural = _("rhythm steps")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "unit", "year", "step"], name="survey_rhythm_step_unique")
        ]


class Baseline(TenantModel):
    """A unit's 2014 employee-survey values of the three questions: the zero line of the trends."""

    unit = models.ForeignKey("staff.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), default=2014)
    q1 = models.DecimalField(max_digits=3, decimal_places=2, validators=[MinValueValidator(1), MaxValueValidator(5)])
    q2 = models.DecimalField(max_digits=3, decimal_places=2, validators=[MinValueValidator(1), MaxValueValidator(5)])
    q3 = models.DecimalField(max_digits=3, decimal_places=2, validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        constraints = [models.UniqueConstraint(fields=["organisation", "unit"], name="survey_baseline_unique_unit")]


class ExitInterview(TenantModel):
    """Avgångssamtal: Stockholm's 15 questions (seed 002, appendix 7) asked of a person who leaves."""

    class Reason(models.TextChoices):
        SALARY = "salary", _("Salary")
        WORKLOAD = "workload", _("Workload")
        LEADERSHIP = "leadership", _("Leadership and support")
        DEVELOPMENT = "development", _("New tasks or development")
        ORGANISATION = "organisation", _("Staff turnover and organisation")
        PRIVATE = "private", _("Private reasons or commute")
        RETIREMENT = "retirement", _("Retirement or studies")
        OTHER = "other", _("Other")

    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="exit_interviews")
    unit = models.ForeignKey("staff.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    held_on = models.DateField(_("held on"))
    main_reason = models.CharField(_("main reason"), max_length=20, choices=Reason.choices)
    answers = models.JSONField(default=dict)
    interviewer = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("exit interview")
        verbose_name_plural = _("exit interviews")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "staff"], name="survey_exit_interview_once_per_person")
        ]


# Seed 002, Bilaga 7 ("Sammanställning avslutssamtal"): Swedish source text, asked as written except that
# question 3 names "kommunen" (the source's "staden/stadsdelen" fits one city only) and question 6 ends its
# first sentence with a question mark. Answers are stored by question number, so the wording may change.
EXIT_QUESTIONS = (
    "Vad är orsaken till att du valt att säga upp din anställning?",
    "Vad händer närmast? Ny anställning/studier/annat?",
    "Hur länge har du arbetat i kommunen?",
    "Hur lång yrkeserfarenhet har du?",
    "Hur väl stämmer arbetsuppgifter, roll m.m. överens med dina förväntningar vid anställningstillfället?",
    "Har du kunnat genomföra ditt uppdrag som socialsekreterare/biståndshandläggare? "
    "Vad har fungerat bra och vad har fungerat mindre bra?",
    "Hur har du upplevt dina utvecklingsmöjligheter?",
    "Hur har samarbetet inom enheten fungerat? Kollegor, andra enheter, organisationen i stort?",
    "Hur har du upplevt arbetsbelastningen?",
    "Synpunkter på ledarskapet på din enhet?",
    "Vad är den viktigaste orsaken till att du slutar?",
    "Vad hade fått dig att stanna kvar?",
    "Är det något du själv kunde ha gjort annorlunda under din tid hos oss på förvaltningen?",
    "Hur blev du bemött när du sa upp dig? Är det något som vi missat eller kunde ha gjort bättre?",
    "Är det något mer du vill tillägga?",
)
