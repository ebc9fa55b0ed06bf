"""The competence ladder: levels per organisation, who is on which level from which date, the joint
assessments behind each move, level-4 appointments, supplements with valid-from history, introduction
plans, mentors, reflection sessions and individual development plans.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from staff.platform.tenancy import TenantModel


class LadderSettings(TenantModel):
    """The organisation's ladder rules (docs/domain.md §3 defaults), created on demand."""

    organisation = models.OneToOneField(
        "staff.Organisation", on_delete=models.PROTECT, related_name="ladder_settings", editable=False
    )
    level1_supplement_months = models.PositiveSmallIntegerField(
        _("months on level 1 with supplement"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("The level-1 supplement is paid for at most this many months."),
    )
    appointment_months = models.PositiveSmallIntegerField(
        _("length of a specialist appointment (months)"), default=24, validators=[MinValueValidator(1)]
    )
    renewal_notice_months = models.PositiveSmallIntegerField(
        _("renewal decision before the end (months)"), default=4, validators=[MinValueValidator(1)]
    )
    specialist_posts = models.PositiveSmallIntegerField(
        _("number of specialist posts"), default=4, validators=[MinValueValidator(0), MaxValueValidator(500)]
    )
    pro_rata_by_fte = models.BooleanField(_("supplement pro rata by FTE"), default=True)
    eligible_soon_months = models.PositiveSmallIntegerField(
        _("'eligible soon' window (months)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    renewal_notice_weeks = models.PositiveSmallIntegerField(
        _("remind of a renewal decision ahead (weeks)"),
        default=4,
        validators=[MaxValueValidator(26)],
        help_text=_(
            "The managers are reminded, and the appointment is listed as due, this many weeks before the date "
            "by which the renewal must be decided (0 = on that date)."
        ),
    )
    mentor_min_months = models.PositiveSmallIntegerField(
        _("shortest mentorship (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("Every new employee gets a mentor for 6–12 months (Vision 80). A shorter period is warned of."),
    )
    mentor_max_months = models.PositiveSmallIntegerField(
        _("longest mentorship (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("A longer mentorship is warned of, not refused."),
    )
    reflection_intensive_months = models.PositiveSmallIntegerField(
        _("months with frequent reflection sessions"),
        default=4,
        validators=[MaxValueValidator(24)],
        help_text=_("Reflection sessions are held more often during a new employee's first months (Kiruna: 4)."),
    )
    reflection_intensive_per_month = models.PositiveSmallIntegerField(
        _("reflection sessions per month in the first months"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("Kiruna: twice a month."),
    )
    reflection_total_months = models.PositiveSmallIntegerField(
        _("reflection sessions during (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("Reflection sessions are planned for this many months from the start (Kiruna: one year)."),
    )
    reflection_later_per_month = models.PositiveSmallIntegerField(
        _("reflection sessions per month after the first months"),
        default=1,
        validators=[MaxValueValidator(4)],
        help_text=_("Kiruna: once a month (0 = none after the first months)."),
    )

    class Meta:
        verbose_name = _("ladder settings")
        verbose_name_plural = _("ladder settings")

    def clean(self) -> None:
        errors = {}
        if (
            self.mentor_min_months is not None
            and self.mentor_max_months is not None
            and self.mentor_min_months > self.mentor_max_months
        ):
            errors["mentor_max_months"] = _("The longest mentorship cannot be shorter than the shortest.")
        if (
            self.reflection_intensive_months is not None
            and self.reflection_total_months is not None
            and self.reflection_intensive_months > self.reflection_total_months
        ):
            errors["reflection_intensive_months"] = _(
                "The months with frequent sessions cannot be more than the months with sessions in all."
            )
        if errors:
            raise ValidationError(errors)


SETTINGS_FIELDS = (
    "level1_supplement_months",
    "appointment_months",
    "renewal_notice_months",
    "specialist_posts",
    "pro_rata_by_fte",
    "eligible_soon_months",
    "renewal_notice_weeks",
    "mentor_min_months",
    "mentor_max_months",
    "reflection_intensive_months",
    "reflection_intensive_per_month",
    "reflection_total_months",
    "reflection_later_per_month",
)


class LadderLevel(TenantModel):
    """One step of an organisation's ladder (Umeå: 1–4; Krokom: junior … senior)."""

    number = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=120)
    is_specialist = models.BooleanField(
        _("specialist level"),
        default=False,
        help_text=_("An appointment (förordnande) for a limited period; holders take no own cases."),
    )
    min_years = models.DecimalField(
        _("minimum years of experience"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    requires_introduction = models.BooleanField(_("introduction completed"), default=False)
    expectations = models.TextField(_("expectations"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("ladder level")
        verbose_name_plural = _("ladder levels")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="ladder_level_number_unique_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class SupplementRate(TenantModel):
    """A level's monthly supplement from a date on; a new row never rewrites a past month."""

    level = models.ForeignKey(LadderLevel, on_delete=models.CASCADE, related_name="rates", verbose_name=_("level"))
    amount = models.DecimalField(
        _("supplement per month (SEK)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    valid_from = models.DateField(_("valid from"))
    created_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["level__number", "valid_from"]
        verbose_name = _("supplement amount")
        verbose_name_plural = _("supplement amounts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "level", "valid_from"], name="supplement_rate_unique")
        ]


# The first pricing period of an organisation runs "from the start": earlier than any month it prices.
PRICING_BEGINNING = datetime.date(1, 1, 1)
PRICING_FIELDS = ("pro_rata_by_fte", "level1_supplement_months")


class PricingPeriod(TenantModel):
    """The ladder settings that price a month (pro rata by FTE, months of level-1 supplement) from a date
    on, until the next period; LadderSettings holds the values valid today. A month is priced with the
    values valid on each of its days, so a change never rewrites a month before its valid-from date."""

    valid_from = models.DateField(_("valid from"))
    pro_rata_by_fte = models.BooleanField(_("supplement pro rata by FTE"))
    level1_supplement_months = models.PositiveSmallIntegerField(
        _("months on level 1 with supplement"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    created_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("supplement terms")
        verbose_name_plural = _("supplement terms")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "valid_from"], name="pricing_period_unique_per_org")
        ]

    @property
    def from_the_start(self) -> bool:
        return self.valid_from == PRICING_BEGINNING


class SupplementMonth(TenantModel):
    """A month whose supplement report was exported or approved: frozen. Its stored rows are what the
    report shows from then on; a later change shows as a correction in the next month not frozen."""

    class How(models.TextChoices):
        EXPORTED = "exported", _("exported")
        APPROVED = "approved", _("approved")

    month = models.DateField(_("month"))
    how = models.CharField(_("frozen by"), max_length=20, choices=How.choices)
    frozen_at = models.DateTimeField(_("frozen"), auto_now_add=True)
    frozen_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    terms = models.TextField(
        _("amounts and terms in force"), blank=True, help_text=_("The rates and terms the month was priced with.")
    )

    class Meta:
        ordering = ["month"]
        verbose_name = _("frozen supplement month")
        verbose_name_plural = _("frozen supplement months")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="supplement_month_unique_per_org"),
            models.CheckConstraint(condition=Q(month__day=1), name="supplement_month_first_day"),
        ]


class SupplementMonthRow(TenantModel):
    """A row of a frozen month as it was exported: a person's days on a level at an FTE and the amount,
    or a correction of an earlier frozen month (`corrects`, with the reasons) paid in this month."""

    frozen_month = models.ForeignKey(SupplementMonth, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField(default=0)
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("staff.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    level = models.ForeignKey(LadderLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    fte = models.DecimalField(_("FTE"), max_digits=3, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("amount (SEK)"), max_digits=12, decimal_places=2)
    corrects = models.DateField(_("month corrected"), null=True, blank=True)
    reasons = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["frozen_month_id", "position"]
        verbose_name = _("frozen supplement row")
        verbose_name_plural = _("frozen supplement rows")
        indexes = [models.Index(fields=["organisation", "corrects"])]


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


class Assessment(TenantModel):
    """The joint assessment (unit manager + responsible specialist) behind a move up the ladder."""

    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="ladder_assessments")
    placement = models.OneToOneField(LevelPlacement, on_delete=models.CASCADE, related_name="assessment")
    from_level = models.ForeignKey(LadderLevel, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    to_level = models.ForeignKey(LadderLevel, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("assessment date"))
    manager = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit manager")
    )
    specialist = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible specialist")
    )
    motivation = models.TextField(_("motivation"))
    unmet_rules = models.TextField(_("rules not met"), blank=True)
    override_reason = models.TextField(_("reason for overriding"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on"]
        verbose_name = _("joint assessment")
        verbose_name_plural = _("joint assessments")

    @property
    def is_override(self) -> bool:
        return bool(self.override_reason)


class Appointment(TenantModel):
    """A level-4 appointment (förordnande) for a limited period; renewals are new rows."""

    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="ladder_appointments")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    renewal_due = models.DateField(_("decide on renewal by"))
    renewal_of = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="renewal")
    decided_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["end"]
        verbose_name = _("specialist appointment")
        verbose_name_plural = _("specialist appointments")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="appointment_end_after_start")
        ]
        indexes = [models.Index(fields=["organisation", "renewal_due"])]

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date cannot be before the start date.")})


class IntroductionPhase(models.TextChoices):
    ORIENTATION = "orientation", _("Weeks 1–4: orientation")
    SUPPORTED = "supported", _("Weeks 2–18: case work with support")
    DEEPENING = "deepening", _("Month 5 to year 2: deepening")


class ResponsibleRole(models.TextChoices):
    MANAGER = "manager", _("Unit manager")
    SPECIALIST = "specialist", _("Specialist of the unit")
    MENTOR = "mentor", _("Mentor")
    EMPLOYEE = "employee", _("The new employee")


class IntroductionTemplateItem(TenantModel):
    """One checklist item of the organisation's introduction template."""

    title = models.CharField(_("item"), max_length=200)
    phase = models.CharField(_("phase"), max_length=20, choices=IntroductionPhase.choices)
    responsible_role = models.CharField(
        _("responsible role"), max_length=20, choices=ResponsibleRole.choices, default=ResponsibleRole.MANAGER
    )
    responsible_person = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
        help_text=_("Leave empty to let the role decide."),
    )
    due_offset_days = models.PositiveSmallIntegerField(
        _("due (days after start)"), validators=[MaxValueValidator(1000)]
    )

    class Meta:
        ordering = ["due_offset_days", "title"]
        verbose_name = _("introduction template item")
        verbose_name_plural = _("introduction template items")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title", "phase"], name="intro_template_item_unique")
        ]

    def __str__(self) -> str:
        return self.title


class IntroductionItem(TenantModel):
    """An item of one new employee's introduction plan: due date, responsible, done date and by whom."""

    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="introduction_items")
    title = models.CharField(_("item"), max_length=200)
    phase = models.CharField(_("phase"), max_length=20, choices=IntroductionPhase.choices)
    responsible = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey("staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("introduction item")
        verbose_name_plural = _("introduction items")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "staff", "title", "phase"], name="intro_item_unique")
        ]
        indexes = [models.Index(fields=["organisation", "due", "done_on"])]


class Mentorship(TenantModel):
    """A mentor for a new employee for a period (Vision 80: 6–12 months)."""

    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="mentorships")
    mentor = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, related_name="adepts", verbose_name=_("mentor")
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))

    class Meta:
        ordering = ["-start"]
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="mentorship_end_after_start")
        ]

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date cannot be before the start date.")})


