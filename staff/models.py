"""Organisations (tenants), their structure, the people in them and their roles."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from staff.dates import whole_years_between
from staff.platform.keys import HashedKeyToken
from staff.platform.tenancy import TenantModel


class Organisation(models.Model):
    """The tenant: a municipality or a city-district administration. Data never crosses it."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        DISTRICT = "district", _("City-district administration")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MUNICIPALITY)
    span_of_control_limit = models.PositiveSmallIntegerField(
        _("span of control limit"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Most social workers one manager should case-review (Vision measure 84)."),
    )
    mfa_required = models.BooleanField(
        _("require two-step sign-in for managers, department heads, HR and admins"),
        default=False,
        help_text=_("They then sign in with a code from an authenticator app as well as their password."),
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        _("sign out after inactivity (minutes)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(720)],
        help_text=_("A signed-in person who has not used Stabil for this long must sign in again."),
    )
    accessibility_contact = models.EmailField(
        _("contact for accessibility problems"),
        blank=True,
        help_text=_("Shown in the accessibility statement: where users report content they cannot use."),
    )
    invitation_valid_days = models.PositiveSmallIntegerField(
        _("invitation link valid (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "How many days after the day it is sent the link in an invitation e-mail works; it stops working at "
            "the end of that day. A link works once, and a new invitation replaces it."
        ),
    )
    sso_only = models.BooleanField(
        _("sign in only through the identity provider"),
        default=False,
        help_text=_(
            "Password sign-in is then refused for the organisation's people, except for the named break-glass "
            "accounts, which must use two-step sign-in."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # What the organisation admin edits under Structure and settings (OrganisationSettingsForm).
    SETTINGS = (
        "span_of_control_limit",
        "mfa_required",
        "idle_timeout_minutes",
        "accessibility_contact",
        "invitation_valid_days",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Department(TenantModel):
    """Avdelning, e.g. "Barn och unga"."""

    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="department_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Unit(TenantModel):
    """Enhet. The kind decides which workflows apply (intake, investigation, placement)."""

    class Kind(models.TextChoices):
        INTAKE = "intake", _("Intake unit")
        INVESTIGATION = "investigation", _("Investigation unit")
        PLACEMENT = "placement", _("Placement unit")
        OTHER = "other", _("Other")

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="units", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unit_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Group(TenantModel):
    """Arbetsgrupp inside a unit, e.g. "Utredning 0–9 år"."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="groups", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["unit__name", "name"]
        verbose_name = pgettext_lazy("work group", "group")
        verbose_name_plural = pgettext_lazy("work group", "groups")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "unit", "name"], name="group_name_unique_per_unit")
        ]

    def __str__(self) -> str:
        return self.name


class StaffMember(TenantModel):
    """A person employed by (or hired into) the organisation. Linked to a login when they have one."""

    class EmploymentType(models.TextChoices):
        PERMANENT = "permanent", _("Permanent")
        TEMPORARY = "temporary", _("Temporary")
        CONSULTANT = "consultant", _("Consultant")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("login"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("unit"),
        help_text=_("The unit the person works in. Empty for organisation-wide roles such as HR."),
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    employment_start = models.DateField(_("employment start"))
    employment_end = models.DateField(_("employment end"), null=True, blank=True)
    profession_start = models.DateField(
        _("profession start"),
        null=True,
        blank=True,
        help_text=_("Years of experience count from this date, not from hiring."),
    )
    fte = models.DecimalField(
        _("FTE"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("Full-time equivalent between 0.01 and 1.00; part-time work gets a smaller caseload."),
    )
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.PERMANENT
    )
    consultant_monthly_cost = models.DecimalField(
        _("consultant cost per month (SEK)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    leaving_reason = models.CharField(_("leaving reason"), max_length=300, blank=True)
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
        verbose_name=_("case-reviewing manager"),
        help_text=_(
            "The unit manager or assistant manager who case-reviews this person (span of control). "
            "Empty: the manager of the person's unit."
        ),
    )
    employee_number = models.CharField(_("employee number"), max_length=50, blank=True)
    # The directory's id of the person (SCIM externalId, e.g. Entra ID's object id).
    external_id = models.CharField(_("directory id"), max_length=200, blank=True)
    break_glass = models.BooleanField(
        _("may sign in with a password (break-glass)"),
        default=False,
        help_text=_(
            "Where the organisation signs in only through its identity provider: this person may still sign in "
            "with username and password, always with two-step sign-in, for when the provider is down."
        ),
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        constraints = [
            models.CheckConstraint(condition=Q(fte__gt=0) & Q(fte__lte=1), name="staff_fte_between_0_and_1"),
            models.CheckConstraint(
                condition=Q(employment_end__isnull=True) | Q(employment_end__gte=models.F("employment_start")),
                name="staff_employment_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "unit"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        errors = {}
        if self.employment_end and self.employment_start and self.employment_end < self.employment_start:
            errors["employment_end"] = _("The end date cannot be before the start date.")
        if self.employment_type == self.EmploymentType.CONSULTANT and self.consultant_monthly_cost is None:
            errors["consultant_monthly_cost"] = _("Give the monthly cost of a hired consultant.")
        if self.profession_start and self.profession_start > timezone.localdate():
            errors["profession_start"] = _("The profession start cannot be in the future.")
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, day: datetime.date) -> bool:
        return self.employment_start <= day and (self.employment_end is None or self.employment_end >= day)

    def has_left(self, day: datetime.date | None = None) -> bool:
        """Employment ended before `day` (default today in the organisation's time zone, TIME_ZONE): the end
        date is the last day of employment, on which the person still works and signs in."""
        return self.employment_end is not None and self.employment_end < (day or timezone.localdate())

    def years_of_experience(self, on: datetime.date | None = None) -> int:
        """Whole calendar years in the profession on `on`, counted to the day (see staff/dates.py)."""
        if not self.profession_start:
            return 0
        return whole_years_between(self.profession_start, on or timezone.localdate())


FTE_VALIDATORS = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))]


class EmploymentExtent(TenantModel):
    """A person's FTE (sysselsättningsgrad) from a date on, until the next period: the history behind
    StaffMember.fte, which holds the value valid today. A month's supplements are priced with the FTE
    valid on each of its days, so a change never rewrites a month before its valid-from date."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="extents")
    fte = models.DecimalField(_("FTE"), max_digits=3, decimal_places=2, validators=FTE_VALIDATORS)
    valid_from = models.DateField(_("valid from"))
    created_by = models.ForeignKey(StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["staff_id", "valid_from"]
        verbose_name = _("employment extent")
        verbose_name_plural = _("employment extents")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "staff", "valid_from"], name="employment_extent_unique"),
            models.CheckConstraint(condition=Q(fte__gt=0) & Q(fte__lte=1), name="employment_extent_fte_0_1"),
        ]


class GroupMembership(TenantModel):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="group_memberships")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="memberships")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "staff", "group", "start"], name="group_membership_unique"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="group_membership_end_after_start"
            ),
        ]


