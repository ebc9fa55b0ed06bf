"""Reads for organisations, structure and people. Every function is scoped to one organisation."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import (
    CASE_WORKER_ROLES,
    MANAGER_ROLES,
    Department,
    EmploymentExtent,
    GroupMembership,
    Invitation,
    Organisation,
    Role,
    RoleAssignment,
    SecurityEvent,
    StaffMember,
    Unit,
)
from staff.platform.tenancy import get_for_org


def unit_get(*, organisation: Organisation, pk) -> Unit:
    return get_for_org(Unit.objects.select_related("department"), organisation=organisation, pk=pk)


def department_get(*, organisation: Organisation, pk) -> Department:
    return get_for_org(Department, organisation=organisation, pk=pk)


def staff_get(*, organisation: Organisation, pk) -> StaffMember:
    return get_for_org(StaffMember.objects.select_related("unit", "user"), organisation=organisation, pk=pk)


@dataclass(frozen=True)
class AccessEnded:
    """When, why and by what (or whom) the person's access was last ended; from its SecurityEvent."""

    at: datetime.datetime
    reason: str
    by: str  # a person's name, "the nightly job for leavers", or the label the caller gave


def access_ended(*, member: StaffMember) -> AccessEnded | None:
    """The last end of the person's access, or None (never ended, or switched on again since then: the event
    stays in the security events but no longer describes the login)."""
    if not member.user_id or (member.user and member.user.is_active):
        return None
    event = (
        SecurityEvent.objects.filter(
            organisation_id=member.organisation_id, kind=SecurityEvent.Kind.ACCESS_ENDED, user_id=member.user_id
        )
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return None
    from staff.services import NIGHTLY_JOB

    by = _("the nightly job for leavers") if event.by_label == NIGHTLY_JOB else event.by_label
    if event.actor_user_id:
        actor = StaffMember.objects.filter(organisation_id=member.organisation_id, user_id=event.actor_user_id).first()
        by = actor.full_name if actor else by
    return AccessEnded(at=event.at, reason=event.get_reason_display(), by=by)


def invitation_latest(*, member: StaffMember) -> Invitation | None:
    """The person's newest invitation (the one whose state the person page shows), or None."""
    return Invitation.objects.filter(organisation_id=member.organisation_id, staff=member).first()


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation of a link's token (under row-level security, the caller sets its organisation first)."""
    from staff.platform.authentication import hash_key

    return Invitation.objects.select_related("staff__user", "organisation").filter(token_hash=hash_key(token)).first()


def employment_extents(*, member: StaffMember) -> list[EmploymentExtent]:
    """The person's FTE periods, oldest first, each with the day it ends (`until`, None for the open one)."""
    periods = list(
        EmploymentExtent.objects.filter(organisation_id=member.organisation_id, staff=member)
        .select_related("created_by")
        .order_by("valid_from")
    )
    for period, following in zip(periods, [*periods[1:], None], strict=False):
        period.until = following.valid_from - datetime.timedelta(days=1) if following else None
    return periods


def active_staff(*, organisation: Organisation, on: datetime.date | None = None) -> QuerySet[StaffMember]:
    on = on or timezone.localdate()
    return StaffMember.objects.filter(organisation=organisation, employment_start__lte=on).filter(
        Q(employment_end__isnull=True) | Q(employment_end__gte=on)
    )


def unit_staff(*, unit: Unit, on: datetime.date | None = None) -> list[StaffMember]:
    """Active people of a unit with their roles and current groups, in two extra queries."""
    on = on or timezone.localdate()
    current_groups = GroupMembership.objects.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))
    return list(
        active_staff(organisation=unit.organisation, on=on)
        .filter(unit=unit)
        .prefetch_related(
            Prefetch("roles", queryset=RoleAssignment.objects.all(), to_attr="role_list"),
            Prefetch(
                "group_memberships",
                queryset=current_groups.select_related("group"),
                to_attr="current_memberships",
            ),
        )
    )


@dataclass(frozen=True)
class ManagerSpan:
    """One manager and the social workers and specialists they case-review (their direct reports)."""

    staff_id: int
    name: str
    role: str  # the manager role held in the unit shown (Role value)
    direct_reports: int  # across every unit: the span is the person's, not the unit's
    limit: int

    @property
    def exceeded(self) -> bool:
        """Over the organisation's limit: at the limit is within it."""
        return self.direct_reports > self.limit

    def get_role_display(self) -> str:
        return Role(self.role).label


@dataclass(frozen=True)
class SpanOfControl:
    """A unit's span of control, per manager (Vision measure 84).

    A social worker's or specialist's manager is the one recorded on the person (`StaffMember.manager`,
    while that person is employed and holds a manager role); without one, the unit's unit manager when it
    has exactly one (or, with no unit manager, its only assistant manager). Case workers left with
    neither count as `without_manager` and flag the unit.
    """

    case_workers: int
    per_manager: tuple[ManagerSpan, ...]
    without_manager: int
    limit: int

    @property
    def managers(self) -> int:
        return len(self.per_manager)

    @property
    def over_limit(self) -> list[ManagerSpan]:
        return [m for m in self.per_manager if m.exceeded]

    @property
    def exceeded(self) -> bool:
        return bool(self.over_limit) or self.without_manager > 0


