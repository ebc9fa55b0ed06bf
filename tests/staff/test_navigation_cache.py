"""Issue 21: the navigation is built once per role set, organisation and language, and reused; a role taken
away, another organisation or another language is another key, so the very next page shows the change."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from staff.models import Role, RoleAssignment
from staff.navigation import _items_for
from tests.factories import RoleAssignmentFactory, StaffMemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_navigation():
    _items_for.cache_clear()
    yield
    _items_for.cache_clear()


def _nav(client) -> list[str]:
    html = client.get(reverse("staff:my_page")).content.decode()
    nav = html.split('id="main-nav"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', nav)


def _client_of(organisation, name, role, **scope) -> Client:
    person = StaffMemberFactory(organisation=organisation, unit=scope.get("unit"), user=UserFactory(username=name))
    RoleAssignmentFactory(staff=person, organisation=organisation, role=role, **scope)
    client = Client()
    client.force_login(person.user)
    return client


def test_one_role_set_is_built_once(world):
    bob, bea = world.client("bob"), _client_of(world.org, "bea", Role.SOCIAL_WORKER, unit=world.unit)
    first = _nav(bob)
    assert _nav(bob) == first and _nav(bea) == first  # bea holds the same role in the same unit
    assert _items_for.cache_info().misses == 1
    assert (reverse("staff:my_page"), "Min sida") in first


def test_a_role_taken_away_is_gone_on_the_next_page(world):
    client = world.client("alice")
    unit_link = reverse("staff:unit_detail", args=[world.unit.pk])
    assert unit_link in dict(_nav(client))
    RoleAssignment.objects.filter(staff=world.alice, role=Role.UNIT_MANAGER).update(role=Role.SOCIAL_WORKER)
    after = dict(_nav(client))
    assert unit_link not in after
    assert reverse("caseload:my_caseload") in after  # and the new role's links are there at once


def test_a_role_in_another_unit_points_there(world):
    client = world.client("alice")
    RoleAssignment.objects.filter(staff=world.alice, role=Role.UNIT_MANAGER).update(unit=world.intake_unit)
    links = dict(_nav(client))
    assert reverse("staff:unit_detail", args=[world.intake_unit.pk]) in links
    assert reverse("staff:unit_detail", args=[world.unit.pk]) not in links


def test_each_organisation_and_language_has_its_own(world):
    erin, bert = world.client("erin"), _client_of(world.other_org, "bert", Role.HR)
    _nav(erin)
    _nav(bert)
    assert _items_for.cache_info().misses == 2  # the same role set in two organisations: two entries
    erin.post(reverse("set_language"), {"language": "en", "next": "/me/"})
    assert (reverse("staff:my_page"), "My page") in _nav(erin)
    assert (reverse("staff:my_page"), "Min sida") in _nav(bert)
    assert _items_for.cache_info().misses == 3