class Absence(TenantModel):
    """Sick leave, parental leave and other absence; reduces capacity for its period."""

    class Kind(models.TextChoices):
        SICK = "sick", _("Sick leave")
        PARENTAL = "parental", _("Parental leave")
        VACATION = "vacation", _("Vacation")
        OTHER = "other", _("Other absence")

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    extent = models.PositiveSmallIntegerField(
        _("extent (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of working time absent, 1–100 %."),
    )

    class Meta:
        ordering = ["-start"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="absence_end_after_start"),
            models.CheckConstraint(condition=Q(extent__gte=1) & Q(extent__lte=100), name="absence_extent_1_100"),
        ]

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date cannot be before the start date.")})


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SPECIALIST = "specialist", _("Specialist social worker")
    UNIT_MANAGER = "unit_manager", _("Unit manager")
    ASSISTANT_MANAGER = "assistant_manager", _("Assistant unit manager")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    HR = "hr", _("HR")
    ADMINISTRATOR = "administrator", _("Administrator")
    ORG_ADMIN = "org_admin", _("Organisation admin")


UNIT_ROLES = frozenset(
    {Role.SOCIAL_WORKER, Role.SPECIALIST, Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER, Role.ADMINISTRATOR}
)
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_HEAD})
ORGANISATION_ROLES = frozenset({Role.HR, Role.ORG_ADMIN})
MANAGER_ROLES = frozenset({Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER})
CASE_WORKER_ROLES = frozenset({Role.SOCIAL_WORKER, Role.SPECIALIST})
# Roles that show cases, intake reports, individual survey answers or exit interviews (every role but the
# organisation admin's): an organisation admin cannot give one to themself, another admin must.
REVEALING_ROLES = frozenset(Role) - {Role.ORG_ADMIN}


