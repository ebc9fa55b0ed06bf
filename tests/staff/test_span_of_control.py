"""The span of control is flagged per manager, not as the unit's average (issue 16; docs/domain.md section 1).

A manager should case-review at most the organisation's limit (default 12, Vision measure 84): at the limit
is within it, one more is over. Vision's 8–10 per first-line manager is shown as guidance. A case worker's
manager is the one recorded on the person; without one, the unit's only unit manager.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from staff.models import Role, StaffMember
from staff.selectors import span_of_control, spans_of_control
from staff.services import staff_member_update
from tests.factories import DepartmentFactory, RoleAssignmentFactory, StaffMemberFactory, UnitFactory

LIMIT = 3


def _workers(world, n: int, *, manager=None, unit=None) -> list[StaffMember]:
    unit = unit or world.unit
    people = []
    for _ in range(n):
        member = StaffMemberFactory(organisation=world.org, unit=unit, manager=manager)
        RoleAssignmentFactory(staff=member, organisation=world.org, role=Role.SOCIAL_WORKER, unit=unit)
        people.append(member)
    return people


@pytest.fixture
def at_limit_and_over(world):
    """Limit 3. alice (unit manager): bob, carol and one more with no manager recorded = 3, at the limit.
    ivan (assistant manager): four recorded = 4, one over. The unit's average, 7 / 2 = 3.5, hides who."""
    world.org.span_of_control_limit = LIMIT
    world.org.save()
    _workers(world, 1)
    _workers(world, LIMIT + 1, manager=world.ivan)
    return world


def _by_name(span):
    return {m.name: m for m in span.per_manager}


def test_each_manager_is_flagged_over_the_limit_and_not_at_it(at_limit_and_over):
    world = at_limit_and_over
    span = span_of_control(unit=world.unit)
    managers = _by_name(span)
    alice, ivan = managers["Alice Testsson"], managers["Ivan Testsson"]
    assert (alice.direct_reports, alice.exceeded) == (LIMIT, False)
    assert (ivan.direct_reports, ivan.exceeded) == (LIMIT + 1, True)
    assert [m.name for m in span.over_limit] == ["Ivan Testsson"]
    assert (span.case_workers, span.without_manager, span.exceeded) == (7, 0, True)


def test_a_manager_over_the_limit_is_flagged_even_when_the_average_is_within_it(world):
    """alice 2 (bob, carol), ivan 4: the average 3 is at the limit, ivan is not."""
    world.org.span_of_control_limit = LIMIT
    world.org.save()
    _workers(world, LIMIT + 1, manager=world.ivan)
    span = span_of_control(unit=world.unit)
    assert [(m.name, m.direct_reports, m.exceeded) for m in span.per_manager] == [
        ("Alice Testsson", 2, False),
        ("Ivan Testsson", LIMIT + 1, True),
    ]
    html = world.client("alice").get(reverse("staff:unit_detail", args=[world.unit.pk])).content.decode()
    assert "Ivan Testsson (biträdande enhetschef):" in html
    assert "4 handläggare – över gränsen 3" in html
    assert "Alice Testsson (enhetschef):" in html and '<span class="badge text-bg-success">2 handläggare</span>' in html


def test_the_unit_page_shows_the_limit_and_visions_guidance(at_limit_and_over):
    world = at_limit_and_over
    html = world.client("alice").get(reverse("staff:unit_detail", args=[world.unit.pk])).content.decode()
    assert "Organisationens gräns är 3 per chef" in html
    assert "som riktmärke rekommenderar Vision 8–10 per första linjens chef" in html


def test_the_organisation_overview_flags_the_manager_for_hr(at_limit_and_over, django_assert_max_num_queries):
    world = at_limit_and_over
    client = world.client("erin")
    client.get(reverse("staff:organisation_overview"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("staff:organisation_overview"))
    for n in range(5):  # more units, each with a manager and workers: the same number of queries
        unit = UnitFactory(organisation=world.org, department=world.unit.department, name=f"Extra {n}")
        boss = StaffMemberFactory(organisation=world.org, unit=unit)
        RoleAssignmentFactory(staff=boss, organisation=world.org, role=Role.UNIT_MANAGER, unit=unit)
        _workers(world, 2, unit=unit)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("staff:organisation_overview")).content.decode()
    assert "4 handläggare – över gränsen 3" in html and "Vision" in html


def test_without_a_recorded_manager_the_only_unit_manager_reviews(world):
    span = span_of_control(unit=world.unit)
    assert [(m.name, m.direct_reports) for m in span.per_manager] == [("Alice Testsson", 2), ("Ivan Testsson", 0)]


def test_with_two_unit_managers_and_none_recorded_the_workers_have_no_manager(world):
    RoleAssignmentFactory(staff=world.ivan, organisation=world.org, role=Role.UNIT_MANAGER, unit=world.unit)
    span = span_of_control(unit=world.unit)
    assert span.without_manager == 2 and span.exceeded
    html = world.client("alice").get(reverse("staff:unit_detail", args=[world.unit.pk])).content.decode()
    assert "2 handläggare utan chef" in html


