"""Reads for organisations, structure and people. Every function is scoped to one organisation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import (
    CASE_WORKER_ROLES,
    MANAGER_ROLES,
    Department,
    EmploymentExtent,
    GroupMembership,
    Organisation,
    RoleAssignment,
    StaffMember,
    Unit,
)
from .tenancy import get_for_org


def unit_get(*, organisation: Organisation, pk) -> Unit:
    return get_for_org(Unit.objects.select_related("department"), organisation=organisation, pk=pk)


def department_get(*, organisation: Organisation, pk) -> Department:
    return get_for_org(Department, organisation=organisation, pk=pk)


def staff_get(*, organisation: Organisation, pk) -> StaffMember:
    return get_for_org(StaffMember.objects.select_related("unit", "user"), organisation=organisation, pk=pk)


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
class SpanOfControl:
    case_workers: int
    managers: int
    limit: int

    @property
    def per_manager(self) -> float | None:
        return self.case_workers / self.managers if self.managers else None

    @property
    def exceeded(self) -> bool:
        return (
            self.managers == 0
            and self.case_workers > 0
            or (self.per_manager is not None and self.per_manager > self.limit)
        )


def _count_roles(organisation: Organisation, unit_ids, on: datetime.date):
    active = Q(staff__employment_start__lte=on) & (
        Q(staff__employment_end__isnull=True) | Q(staff__employment_end__gte=on)
    )
    rows = (
        RoleAssignment.objects.filter(organisation=organisation, unit_id__in=unit_ids)
        .filter(active)
        .values("unit_id")
        .annotate(
            case_workers=Count("staff", filter=Q(role__in=CASE_WORKER_ROLES), distinct=True),
            managers=Count("staff", filter=Q(role__in=MANAGER_ROLES), distinct=True),
        )
    )
    return {r["unit_id"]: (r["case_workers"], r["managers"]) for r in rows}


def span_of_control(*, unit: Unit, on: datetime.date | None = None) -> SpanOfControl:
    on = on or timezone.localdate()
    workers, managers = _count_roles(unit.organisation, [unit.pk], on).get(unit.pk, (0, 0))
    return SpanOfControl(workers, managers, unit.organisation.span_of_control_limit)


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
    counts = _count_roles(organisation, [u.pk for u in units], on)
    limit = organisation.span_of_control_limit
    by_department: dict[int, list[UnitSummary]] = {}
    for unit in units:
        workers, managers = counts.get(unit.pk, (0, 0))
        by_department.setdefault(unit.department_id, []).append(
            UnitSummary(unit, unit.headcount, SpanOfControl(workers, managers, limit))
        )
    return [(d, by_department.get(d.pk, [])) for d in departments.order_by("name")]