class RoleAssignment(TenantModel):
    """A role held by a person, scoped to a unit, a department or the whole organisation."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments"
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "staff", "role", "unit"],
                condition=Q(unit__isnull=False),
                name="role_assignment_unique_in_unit",
            ),
            models.UniqueConstraint(
                fields=["organisation", "staff", "role", "department"],
                condition=Q(department__isnull=False),
                name="role_assignment_unique_in_department",
            ),
            models.UniqueConstraint(
                fields=["organisation", "staff", "role"],
                condition=Q(unit__isnull=True, department__isnull=True),
                name="role_assignment_unique_in_organisation",
            ),
            models.CheckConstraint(
                name="role_assignment_scope_matches_role",
                condition=(
                    Q(role__in=sorted(r.value for r in UNIT_ROLES), unit__isnull=False, department__isnull=True)
                    | Q(role__in=sorted(r.value for r in DEPARTMENT_ROLES), unit__isnull=True, department__isnull=False)
                    | Q(
                        role__in=sorted(r.value for r in ORGANISATION_ROLES), unit__isnull=True, department__isnull=True
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = self.unit or self.department or self.organisation
        return f"{self.get_role_display()} – {scope}"

    def clean(self) -> None:
        if self.role in UNIT_ROLES and (not self.unit_id or self.department_id):
            raise ValidationError({"unit": _("This role belongs to a unit: choose the unit.")})
        if self.role in DEPARTMENT_ROLES and (not self.department_id or self.unit_id):
            raise ValidationError({"department": _("This role belongs to a department: choose the department.")})
        if self.role in ORGANISATION_ROLES and (self.unit_id or self.department_id):
            raise ValidationError(_("This role covers the whole organisation: leave unit and department empty."))


class Notification(TenantModel):
    """An in-app message with a unique key (who, what, which threshold) before it is an e-mail.

    Reminders of every app are created through `staff.services.notify`: a retried task or a second
    worker finds the row already there and sends nothing twice.
    """

    recipient = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200, help_text="Unique per organisation, e.g. 'deadline:123:day60:staff:7'.")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # The cases the message names, as [case id, unit id] pairs: showing or e-mailing it is an access-log read.
    case_refs = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="notification_key_unique")]
        indexes = [models.Index(fields=["organisation", "recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class ApiToken(HashedKeyToken):
    """A named API token for integrations. Only a SHA-256 hash of the key is stored.

    The key is shown once, when created; it acts as its person, with their organisation and roles.
    """

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. 'Statistics export'."))

    class Meta(HashedKeyToken.Meta):
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class Invitation(TenantModel):
    """A one-time link, e-mailed to a person with a login, to choose their first password.

    Only a SHA-256 hash of the token is stored (as ApiToken's key); the prefix names it in lists. A link
    works once, until the end of `expires_at`'s day, and not after it was revoked or replaced by a newer one.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        USED = "used", _("Used")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("sent to"))
    prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["organisation", "staff"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.prefix}…)"

    def state(self, now: datetime.datetime | None = None) -> str:
        if self.used_at is not None:
            return self.State.USED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if (now or timezone.now()) > self.expires_at:
            return self.State.EXPIRED
        return self.State.PENDING


# File imports (staff/imports/): each organisation's column mapping per kind, and each run of an import.
from staff.imports.models import ImportMapping, ImportRun  # noqa: E402,F401

# The access log (staff/platform/audit/): models live in their own module, registered under the staff app.
from staff.platform.audit.models import AccessLogEntry, AccessLogSettings, AccessReview, SecurityEvent  # noqa: E402,F401

# Each signed-in session's key by login (staff/platform/sessions.py): ending a person's access ends them all.
from staff.platform.sessions import UserSession  # noqa: E402,F401

# Sign-in limits (staff/platform/signin_limits.py): failed sign-ins per username and address.
from staff.platform.signin_limits import SignInFailure  # noqa: E402,F401

# SCIM provisioning (staff/scim/): the directory's token, groups and the mapping of a group to a role.
from staff.scim.models import ScimGrant, ScimGroup, ScimGroupMapping, ScimGroupMember, ScimToken  # noqa: E402,F401

# Sign-in through the organisation's identity provider (staff/sso/): its configuration, the link of a provider's
# identifier to a staff record, and the organisation's verified e-mail domains.
from staff.sso.models import EmailDomain, IdentityProvider, SsoIdentity  # noqa: E402,F401