def test_a_recorded_manager_who_has_left_falls_back_to_the_unit_manager(world):
    world.ivan.employment_end = datetime.date(2020, 6, 30)
    world.ivan.save()
    _workers(world, 2, manager=world.ivan)
    span = span_of_control(unit=world.unit)
    assert [(m.name, m.direct_reports) for m in span.per_manager] == [("Alice Testsson", 4)]


def test_direct_reports_in_another_unit_count_for_the_manager(world):
    """The span is the person's: ivan reviews two in Mottagning as well, and is shown there too."""
    _workers(world, 2, manager=world.ivan)
    _workers(world, 2, manager=world.ivan, unit=world.intake_unit)
    spans = spans_of_control(organisation=world.org, unit_ids=[world.unit.pk, world.intake_unit.pk])
    assert _by_name(spans[world.unit.pk])["Ivan Testsson"].direct_reports == 4
    assert _by_name(spans[world.intake_unit.pk])["Ivan Testsson"].direct_reports == 4


def test_the_manager_must_hold_a_manager_role(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        staff_member_update(member=world.bob, manager=world.carol)
    assert "Välj en enhetschef eller en biträdande enhetschef." in refused.value.message_dict["manager"]
    with pytest.raises(ValidationError):
        staff_member_update(member=world.ivan, manager=world.ivan)
    world.bob.refresh_from_db()
    assert world.bob.manager is None
    staff_member_update(member=world.bob, manager=world.ivan)
    assert StaffMember.objects.get(pk=world.bob.pk).manager == world.ivan


def test_the_staff_form_offers_only_managers_of_the_organisation(world):
    client = world.client("frank")
    url = reverse("staff:admin_staff_edit", args=[world.bob.pk])
    form = client.get(url).content.decode()
    assert 'name="manager"' in form and "Ivan Testsson" in form and "Charlie" not in form
    data = {
        "first_name": "Bob",
        "last_name": "Testsson",
        "unit": world.unit.pk,
        "employment_start": "2020-01-01",
        "fte": "1.00",
        "employment_type": "permanent",
    }
    refused = client.post(url, {**data, "manager": world.charlie.pk})
    assert refused.status_code == 200 and "Välj ett giltigt alternativ" in refused.content.decode()
    assert client.post(url, {**data, "manager": world.ivan.pk}).status_code == 302
    assert StaffMember.objects.get(pk=world.bob.pk).manager == world.ivan


def _api(world, who):
    return world.client(who).get(reverse("surveys_api:span_of_control"))


def test_the_hr_api_gives_the_span_per_manager(at_limit_and_over):
    world = at_limit_and_over
    data = _api(world, "erin").json()
    assert data["limit"] == LIMIT and data["managers_over_limit"] == 1
    assert "8–10" in data["guidance"]
    units = {u["name"]: u for u in data["units"]}
    span = units["Utredning"]["span_of_control"]
    assert (span["case_workers"], span["managers"], span["without_manager"], span["exceeded"]) == (7, 2, 0, True)
    assert [(m["name"], m["role"], m["direct_reports"], m["exceeded"]) for m in span["per_manager"]] == [
        ("Alice Testsson", "unit_manager", LIMIT, False),
        ("Ivan Testsson", "assistant_manager", LIMIT + 1, True),
    ]
    assert "Barn och familj" not in units  # Beta kommun's unit


def test_the_hr_api_shows_a_department_head_only_their_departments_and_refuses_workers(at_limit_and_over):
    world = at_limit_and_over
    assert {u["name"] for u in _api(world, "dave").json()["units"]} == {"Utredning", "Mottagning"}
    other = UnitFactory(department=DepartmentFactory(organisation=world.org), name="Vuxen")  # another department
    assert other.name not in {u["name"] for u in _api(world, "dave").json()["units"]}
    assert other.name in {u["name"] for u in _api(world, "erin").json()["units"]}
    assert _api(world, "bob").status_code == 403
    assert _api(world, "charlie").status_code == 403  # a unit manager, of Beta kommun


def test_the_unit_dashboard_flags_the_unit_when_one_manager_is_over(world):
    """The caseload dashboard keeps its counts (its card is the load helpers'); the flag is per manager."""
    world.org.span_of_control_limit = LIMIT
    world.org.save()
    _workers(world, LIMIT + 1, manager=world.ivan)  # the average, 6 / 2, is at the limit: ivan, 4, is over
    data = world.client("alice").get(reverse("caseload_api:unit_overview", args=[world.unit.pk])).json()
    assert data["span_of_control"] == {"case_workers": 6, "managers": 2, "limit": LIMIT}
    html = world.client("alice").get(reverse("caseload:unit_dashboard", args=[world.unit.pk])).content.decode()
    assert 'text-danger fw-bold">6 medarbetare, 2 chefer' in html
