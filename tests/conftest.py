"""Named people in two organisations (healthchecks-style alice/bob/charlie, extended to every role).

Organisation "Alfa kommun": department Barn och unga, units Utredning (investigation) and Mottagning (intake).
- alice: unit manager of Utredning          - bob: social worker in Utredning
- carol: specialist in Utredning            - dave: department head of Barn och unga
- erin: HR                                  - frank: organisation admin
- grace: administrator in Mottagning        - heidi: social worker in Mottagning (another unit)
- ivan: assistant manager of Utredning
Organisation "Beta kommun": charlie, unit manager there: the outsider in every test.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from staff.models import Organisation, Role, StaffMember, Unit
from tests.factories import (
    TEST_PASSWORD,
    DepartmentFactory,
    GroupFactory,
    OrganisationFactory,
    RoleAssignmentFactory,
    StaffMemberFactory,
    UnitFactory,
    UserFactory,
)

pytest_plugins = ["tests.celery_support", "tests.idp.saml.fixtures", "tests.idp.oidc.fixtures"]


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    unit: Unit  # Utredning (investigation)
    intake_unit: Unit  # Mottagning
    other_unit: Unit  # Beta kommun's unit
    people: dict[str, StaffMember]

    def __getattr__(self, name: str) -> StaffMember:
        try:
            return self.__dict__["people"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def client(self, name: str) -> Client:
        client = Client()
        client.force_login(self.people[name].user)
        return client


def _person(name: str, home: Unit | None, organisation: Organisation, role: str, **scope) -> StaffMember:
    member = StaffMemberFactory(
        organisation=organisation,
        unit=home,
        user=UserFactory(username=name),
        first_name=name.capitalize(),
        last_name="Testsson",
    )
    RoleAssignmentFactory(staff=member, organisation=organisation, role=role, **scope)
    return member


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: cached figures are keyed by organisation id, and ids repeat
    between tests on SQLite."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def world(db) -> World:
    org = OrganisationFactory(name="Alfa kommun", slug="alfa")
    other_org = OrganisationFactory(name="Beta kommun", slug="beta")
    dept = DepartmentFactory(organisation=org, name="Barn och unga")
    unit = UnitFactory(organisation=org, department=dept, name="Utredning", kind=Unit.Kind.INVESTIGATION)
    intake = UnitFactory(organisation=org, department=dept, name="Mottagning", kind=Unit.Kind.INTAKE)
    GroupFactory(organisation=org, unit=unit, name="Utredning 0–9 år")
    other_dept = DepartmentFactory(organisation=other_org, name="IFO")
    other_unit = UnitFactory(organisation=other_org, department=other_dept, name="Barn och familj")
    GroupFactory(organisation=other_org, unit=other_unit, name="Barngruppen")
    people = {
        "alice": _person("alice", unit, org, Role.UNIT_MANAGER, unit=unit),
        "bob": _person("bob", unit, org, Role.SOCIAL_WORKER, unit=unit),
        "carol": _person("carol", unit, org, Role.SPECIALIST, unit=unit),
        "dave": _person("dave", None, org, Role.DEPARTMENT_HEAD, department=dept),
        "erin": _person("erin", None, org, Role.HR),
        "frank": _person("frank", None, org, Role.ORG_ADMIN),
        "grace": _person("grace", intake, org, Role.ADMINISTRATOR, unit=intake),
        "heidi": _person("heidi", intake, org, Role.SOCIAL_WORKER, unit=intake),
        "ivan": _person("ivan", unit, org, Role.ASSISTANT_MANAGER, unit=unit),
        "charlie": _person("charlie", other_unit, other_org, Role.UNIT_MANAGER, unit=other_unit),
    }
    return World(org=org, other_org=other_org, unit=unit, intake_unit=intake, other_unit=other_unit, people=people)


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD
