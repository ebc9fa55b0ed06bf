"""Staff list filters, the staff page timeline, the overview, navigation and query counts."""

import datetime

import pytest
from django.urls import reverse

from competence.services import placement_start
from staff.models import Absence, GroupMembership, StaffMember
from tests.factories import StaffMemberFactory


def test_staff_list_filters_and_scope(world, ladder, django_assert_max_num_queries):
    client = world.client("alice")
    url = reverse("competence:staff_list")
    # 16, plus setting and resetting the organisation for row-level security on PostgreSQL (staff/platform/rls.py).
    with django_assert_max_num_queries(18):
        html = client.get(url).content.decode()
    assert "Testsson, Bob" in html and "Testsson, Carol" in html
    assert "Testsson, Heidi" not in html  # another unit
    assert "Testsson, Charlie" not in html
    assert "Testsson, Bob" not in client.get(url, {"level": "4"}).content.decode()
    assert "Testsson, Carol" in client.get(url, {"level": "4"}).content.decode()
    assert "Testsson, Bob" in client.get(url, {"q": "bob"}).content.decode()
    # Years of experience: everyone in the world started the profession in 2018.
    assert "Testsson, Bob" not in client.get(url, {"min_years": "20"}).content.decode()
    StaffMember.objects.filter(pk=world.bob.pk).update(employment_type="temporary")
    assert "Testsson, Bob" in client.get(url, {"type": "temporary"}).content.decode()
    assert "Testsson, Carol" not in client.get(url, {"type": "temporary"}).content.decode()
    group = world.unit.groups.get()
    GroupMembership.objects.create(
        organisation=world.org, staff=world.bob, group=group, start=datetime.date(2020, 1, 1)
    )
    html = client.get(url, {"group": group.pk}).content.decode()
    assert "Testsson, Bob" in html and "Testsson, Carol" not in html
    # Department head and org admin see every unit of theirs.
    assert "Testsson, Heidi" in world.client("dave").get(url).content.decode()
    assert "Testsson, Heidi" in world.client("frank").get(url).content.decode()


def _queries(client, url, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm-up: session renewal and the like happen once, not per page view
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_people(world, ladder, count):
    for i in range(count):
        member = StaffMemberFactory(organisation=world.org, unit=world.unit, last_name=f"Extra{i:02d}")
        placement_start(organisation=world.org, staff=member, level=ladder[2], start=datetime.date(2021, 1, 1))


# overview: 30 before issue 16; the renewal decisions due and the open mentor requests (2), and the month's
# supplements reading the frozen months and the FTE periods (2) are fixed look-ups
@pytest.mark.parametrize(("url_name", "budget"), [("competence:staff_list", 16), ("competence:overview", 34)])
def test_list_pages_do_not_grow_with_the_staff(world, ladder, url_name, budget):
    client = world.client("alice")
    url = reverse(url_name)
    before = _queries(client, url, {"sort": "-level"})
    _add_people(world, ladder, 30)
    after = _queries(client, url, {"sort": "-level"})
    assert after == before <= budget
    html = client.get(url).content.decode()
    if url_name == "competence:staff_list":
        assert "Sida 1 av 2" in html
    else:
        assert "Valbara nu" in html and "level-chart-data" in html and "<script>" not in html


def test_staff_page_timeline(world, ladder):
    Absence.objects.create(
        organisation=world.org,
        staff=world.bob,
        kind="sick",
        start=datetime.date(2026, 1, 5),
        end=datetime.date(2026, 1, 9),
    )
    group = world.unit.groups.get()
    GroupMembership.objects.create(
        organisation=world.org, staff=world.bob, group=group, start=datetime.date(2025, 9, 1)
    )
    html = world.client("alice").get(reverse("competence:staff_detail", args=[world.bob.pk])).content.decode()
    assert "Sjukfrånvaro" in html and "Började i Utredning 0–9 år" in html and "På nivå 1. Nyanställd" in html
    carol = world.client("alice").get(reverse("competence:staff_detail", args=[world.carol.pk])).content.decode()
    assert "Specialistförordnande till 2026-12-31" in carol


@pytest.mark.parametrize(
    ("name", "status"),
    [("alice", 200), ("ivan", 200), ("dave", 200), ("frank", 200), ("bob", 403), ("erin", 403), ("grace", 403)],
)
def test_who_sees_the_overview(world, ladder, name, status):
    assert world.client(name).get(reverse("competence:overview")).status_code == status


def test_manager_of_another_unit_cannot_see_the_person(world, ladder):
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(staff=world.grace, organisation=world.org, role="unit_manager", unit=world.intake_unit)
    assert world.client("grace").get(reverse("competence:staff_detail", args=[world.bob.pk])).status_code == 403


def test_navigation(world, ladder):
    alice = world.client("alice").get(reverse("staff:my_page")).content.decode()
    assert "Kompetenstrappa" in alice and "Min kompetenstrappa" not in alice
    bob = world.client("bob").get(reverse("staff:my_page")).content.decode()
    assert "Min kompetenstrappa" in bob
    # The ladder adds links but takes over no one's start page.
    assert world.client("bob").get(reverse("staff:start"))["Location"] != reverse("competence:my_ladder")


def test_my_ladder_shows_level_expectations_and_next_step(world, ladder):
    html = world.client("bob").get(reverse("competence:my_ladder")).content.decode()
    assert "Du är på nivå 1. Nyanställd." in html
    assert "Introduktionsprogram" in html
    assert "Nästa nivå: 2. Efter introduktion" in html and "Personen har ingen introduktionsplan." in html
