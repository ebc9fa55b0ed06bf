"""A leaver's open cases and who takes each over by default (docs/integrations.md, "Leavers and handover")."""

from __future__ import annotations

from dataclasses import dataclass

from staff.models import CASE_WORKER_ROLES, RoleAssignment, StaffMember
from staff.selectors import active_staff

from ..models import Assignment, Case


@dataclass
class HandoverLine:
    case: Case
    role: str  # the leaver's role in the case: Assignment.Role.MAIN or CO
    main: StaffMember | None
    co: StaffMember | None

    @property
    def default(self) -> StaffMember | None:
        """Who takes the leaver's place when no one is chosen: the co-handler becomes main handler; a leaving
        co-handler is not replaced."""
        return self.co if self.role == Assignment.Role.MAIN else None


def leaver_open_cases(*, member: StaffMember) -> list[HandoverLine]:
    """The open cases the person handles (main or co), each with its current handlers: two queries."""
    assignments = list(
        Assignment.objects.filter(organisation_id=member.organisation_id, staff=member, end__isnull=True)
        .exclude(case__status=Case.Status.CLOSED)
        .select_related("case", "case__unit")
        .order_by("case__number", "pk")
    )
    current: dict[tuple[int, str], StaffMember] = {
        (a.case_id, a.role): a.staff
        for a in Assignment.objects.filter(
            organisation_id=member.organisation_id, case_id__in=[a.case_id for a in assignments], end__isnull=True
        ).select_related("staff")
    }
    return [
        HandoverLine(
            case=a.case,
            role=a.role,
            main=current.get((a.case_id, Assignment.Role.MAIN)),
            co=current.get((a.case_id, Assignment.Role.CO)),
        )
        for a in assignments
    ]


def leaver_open_case_count(*, member: StaffMember) -> int:
    return (
        Assignment.objects.filter(organisation_id=member.organisation_id, staff=member, end__isnull=True)
        .exclude(case__status=Case.Status.CLOSED)
        .values("case_id")
        .distinct()
        .count()
    )


def handover_candidates(*, member: StaffMember, unit_ids) -> dict[int, list[StaffMember]]:
    """Per unit: the social workers and specialists who can take a case over (active, not the leaver): the
    rules of handlers (case_assign) take a case worker of the case's unit, by role there and by home unit."""
    people = (
        active_staff(organisation=member.organisation)
        .filter(
            roles__role__in=sorted(CASE_WORKER_ROLES),
            roles__unit_id__in=list(unit_ids),
        )
        .exclude(pk=member.pk)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    rows = RoleAssignment.objects.filter(
        organisation_id=member.organisation_id,
        staff__in=people,
        unit_id__in=list(unit_ids),
        role__in=sorted(CASE_WORKER_ROLES),
    ).values_list("unit_id", "staff_id")
    by_pk = {p.pk: p for p in people}
    result: dict[int, list[StaffMember]] = {u: [] for u in unit_ids}
    for unit_id, staff_id in sorted(set(rows)):
        person = by_pk.get(staff_id)
        if person is not None and person.unit_id == unit_id and person not in result[unit_id]:
            result[unit_id].append(person)
    for unit_id in result:
        result[unit_id].sort(key=lambda p: (p.last_name, p.first_name, p.pk))
    return result
