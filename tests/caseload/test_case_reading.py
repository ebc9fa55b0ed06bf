"""Issue 15, finding 6: a social worker reads their own cases; a colleague's case only under a stated,
logged purpose (the specialist's case supervision for their group, a handover). docs/caseload.md."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from caseload.models import CaseEvent
from staff.models import Absence, Group, GroupMembership
from staff.platform.audit.models import AccessLogEntry
from tests.caseload.factories import case, worker

TODAY = datetime.date(2024, 6, 14)
travel = time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)


@pytest.fixture
def office(ladder):
    """dora's case D-1 (main dora, co nobody); bob's own case B-1; carol the specialist."""
    w = ladder
    w.people["dora"] = worker(w.unit, "dora", level=3)
    w.dora_case = case(w.unit, "D-1", main=w.dora, start=datetime.date(2024, 5, 1))
    w.bob_case = case(w.unit, "B-1", main=w.bob, co=w.dora, start=datetime.date(2024, 5, 1))
    return w


def _detail(w, who, c, **params):
    return w.client(who).get(reverse("caseload:case_detail", args=[c.pk]), params)


def _group(w, *people, start=datetime.date(2024, 1, 1), end=None):
    group = Group.objects.get(organisation=w.org, unit=w.unit)
    for person in people:
        GroupMembership.objects.create(organisation=w.org, staff=person, group=group, start=start, end=end)


@travel
def test_a_worker_cannot_read_a_colleagues_case(office):
    w = office
    response = _detail(w, "bob", w.dora_case)
    assert response.status_code == 403
    assert "D-1" not in response.content.decode()  # not even its number
    for name in ("investigation_close", "investigation_extend"):
        assert w.client("bob").get(reverse(f"caseload:{name}", args=[w.dora_case.pk])).status_code == 403
    row = AccessLogEntry.objects.get(url_name="caseload:case_detail", actor=w.bob)
    assert (row.status, row.object_id, row.purpose) == (403, w.dora_case.pk, "")


@travel
def test_a_worker_reads_cases_they_handle_as_main_or_co(office):
    w = office
    assert _detail(w, "bob", w.bob_case).status_code == 200  # main
    assert _detail(w, "dora", w.bob_case).status_code == 200  # co
    assert _detail(w, "dora", w.dora_case).status_code == 200


@travel
def test_a_former_handler_no_longer_reads_the_case(office):
    w = office
    c = case(w.unit, "F-1", main=w.dora, start=datetime.date(2024, 5, 1))
    c.assignments.update(end=datetime.date(2024, 6, 1))
    c.assignments.create(organisation=w.org, staff=w.carol, role="main", start=datetime.date(2024, 6, 2))
    assert _detail(w, "dora", c).status_code == 403


@travel
@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("ivan", 200), ("dave", 200), ("frank", 200), ("erin", 403)]
)
def test_managers_and_the_department_head_keep_reading_every_case(office, who, status):
    assert _detail(office, who, office.dora_case).status_code == status


@travel
def test_a_colleagues_case_stays_refused_in_the_unit_api_and_csv(office):
    w = office
    client = w.client("bob")
    assert client.get(reverse("caseload_api:unit_overview", args=[w.unit.pk])).status_code == 403
    assert client.get(reverse("caseload:unit_load_csv", args=[w.unit.pk])).status_code == 403
    mine = client.get(reverse("caseload_api:my_caseload")).json()
    assert [r["number"] for r in mine["cases"]] == ["B-1"]


@travel
def test_the_specialist_reads_a_case_of_their_group_under_the_supervision_purpose(office):
    w = office
    _group(w, w.carol, w.dora)
    refused = _detail(w, "carol", w.dora_case)
    assert refused.status_code == 403
    html = refused.content.decode()
    assert 'value="supervision"' in html and "D-1" not in html  # the purpose is asked for; no number shown
    shown = _detail(w, "carol", w.dora_case, purpose="supervision")
    assert shown.status_code == 200 and "D-1" in shown.content.decode()
    row = AccessLogEntry.objects.get(url_name="caseload:case_detail", actor=w.carol, status=200)
    assert (row.kind, row.object_id, row.unit_id, row.purpose) == ("case", w.dora_case.pk, w.unit.pk, "supervision")
    # A purpose the reader does not have (no handover: dora is neither away nor leaving) is refused.
    assert _detail(w, "carol", w.dora_case, purpose="handover").status_code == 403


@travel
@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        (datetime.date(2024, 1, 1), None, 200),
        (datetime.date(2024, 1, 1), TODAY, 200),  # membership ends today: still the group
        (datetime.date(2024, 1, 1), TODAY - datetime.timedelta(days=1), 403),  # ended yesterday
        (TODAY, None, 200),
        (TODAY + datetime.timedelta(days=1), None, 403),  # starts tomorrow
    ],
)
def test_supervision_needs_a_current_shared_group(office, start, end, status):
    w = office
    _group(w, w.dora)
    _group(w, w.carol, start=start, end=end)
    assert _detail(w, "carol", w.dora_case, purpose="supervision").status_code == status


@travel
def test_supervision_is_the_specialists_only(office):
    w = office
    _group(w, w.bob, w.dora)
    response = _detail(w, "bob", w.dora_case, purpose="supervision")
    assert response.status_code == 403
    assert not AccessLogEntry.objects.filter(actor=w.bob, status=200).exists()


@travel
@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        (TODAY - datetime.timedelta(days=3), TODAY - datetime.timedelta(days=1), 403),  # back yesterday
        (TODAY - datetime.timedelta(days=3), TODAY, 200),  # away until today
        (TODAY, TODAY + datetime.timedelta(days=9), 200),  # away from today
        (TODAY + datetime.timedelta(days=1), TODAY + datetime.timedelta(days=9), 403),  # away from tomorrow
    ],
)
def test_a_handover_while_the_handler_is_away(office, start, end, status):
    w = office
    Absence.objects.create(organisation=w.org, staff=w.dora, kind="sick", start=start, end=end)
    assert _detail(w, "bob", w.dora_case).status_code == 403  # never without the purpose
    response = _detail(w, "bob", w.dora_case, purpose="handover")
    assert response.status_code == status
    if status == 200:
        row = AccessLogEntry.objects.get(url_name="caseload:case_detail", actor=w.bob, status=200)
        assert (row.object_id, row.purpose) == (w.dora_case.pk, "handover")


@travel
@pytest.mark.parametrize(
    ("days_left", "status"),
    [
        (15, 403),  # the day before the window opens (default 14 days)
        (14, 200),  # the window's first day
        (13, 200),
        (0, 200),  # the last day of employment
        (-30, 200),  # left a month ago, the case still theirs
        (2000, 403),  # an end date years away opens nothing
    ],
)
def test_a_handover_from_a_leaving_main_handler_opens_within_the_window(office, days_left, status):
    w = office
    type(w.dora).objects.filter(pk=w.dora.pk).update(
        employment_start=datetime.date(2020, 1, 1), employment_end=TODAY + datetime.timedelta(days=days_left)
    )
    assert _detail(w, "bob", w.dora_case, purpose="handover").status_code == status
    assert _detail(w, "heidi", w.dora_case, purpose="handover").status_code == 403  # not of the case's unit


@travel
@pytest.mark.parametrize(("window", "status"), [(29, 403), (30, 200)])
def test_the_handover_window_is_the_organisations_setting(office, window, status):
    from caseload.models import CaseloadSettings

    w = office
    CaseloadSettings.objects.filter(organisation=w.org).update(handover_window_days=window)
    type(w.dora).objects.filter(pk=w.dora.pk).update(employment_end=TODAY + datetime.timedelta(days=30))
    assert _detail(w, "bob", w.dora_case, purpose="handover").status_code == status


@travel
def test_a_leaving_co_handler_opens_no_handover(office):
    w = office
    c = case(w.unit, "E-1", main=w.carol, co=w.dora, start=datetime.date(2024, 5, 1))
    type(w.dora).objects.filter(pk=w.dora.pk).update(employment_end=TODAY)
    assert _detail(w, "bob", c, purpose="handover").status_code == 403


@travel
@pytest.mark.parametrize(("extent", "status"), [(1, 403), (49, 403), (50, 200), (51, 200), (100, 200)])
def test_a_handover_needs_the_main_handler_away_at_half_time_or_more(office, extent, status):
    w = office
    Absence.objects.create(organisation=w.org, staff=w.dora, kind="sick", start=TODAY, end=TODAY, extent=extent)
    assert _detail(w, "bob", w.dora_case, purpose="handover").status_code == status


@travel
@pytest.mark.parametrize(("second", "status"), [(19, 403), (20, 200), (21, 200)])
def test_two_partial_absences_on_the_day_count_together(office, second, status):
    """30 % parental leave and a partial sick leave the same day: away at half time or more by their sum."""
    w = office
    Absence.objects.create(organisation=w.org, staff=w.dora, kind="parental", start=TODAY, end=TODAY, extent=30)
    Absence.objects.create(organisation=w.org, staff=w.dora, kind="sick", start=TODAY, end=TODAY, extent=second)
    assert _detail(w, "bob", w.dora_case, purpose="handover").status_code == status


@travel
def test_an_absent_co_handler_opens_no_handover(office):
    w = office
    eve = worker(w.unit, "eve", level=3)
    c = case(w.unit, "E-2", main=w.dora, co=eve, start=datetime.date(2024, 5, 1))
    Absence.objects.create(organisation=w.org, staff=eve, kind="vacation", start=TODAY, end=TODAY, extent=100)
    assert _detail(w, "bob", c, purpose="handover").status_code == 403


def _without_tokens(html):
    import re

    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', "", html)


@travel
def test_the_refusal_does_not_tell_whether_a_purpose_would_apply(office):
    """A worker stepping through ids learns nothing of who is away or leaving: the page asking for a purpose
    is the same for a case whose main handler is away and one whose main handler is at work."""
    w = office
    eve = worker(w.unit, "eve", level=3)
    away = w.dora_case
    present = case(w.unit, "E-3", main=eve, start=datetime.date(2024, 5, 1))
    Absence.objects.create(organisation=w.org, staff=w.dora, kind="sick", start=TODAY, end=TODAY)
    for params in ({}, {"purpose": "supervision"}):  # bob is no specialist: supervision never applies to him
        pages = []
        for c in (away, present):
            response = _detail(w, "bob", c, **params)
            assert response.status_code == 403
            html = _without_tokens(response.content.decode()).replace(f"/caseload/cases/{c.pk}/", "/caseload/cases/ID/")
            assert c.number not in html
            pages.append(html)
        assert pages[0] == pages[1]
        assert 'value="handover"' in pages[0]
    assert _detail(w, "bob", away, purpose="handover").status_code == 200  # checked once stated
    assert _detail(w, "bob", present, purpose="handover").status_code == 403


@travel
def test_supervision_needs_a_group_of_the_cases_unit(office):
    """carol, specialist of both units, shares an intake-unit group with dora: not dora's cases of the
    investigation unit."""
    from staff.models import Role
    from tests.factories import GroupFactory, RoleAssignmentFactory

    w = office
    RoleAssignmentFactory(staff=w.carol, organisation=w.org, role=Role.SPECIALIST, unit=w.intake_unit)
    intake_group = GroupFactory(organisation=w.org, unit=w.intake_unit, name="Mottagningen")
    for person in (w.carol, w.dora):
        GroupMembership.objects.create(
            organisation=w.org, staff=person, group=intake_group, start=datetime.date(2024, 1, 1)
        )
    assert _detail(w, "carol", w.dora_case, purpose="supervision").status_code == 403
    listed = w.client("carol").get(reverse("caseload:supervision")).content.decode()
    assert "D-1" not in listed.split('id="supervision-cases"', 1)[1]
    _group(w, w.carol, w.dora)  # and with a group of the case's unit, as before
    assert _detail(w, "carol", w.dora_case, purpose="supervision").status_code == 200
    listed = w.client("carol").get(reverse("caseload:supervision")).content.decode()
    assert "D-1" in listed.split('id="supervision-cases"', 1)[1]


@travel
def test_a_worker_does_not_see_colleagues_acute_reassignments_on_the_cycle_page(office):
    from caseload.models import CycleSettings

    w = office
    CycleSettings.objects.create(organisation=w.org, unit=w.unit, anchor=datetime.date(2024, 1, 8))
    from caseload.meeting.models import MeetingCycle

    MeetingCycle.objects.create(
        organisation=w.org,
        unit=w.unit,
        allocation_monday=datetime.date(2024, 5, 27),
        ends=datetime.date(2024, 6, 30),
        confirmed_at=datetime.datetime(2024, 5, 27, 12, tzinfo=datetime.UTC),
        snapshot={},
    )
    w.dora_case.acute = True
    w.dora_case.save()
    event = CaseEvent.objects.create(organisation=w.org, case=w.dora_case, kind=CaseEvent.Kind.ASSIGNED, actor=w.alice)
    CaseEvent.objects.filter(pk=event.pk).update(at=datetime.datetime(2024, 6, 3, 10, tzinfo=datetime.UTC))
    url = reverse("caseload:unit_cycle", args=[w.unit.pk])
    assert "D-1" in w.client("alice").get(url).content.decode()
    assert "D-1" not in w.client("bob").get(url).content.decode()
    # "Who read case X" finds the manager who saw the reassignment, not the worker who did not.
    from staff.platform.audit.selectors import readers_of

    readers = {(r.actor_id, r.url_name) for r in readers_of(organisation=w.org, kind="case", object_id=w.dora_case.pk)}
    assert (w.alice.pk, "caseload:unit_cycle") in readers and (w.bob.pk, "caseload:unit_cycle") not in readers


@travel
def test_the_supervision_page_lists_the_groups_cases_under_the_purpose(office):
    w = office
    _group(w, w.carol, w.dora)
    other = worker(w.unit, "olle", level=2)
    outside = case(w.unit, "O-1", main=other, start=datetime.date(2024, 5, 1))  # olle is in no group of carol's
    closed = case(w.unit, "C-1", main=w.dora, start=datetime.date(2024, 1, 2), closed_on=datetime.date(2024, 5, 2))
    own = case(w.unit, "S-1", main=w.dora, co=w.carol, start=datetime.date(2024, 5, 1))  # carol co-handles it
    html = w.client("carol").get(reverse("caseload:my_caseload")).content.decode()
    assert 'id="supervision-link"' in html
    page = w.client("carol").get(reverse("caseload:supervision"))
    listed = page.content.decode().split('id="supervision-cases"', 1)[1]
    assert "D-1" in listed and "B-1" in listed  # dora handles both (B-1 as co-handler)
    assert outside.number not in listed and closed.number not in listed and own.number not in listed
    assert f"/caseload/cases/{w.dora_case.pk}/?purpose=supervision" in listed
    rows = AccessLogEntry.objects.filter(url_name="caseload:supervision")
    assert {(oid, r.purpose) for r in rows for _k, oid, _u in r.shown()} == {
        (w.dora_case.pk, "supervision"),
        (w.bob_case.pk, "supervision"),
    }
    # A social worker has no supervision page, nor the link.
    assert w.client("bob").get(reverse("caseload:supervision")).status_code == 403
    assert 'id="supervision-link"' not in w.client("bob").get(reverse("caseload:my_caseload")).content.decode()
