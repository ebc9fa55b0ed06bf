"""The monthly review: unusual access flagged for the unit's managers, marked as reviewed with a comment."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from staff.platform.audit.models import AccessLogEntry, AccessLogSettings, AccessReview
from tests.staff.access_log_factories import log_row

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2026, 3, 20, 12, 0, tzinfo=TZ)
URL = reverse("staff:access_review")


def at(day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


def _flags(response) -> list:
    return list(response.context["page"])


def test_case_outside_the_readers_unit_is_flagged_for_both_units_managers(world, travel):
    # heidi works in Mottagning and opens a case of Utredning; bob opens one of his own unit's cases.
    log_row(world, "heidi", kind="case", object_id=501, unit=world.unit, at=at(3))
    log_row(world, "heidi", kind="case", object_id=501, unit=world.unit, at=at(4))
    log_row(world, "bob", kind="case", object_id=502, unit=world.unit, at=at(3))
    response = world.client("alice").get(URL, {"month": "2026-03"})
    assert response.status_code == 200
    [flag] = _flags(response)
    assert (flag.flag, flag.actor.pk, flag.object_id, flag.count) == ("outside_unit", world.heidi.pk, 501, 2)
    page = response.content.decode()
    assert "Ärende utanför läsarens enhet" in page and "Heidi Testsson" in page
    # the organisation admin sees it too; the department head does not review, a social worker may not
    assert [f.key for f in _flags(world.client("frank").get(URL, {"month": "2026-03"}))] == [flag.key]
    assert world.client("bob").get(URL).status_code == 403
    assert world.client("dave").get(URL).status_code == 403


def test_many_cases_in_a_short_time_uses_the_organisations_thresholds(world, travel):
    AccessLogSettings.objects.create(organisation=world.org, burst_cases=5, burst_minutes=10)
    for n in range(5):
        log_row(world, "bob", kind="case", object_id=600 + n, unit=world.unit, at=at(5, 9, 2 * n))
    for n in range(5):  # the same number spread over hours is no burst
        log_row(world, "carol", kind="case", object_id=700 + n, unit=world.unit, at=at(5, 9 + n))
    [flag] = _flags(world.client("alice").get(URL, {"month": "2026-03"}))
    assert (flag.flag, flag.actor.pk, flag.count) == ("many_cases", world.bob.pk, 5)
    AccessLogSettings.objects.filter(organisation=world.org).update(burst_cases=6)
    assert _flags(world.client("alice").get(URL, {"month": "2026-03"})) == []


def test_case_numbers_listed_on_a_list_page_are_no_burst_but_still_outside_the_unit(world, travel):
    """A dashboard, a board, a notification or an e-mail lists many case numbers at once (all logged, so
    "who read case X" finds them): that is not opening many cases; a case outside the reader's unit is still."""
    AccessLogSettings.objects.create(organisation=world.org, burst_cases=5, burst_minutes=10)
    for n, url_name in enumerate(["caseload:unit_dashboard", "caseload:board", "staff:notification_email"] * 2):
        log_row(world, "alice", kind="case", object_id=800 + n, unit=world.unit, at=at(5, 9, n), url_name=url_name)
    log_row(world, "heidi", kind="case", object_id=900, unit=world.unit, at=at(5, 9), url_name="caseload:board")
    flags = _flags(world.client("alice").get(URL, {"month": "2026-03"}))
    assert [(f.flag, f.actor.pk, f.object_id) for f in flags] == [("outside_unit", world.heidi.pk, 900)]
    for n in range(5):  # five case pages opened within the window: the burst
        log_row(world, "alice", kind="case", object_id=800 + n, unit=world.unit, at=at(5, 10, n))
    flags = _flags(world.client("alice").get(URL, {"month": "2026-03"}))
    assert ("many_cases", world.alice.pk) in {(f.flag, f.actor.pk) for f in flags}


def test_a_colleagues_staff_record_is_flagged_unless_the_readers_role_covers_it(world, travel):
    log_row(world, "bob", kind="staff", object_id=world.carol.pk, unit=world.unit, at=at(6))  # a colleague
    log_row(world, "bob", kind="staff", object_id=world.bob.pk, unit=world.unit, at=at(6))  # his own
    log_row(world, "alice", kind="staff", object_id=world.bob.pk, unit=world.unit, at=at(6))  # his manager
    log_row(world, "erin", kind="staff", object_id=world.bob.pk, unit=world.unit, at=at(6))  # HR
    [flag] = _flags(world.client("alice").get(URL, {"month": "2026-03"}))
    assert (flag.flag, flag.actor.pk, flag.object_id) == ("colleague", world.bob.pk, world.carol.pk)


def test_a_manager_sees_only_flags_of_their_units_readers_and_objects(world, travel):
    # heidi (Mottagning) reads a Mottagning case: no flag; grace's unit has no manager role for alice.
    log_row(world, "heidi", kind="case", object_id=801, unit=world.intake_unit, at=at(7))
    log_row(world, "grace", kind="staff", object_id=world.heidi.pk, unit=world.intake_unit, at=at(7))
    assert _flags(world.client("alice").get(URL, {"month": "2026-03"})) == []
    assert world.client("charlie").get(URL, {"month": "2026-03"}).context["page"].paginator.count == 0


