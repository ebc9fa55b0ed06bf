import datetime

import pytest

from staff.models import Role
from surveys.tertials import STOCKHOLM
from tests.factories import RoleAssignmentFactory, StaffMemberFactory, UnitFactory


def at(*args) -> datetime.datetime:
    """An aware Stockholm time: at(2026, 12, 1, 8, 5)."""
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


def add_workers(unit, count: int, *, prefix: str = "w", role=Role.SOCIAL_WORKER, email_domain="alfa.example"):
    people = []
    for i in range(count):
        member = StaffMemberFactory(
            organisation=unit.organisation,
            unit=unit,
            email=f"{prefix}{i}@{email_domain}",
            first_name=f"{prefix.capitalize()}{i}",
        )
        RoleAssignmentFactory(staff=member, organisation=unit.organisation, role=role, unit=unit)
        people.append(member)
    return people


@pytest.fixture
def department_of_three(world):
    """Barn och unga gets a third unit, Placering, with three workers (too few to show)."""
    placement = UnitFactory(organisation=world.org, department=world.unit.department, name="Placering")
    return placement


@pytest.fixture
def emails(world):
    for name in ("bob", "carol", "heidi"):
        member = world.people[name]
        member.email = f"{name}@alfa.example"
        member.save()
    return world
