"""Helpers for caseload tests: ladder levels, cases with investigations and handlers, all in one organisation."""

from __future__ import annotations

import datetime

from caseload import rules
from caseload.models import Assignment, Case, CaseloadSettings, Investigation
from competence.models import LadderLevel, LevelPlacement
from staff.models import Role, StaffMember, Unit
from tests.factories import RoleAssignmentFactory, StaffMemberFactory, UserFactory


def levels(org) -> dict[int, LadderLevel]:
    existing = {lv.number: lv for lv in LadderLevel.objects.filter(organisation=org)}
    for number in (1, 2, 3, 4):
        if number not in existing:
            existing[number] = LadderLevel.objects.create(
                organisation=org, number=number, name=f"Nivå {number}", is_specialist=number == 4
            )
    return existing


def place(person: StaffMember, number: int, start=datetime.date(2020, 1, 1)) -> None:
    LevelPlacement.objects.filter(staff=person, end__isnull=True).delete()
    LevelPlacement.objects.create(
        organisation=person.organisation, staff=person, level=levels(person.organisation)[number], start=start
    )


def worker(unit: Unit, name: str, level: int = 2, role: str = Role.SOCIAL_WORKER) -> StaffMember:
    person = StaffMemberFactory(
        organisation=unit.organisation, unit=unit, user=UserFactory(username=name), first_name=name.capitalize()
    )
    RoleAssignmentFactory(staff=person, organisation=unit.organisation, role=role, unit=unit)
    place(person, level)
    return person


def case(
    unit: Unit,
    number: str,
    *,
    main: StaffMember | None = None,
    co: StaffMember | None = None,
    start: datetime.date | None = None,
    weight: int = 1,
    closed_on: datetime.date | None = None,
) -> Case:
    """A case (opened a week before `start`) with an investigation from `start` and its handlers."""
    org = unit.organisation
    settings = CaseloadSettings.for_org(org)
    start = start or datetime.date(2024, 1, 10)
    c = Case.objects.create(
        organisation=org,
        number=number,
        unit=unit,
        weight=weight,
        opened_on=start - datetime.timedelta(days=7),
        status=Case.Status.CLOSED if closed_on else (Case.Status.OPEN if main else Case.Status.AWAITING_ALLOCATION),
        closed_on=closed_on,
    )
    Investigation.objects.create(
        organisation=org,
        case=c,
        unit=c.unit,
        start_date=start,
        target_date=rules.target_date(start, settings),
        legal_deadline=rules.legal_deadline(start, settings),
        closed_on=closed_on,
        outcome="intervention" if closed_on else "",
        closed_by_handler=main if closed_on else None,
    )
    for role, person in (("main", main), ("co", co)):
        if person:
            Assignment.objects.create(organisation=org, case=c, staff=person, role=role, start=start, end=closed_on)
    return c