def _active(prefix: str, on: datetime.date) -> Q:
    return Q(**{f"{prefix}employment_start__lte": on}) & (
        Q(**{f"{prefix}employment_end__isnull": True}) | Q(**{f"{prefix}employment_end__gte": on})
    )


def spans_of_control(
    *, organisation: Organisation, unit_ids: Iterable[int], on: datetime.date | None = None
) -> dict[int, SpanOfControl]:
    """{unit_id: SpanOfControl} on a day, in two queries whatever the number of units.

    Both read the whole organisation's role rows (a manager's direct reports may sit in other units), one
    row per case-worker or manager role: a few thousand small tuples in a city.
    """
    on = on or timezone.localdate()
    roles = RoleAssignment.objects.filter(organisation=organisation, unit__isnull=False).filter(_active("staff__", on))
    managers: dict[int, list[tuple[int, str, str]]] = defaultdict(list)  # unit -> (staff, role, name)
    names: dict[int, str] = {}
    role_of: dict[int, str] = {}  # a manager's role, the unit manager's first (for one shown outside their unit)
    for unit_id, staff_id, role, first, last in (
        roles.filter(role__in=sorted(MANAGER_ROLES))
        .order_by("unit_id", "-role", "staff__last_name", "staff__first_name", "staff_id")
        .values_list("unit_id", "staff_id", "role", "staff__first_name", "staff__last_name")
    ):
        names[staff_id] = f"{first} {last}"
        if role == Role.UNIT_MANAGER or staff_id not in role_of:
            role_of[staff_id] = role
        managers[unit_id].append((staff_id, role, names[staff_id]))

    def default_manager(unit_id: int) -> int | None:
        heads = [m for m in managers[unit_id] if m[1] == Role.UNIT_MANAGER]
        heads = heads or [m for m in managers[unit_id] if m[1] == Role.ASSISTANT_MANAGER]
        return heads[0][0] if len(heads) == 1 else None

    workers: dict[int, set[int]] = defaultdict(set)  # unit -> case workers
    reviewed_by: dict[int, set[int]] = defaultdict(set)  # manager -> case workers
    unit_reviewers: dict[int, set[int]] = defaultdict(set)  # unit -> managers reviewing its case workers
    unreviewed: dict[int, set[int]] = defaultdict(set)
    for unit_id, staff_id, recorded in roles.filter(role__in=sorted(CASE_WORKER_ROLES)).values_list(
        "unit_id", "staff_id", "staff__manager_id"
    ):
        workers[unit_id].add(staff_id)
        manager = recorded if recorded in names else default_manager(unit_id)
        if manager is None:
            unreviewed[unit_id].add(staff_id)
        elif manager != staff_id:
            reviewed_by[manager].add(staff_id)
            unit_reviewers[unit_id].add(manager)
    limit = organisation.span_of_control_limit
    result = {}
    for unit_id in unit_ids:
        own = managers.get(unit_id, [])
        listed = {m[0] for m in own}
        others = sorted((names[m], m) for m in unit_reviewers.get(unit_id, ()) if m not in listed)
        rows = own + [(m, role_of[m], name) for name, m in others]
        result[unit_id] = SpanOfControl(
            case_workers=len(workers.get(unit_id, ())),
            per_manager=tuple(ManagerSpan(m, name, role, len(reviewed_by.get(m, ())), limit) for m, role, name in rows),
            without_manager=len(unreviewed.get(unit_id, ())),
            limit=limit,
        )
    return result


def span_of_control(*, unit: Unit, on: datetime.date | None = None) -> SpanOfControl:
    return spans_of_control(organisation=unit.organisation, unit_ids=[unit.pk], on=on)[unit.pk]


@dataclass(frozen=True)
class UnitSummary:
    unit: Unit
    headcount: int
    span: SpanOfControl


def organisation_structure(
    *, organisation: Organisation, departments: QuerySet[Department] | None = None
) -> list[tuple[Department, list[UnitSummary]]]:
    """Departments with their units, head count and span of control, in a constant number of queries."""
    on = timezone.localdate()
    departments = departments if departments is not None else Department.objects.filter(organisation=organisation)
    units = list(
        Unit.objects.filter(organisation=organisation, department__in=departments)
        .select_related("department")
        .annotate(
            headcount=Count(
                "staff",
                filter=Q(staff__employment_start__lte=on)
                & (Q(staff__employment_end__isnull=True) | Q(staff__employment_end__gte=on)),
            )
        )
    )
    spans = spans_of_control(organisation=organisation, unit_ids=[u.pk for u in units], on=on)
    by_department: dict[int, list[UnitSummary]] = {}
    for unit in units:
        by_department.setdefault(unit.department_id, []).append(UnitSummary(unit, unit.headcount, spans[unit.pk]))
    return [(d, by_department.get(d.pk, [])) for d in departments.order_by("name")]