def test_marking_a_flag_reviewed_stores_who_when_and_the_comment_and_leaves_the_log_alone(world, travel):
    row = log_row(world, "heidi", kind="case", object_id=501, unit=world.unit, at=at(3))
    client = world.client("alice")
    [flag] = _flags(client.get(URL, {"month": "2026-03"}))
    response = client.post(URL, {"month": "2026-03", "key": flag.key, "comment": "Vikarierade i Utredning"})
    assert response.status_code == 302
    review = AccessReview.objects.get()
    assert (review.organisation, review.reviewed_by, review.comment) == (
        world.org,
        world.alice,
        "Vikarierade i Utredning",
    )
    assert (review.flag, review.month, review.reviewed_at) == ("outside_unit", datetime.date(2026, 3, 1), NOW)
    assert AccessLogEntry.objects.get(pk=row.pk).at == row.at
    page = client.get(URL, {"month": "2026-03"}, follow=True)
    assert _flags(page) == []  # not reviewed: nothing left
    assert "Inget kvar att granska den här månaden." in page.content.decode()
    everything = client.get(URL, {"month": "2026-03", "show": "all"}).content.decode()
    assert "Granskad" in everything and "Vikarierade i Utredning" in everything and "Alice Testsson" in everything


def test_an_empty_comment_is_refused_at_the_field_and_nothing_is_saved(world, travel):
    log_row(world, "heidi", kind="case", object_id=501, unit=world.unit, at=at(3))
    client = world.client("alice")
    [flag] = _flags(client.get(URL, {"month": "2026-03"}))
    response = client.post(URL, {"month": "2026-03", "key": flag.key, "comment": "  "})
    assert response.status_code == 400
    assert "Det här fältet är obligatoriskt." in response.content.decode()
    assert not AccessReview.objects.exists()


def test_a_flag_outside_the_reviewers_units_cannot_be_marked(world, travel):
    log_row(world, "heidi", kind="staff", object_id=world.grace.pk, unit=world.intake_unit, at=at(7))
    [flag] = _flags(world.client("frank").get(URL, {"month": "2026-03"}))
    response = world.client("alice").post(URL, {"month": "2026-03", "key": flag.key, "comment": "ok"})
    assert response.status_code == 403
    response = world.client("charlie").post(URL, {"month": "2026-03", "key": flag.key, "comment": "ok"})
    assert response.status_code == 403
    assert not AccessReview.objects.exists()


def test_reading_the_review_is_itself_logged(world, travel):
    world.client("alice").get(URL, {"month": "2026-03"})
    row = AccessLogEntry.objects.get(url_name="staff:access_review")
    assert (row.actor, row.kind, row.channel, row.status) == (world.alice, "access_log", "page", 200)


def test_the_review_page_sorts_paginates_and_keeps_its_query_count(world, travel, django_assert_max_num_queries):
    for n in range(30):
        log_row(world, "heidi", kind="case", object_id=900 + n, unit=world.unit, at=at(3, 8, n))
    client = world.client("alice")
    client.get(URL)  # warm the session and settings
    # includes setting and resetting the organisation on PostgreSQL (row-level security)
    with django_assert_max_num_queries(18):
        response = client.get(URL, {"month": "2026-03", "sort": "-when"})
    flags = _flags(response)
    # 30 cases outside heidi's unit, and 30 cases within an hour: 31 flags
    assert len(flags) == 25 and response.context["page"].paginator.count == 31
    assert [f.first_at for f in flags] == sorted((f.first_at for f in flags), reverse=True)
    assert flags[0].object_id == 929
    second = _flags(client.get(URL, {"month": "2026-03", "sort": "-when", "page": 2}))
    assert len(second) == 6


def test_the_settings_are_edited_by_org_admins_with_clear_errors(world):
    client = world.client("frank")
    url = reverse("staff:access_log_settings")
    response = client.post(url, {"burst_cases": "1", "burst_minutes": "30", "export_max_months": "6"})
    assert response.status_code == 400
    assert "Kontrollera att detta värde är större än eller lika med 2." in response.content.decode()
    assert AccessLogSettings.for_org(world.org).burst_cases == 20
    response = client.post(url, {"burst_cases": "8", "burst_minutes": "30", "export_max_months": "6"})
    assert response.status_code == 302
    saved = AccessLogSettings.for_org(world.org)
    assert (saved.burst_cases, saved.burst_minutes, saved.export_max_months) == (8, 30, 6)
    assert world.client("alice").get(url).status_code == 403


def test_managers_find_the_review_in_the_navigation_and_org_admins_on_the_administration_page(world):
    assert f'href="{URL}"' in world.client("alice").get(reverse("staff:my_page")).content.decode()
    assert f'href="{URL}"' not in world.client("bob").get(reverse("staff:my_page")).content.decode()
    assert f'href="{URL}"' in world.client("frank").get(reverse("staff:admin_staff_list")).content.decode()