class ReflectionSession(TenantModel):
    """A planned reflection session of a new employee, with attendance."""

    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="reflection_sessions")
    on = models.DateField(_("date"))
    attended = models.BooleanField(_("attended"), null=True)

    class Meta:
        ordering = ["on"]
        verbose_name = _("reflection session")
        verbose_name_plural = _("reflection sessions")
        constraints = [models.UniqueConstraint(fields=["organisation", "staff", "on"], name="reflection_unique")]


class Training(TenantModel):
    """The organisation's training catalogue: BBIC, Signs of Safety, MI, documentation, LVU …"""

    name = models.CharField(_("training"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="training_name_unique")]

    def __str__(self) -> str:
        return self.name


class PlannedTraining(TenantModel):
    """A line of a person's individual competence development plan."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        COMPLETED = "completed", _("Completed")

    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="planned_trainings")
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="+", verbose_name=_("training"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    goal = models.CharField(_("goal"), max_length=300, blank=True)
    purpose = models.CharField(_("purpose – how it will be used"), max_length=300, blank=True)
    follow_up_on = models.DateField(_("follow-up (yearly appraisal)"), null=True, blank=True)

    class Meta:
        ordering = ["-completed_on", "planned_on"]
        verbose_name = _("planned training")
        verbose_name_plural = _("planned trainings")

    def clean(self) -> None:
        if self.status == self.Status.COMPLETED and not self.completed_on:
            raise ValidationError({"completed_on": _("Give the date the training was completed.")})


class Onboarding(TenantModel):
    """What creating a social worker started: level 1 from the employment start, the introduction plan (with its
    reflection sessions) from the template, and a request for a mentor. Each step can be undone from the person
    page; the change history keeps who undid what and when."""

    class Step(models.TextChoices):
        DONE = "done", pgettext_lazy("onboarding step", "Done")
        SKIPPED = "skipped", pgettext_lazy("onboarding step", "Not possible")
        REMOVED = "removed", pgettext_lazy("onboarding step", "Removed")

    class MentorRequest(models.TextChoices):
        ASKED = "asked", _("Asked for")
        DISMISSED = "dismissed", _("Not asked for")

    staff = models.OneToOneField("staff.StaffMember", on_delete=models.CASCADE, related_name="onboarding")
    placement = models.ForeignKey(
        LevelPlacement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("placement")
    )
    placement_step = models.CharField(_("level 1 from the start"), max_length=10, choices=Step.choices)
    plan_step = models.CharField(_("introduction plan"), max_length=10, choices=Step.choices)
    mentor_request = models.CharField(
        _("mentor"), max_length=10, choices=MentorRequest.choices, default=MentorRequest.ASKED
    )
    created_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("start as a new social worker")
        verbose_name_plural = _("starts as new social workers")
        indexes = [models.Index(fields=["organisation", "mentor_request"])]


class PayrollLayout(TenantModel):
    """How the organisation's payroll system reads a file of transactions (issue 19): one line per person and
    pay code (lönart) for the month, and one per correction of an earlier month. Columns are keys of
    competence.payroll.COLUMNS in order; a fixed-width file gives each column a width."""

    class FileFormat(models.TextChoices):
        CSV = "csv", _("Delimited text (CSV)")
        FIXED = "fixed", _("Fixed width")

    class AmountFormat(models.TextChoices):
        COMMA = "comma", _("Kronor with a decimal comma (1234,50)")
        POINT = "point", _("Kronor with a decimal point (1234.50)")
        ORE = "ore", _("Whole öre (123450)")

    class PeriodFormat(models.TextChoices):
        YYYYMM = "YYYYMM", "ÅÅÅÅMM"
        YYYY_MM = "YYYY-MM", "ÅÅÅÅ-MM"
        FIRST_DAY = "YYYY-MM-DD", _("First day of the month (ÅÅÅÅ-MM-DD)")
        FIRST_DAY_COMPACT = "YYYYMMDD", _("First day of the month (ÅÅÅÅMMDD)")

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", "UTF-8"
        CP1252 = "cp1252", "Windows-1252"

    preset = models.CharField(_("preset"), max_length=30, default="stabil_csv")
    file_format = models.CharField(_("file format"), max_length=10, choices=FileFormat.choices, default="csv")
    columns = models.CharField(
        _("columns"),
        max_length=300,
        default="employee_number,pay_code,period,amount,cost_centre",
        help_text=_("The columns in order, separated by commas."),
    )
    widths = models.CharField(
        _("widths"),
        max_length=200,
        blank=True,
        help_text=_("For a fixed-width file: the width of each column in characters, in the same order."),
    )
    delimiter = models.CharField(_("delimiter"), max_length=1, default=";", blank=True)
    header = models.BooleanField(_("first line names the columns"), default=True)
    pay_code = models.CharField(_("pay code (lönart) of the supplement"), max_length=20, default="", blank=True)
    correction_pay_code = models.CharField(
        _("pay code (lönart) of a correction"),
        max_length=20,
        blank=True,
        help_text=_("Empty: the supplement's pay code."),
    )
    period_format = models.CharField(
        _("period"), max_length=12, choices=PeriodFormat.choices, default=PeriodFormat.YYYYMM
    )
    amount_format = models.CharField(
        _("amount"), max_length=10, choices=AmountFormat.choices, default=AmountFormat.COMMA
    )
    encoding = models.CharField(_("character encoding"), max_length=10, choices=Encoding.choices, default="utf-8")
    crlf = models.BooleanField(_("Windows line endings (CR LF)"), default=True)

    class Meta:
        verbose_name = _("payroll layout")
        verbose_name_plural = _("payroll layouts")
        constraints = [models.UniqueConstraint(fields=["organisation"], name="payroll_layout_one_per_org")]


class UnitCostCentre(TenantModel):
    """The cost centre (kostnadsställe) payroll books a unit's supplements on."""

    unit = models.OneToOneField("staff.Unit", on_delete=models.CASCADE, related_name="cost_centre")
    code = models.CharField(_("cost centre"), max_length=30)

    class Meta:
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")


class PayrollApproval(TenantModel):
    """Two people on a month's payroll file: HR prepares it (the rows it holds are fingerprinted), another
    person approves exactly those rows, and only then is the file released; approving freezes the month."""

    month = models.DateField(_("month"))
    prepared_by = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(_("prepared"))
    fingerprint = models.CharField(max_length=64)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    total = models.DecimalField(_("total (SEK)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    approved_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("payroll approval")
        verbose_name_plural = _("payroll approvals")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="payroll_approval_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="payroll_approval_first_day"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("prepared_by")),
                name="payroll_approval_two_people",
            ),
        ]
