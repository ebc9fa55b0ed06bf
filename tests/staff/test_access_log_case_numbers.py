"""Issue 15, finding 8: every case number a page, an API response, a notification or an e-mail shows is
found by "who read case X" (staff.platform.audit.selectors.readers_of), in one INSERT per request."""

import datetime

import pytest
import time_machine
from django.core.mail.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.meeting.models import CycleSettings, MeetingCycle, ProposedAllocation
from caseload.meeting.services import _notify_new_cases
from caseload.services import deadline_reminders_send
from staff import tasks
from staff.models import Notification
from staff.platform.audit.selectors import readers_of
from tests.caseload.factories import case, levels, place

travel = time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)  # a Friday


def _readers(world, c) -> set[tuple[int, str, str]]:
    return {
        (r.actor_id, r.url_name, r.channel) for r in readers_of(organisation=world.org, kind="case", object_id=c.pk)
    }


def _inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "staff_accesslogentry"')]


def _at_risk(world, n: int) -> list:
    levels(world.org)
    place(world.bob, 2)
    return [case(world.unit, f"R-{i}", main=world.bob, start=datetime.date(2024, 1, 10)) for i in range(n)]


@travel
def test_the_review_form_logs_the_workers_case_numbers(world):
    CycleSettings.objects.create(organisation=world.org, unit=world.unit, anchor=datetime.date(2024, 1, 8))
    own = [case(world.unit, f"F-{i}", main=world.bob, start=datetime.date(2024, 5, 1)) for i in range(2)]
    html = world.client("bob").get(reverse("caseload:review_form", args=[world.unit.pk])).content.decode()
    for c in own:
        assert c.number in html
        assert (world.bob.pk, "caseload:review_form", "page") in _readers(world, c)


@travel
def test_the_unit_dashboard_logs_every_case_it_lists_in_one_insert(world):
    few = _at_risk(world, 2)
    client = world.client("alice")
    url = reverse("caseload:unit_dashboard", args=[world.unit.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    more = few + [case(world.unit, f"S-{i}", main=world.bob, start=datetime.date(2024, 1, 10)) for i in range(5)]
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert len(_inserts(small.captured_queries)) == len(_inserts(large.captured_queries)) == 1
    assert len(small.captured_queries) == len(large.captured_queries)
    for c in more:
        assert c.number in html
        assert (world.alice.pk, "caseload:unit_dashboard", "page") in _readers(world, c)
    # The unit row stays: "who looked at the unit's overview" is still answered.
    assert readers_of(organisation=world.org, kind="unit", object_id=world.unit.pk).filter(actor=world.alice).exists()


@travel
def test_the_unit_api_logs_every_case_number_it_returns(world):
    cases = _at_risk(world, 3)
    with CaptureQueriesContext(connection) as queries:
        body = world.client("alice").get(reverse("caseload_api:unit_overview", args=[world.unit.pk])).json()
    assert {r["case_number"] for r in body["at_risk"]} == {c.number for c in cases}
    assert len(_inserts(queries.captured_queries)) == 1
    for c in cases:
        assert (world.alice.pk, "caseload_api:unit_overview", "api") in _readers(world, c)


@travel
def test_the_board_logs_the_queue_and_the_proposal_rows(world):
    CycleSettings.objects.create(organisation=world.org, unit=world.unit, anchor=datetime.date(2024, 1, 8))
    queued = [case(world.unit, f"Q-{i}", start=datetime.date(2024, 6, 1)) for i in range(3)]
    settings = CycleSettings.objects.get(unit=world.unit)
    from caseload.meeting.selectors import board_cycle

    cycle = board_cycle(settings, datetime.date(2024, 6, 14))
    meeting = MeetingCycle.objects.create(
        organisation=world.org, unit=world.unit, allocation_monday=cycle.allocation_monday, ends=cycle.ends
    )
    proposed = case(world.unit, "P-1", start=datetime.date(2024, 6, 1))
    ProposedAllocation.objects.create(
        organisation=world.org, cycle=meeting, case=proposed, outcome="assigned", main=world.bob
    )
    url = reverse("caseload:board", args=[world.unit.pk])
    with CaptureQueriesContext(connection) as queries:
        worker_html = world.client("bob").get(url).content.decode()
    assert len(_inserts(queries.captured_queries)) == 1
    manager_html = world.client("alice").get(url).content.decode()
    for c in queued:
        assert c.number in worker_html and c.number in manager_html
        assert {world.bob.pk, world.alice.pk} <= {actor for actor, _u, _c in _readers(world, c)}
    assert "P-1" in manager_html
    assert (world.alice.pk, "caseload:board", "page") in _readers(world, proposed)


@travel
def test_a_deadline_reminder_is_logged_when_shown_and_when_e_mailed(world):
    world.bob.email = "bob@alfa.example"
    world.bob.save()
    late = case(world.unit, "L-1", main=world.bob, start=datetime.date(2024, 1, 10))
    assert deadline_reminders_send(organisation=world.org, today=datetime.date(2024, 6, 14)) >= 1
    note = Notification.objects.get(recipient=world.bob)
    assert "L-1" in note.subject and note.case_refs == [[late.pk, world.unit.pk]]
    assert not _readers(world, late)  # created, not yet shown or sent
    assert tasks._email(organisation_id=world.org.pk, notification_ids=[note.pk], connection=locmem.EmailBackend())
    row = readers_of(organisation=world.org, kind="case", object_id=late.pk).get()
    assert (row.actor_id, row.user_id, row.channel, row.unit_id) == (
        world.bob.pk,
        world.bob.user_id,
        "email",
        world.unit.pk,
    )
    html = world.client("bob").get(reverse("staff:notifications")).content.decode()
    assert "L-1" in html
    assert (world.bob.pk, "staff:notifications", "page") in _readers(world, late)


@travel
def test_the_allocation_notice_names_each_case_for_the_access_log(world):
    a = case(world.unit, "N-1", start=datetime.date(2024, 6, 1))
    b = case(world.unit, "N-2", start=datetime.date(2024, 6, 1))
    meeting = MeetingCycle.objects.create(
        organisation=world.org,
        unit=world.unit,
        allocation_monday=datetime.date(2024, 6, 10),
        ends=datetime.date(2024, 7, 14),
    )
    rows = [
        ProposedAllocation.objects.create(
            organisation=world.org, cycle=meeting, case=a, outcome="assigned", main=world.bob
        ),
        ProposedAllocation.objects.create(
            organisation=world.org, cycle=meeting, case=b, outcome="assigned", main=world.carol, co=world.bob
        ),
    ]
    _notify_new_cases(world.org, meeting, rows)
    notes = {n.recipient_id: n for n in Notification.objects.all()}
    assert sorted(map(tuple, notes[world.bob.pk].case_refs)) == sorted([(a.pk, world.unit.pk), (b.pk, world.unit.pk)])
    assert notes[world.carol.pk].case_refs == [[b.pk, world.unit.pk]]
    world.client("bob").get(reverse("staff:notifications"))
    assert (world.bob.pk, "staff:notifications", "page") in _readers(world, a) & _readers(world, b)


@travel
def test_a_refused_request_is_no_reader_and_is_kept_as_a_refusal(world):
    """bob may not read dora's case: his 403 (and the 404 of another organisation's reader) showed nothing."""
    from tests.caseload.factories import worker

    levels(world.org)
    dora = world.people["dora"] = worker(world.unit, "dora", level=3)
    c = case(world.unit, "D-3", main=dora, start=datetime.date(2024, 5, 1))
    url = reverse("caseload:case_detail", args=[c.pk])
    assert world.client("bob").get(url).status_code == 403
    assert world.client("bob").get(url, {"purpose": "handover"}).status_code == 403
    assert world.client("charlie").get(url).status_code == 404
    assert world.client("dora").get(url).status_code == 200
    assert _readers(world, c) == {(dora.pk, "caseload:case_detail", "page")}
    from staff.platform.audit.selectors import refused_reads_of

    refused = refused_reads_of(organisation=world.org, kind="case", object_id=c.pk)
    assert sorted(r.status for r in refused if r.actor_id == world.bob.pk) == [403, 403]


def _intake_cases(world, n: int, *, overdue: bool = False) -> list:
    """n closed cases of the investigation unit, each with a new pending report in the intake queue."""
    from django.utils import timezone

    from tests.intake.factories import item

    received = timezone.now() - datetime.timedelta(days=20 if overdue else 1)
    cases = []
    for i in range(n):
        c = case(world.unit, f"Q-{n}-{i}", start=datetime.date(2024, 1, 2), closed_on=datetime.date(2024, 3, 1))
        item(world.intake_unit, f"q-{n}-{i} ", by=world.grace, received=received)  # as typed: case, spaces aside
        cases.append(c)
    return cases


@travel
def test_the_intake_queue_logs_the_cases_its_numbers_name_in_one_insert(world):
    client = world.client("grace")
    url = reverse("intake:queue")
    few = _intake_cases(world, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    more = few + _intake_cases(world, 5)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(_inserts(small.captured_queries)) == len(_inserts(large.captured_queries)) == 1
    assert len(small.captured_queries) == len(large.captured_queries)
    for c in more:
        assert (world.grace.pk, "intake:queue", "page") in _readers(world, c)


@travel
def test_the_overdue_panel_logs_the_cases_its_numbers_name(world):
    cases = _intake_cases(world, 2, overdue=True)
    client = world.client("alice")
    url = reverse("caseload:unit_dashboard", args=[world.unit.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    cases += _intake_cases(world, 4, overdue=True)
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
    panel = html.split('id="overdue-pre-assessments"', 1)[1]
    for c in cases:
        assert c.number.lower() in panel
        assert (world.alice.pk, "caseload:unit_dashboard", "page") in _readers(world, c)


@travel
def test_the_intake_item_and_the_linked_registration_log_the_case(world):
    from intake.models import IntakeItem

    levels(world.org)
    place(world.bob, 2)
    running = case(world.unit, "BOU-9", main=world.bob, start=datetime.date(2024, 5, 1))
    data = {
        "unit": world.intake_unit.pk,
        "case_number": "bou-9",
        "kind": "report",
        "received_at": "2024-06-14T08:30",
        "reason": "violence",
        "about_child": "on",
    }
    # The registration's messages name the number on the item's page it leads to, which logs the case.
    shown = world.client("grace").post(reverse("intake:register"), data, follow=True)
    assert "Registrerat i ärende bou-9" in shown.content.decode()
    assert (world.grace.pk, "intake:detail", "page") in _readers(world, running)
    linked = IntakeItem.objects.get()
    html = world.client("heidi").get(reverse("intake:detail", args=[linked.pk])).content.decode()
    assert "BOU-9" in html
    assert (world.heidi.pk, "intake:detail", "page") in _readers(world, running)


@travel
def test_no_e_mail_goes_out_unlogged_when_the_log_insert_fails(world):
    """A notification whose case reference the database refuses (an id out of bigint range: the INSERT
    fails in PostgreSQL) is not e-mailed; the one before it is sent and logged, the failed one is released
    for the retry."""
    from django.core import mail

    world.bob.email = "bob@alfa.example"
    world.bob.save()
    good = case(world.unit, "M-1", main=world.bob, start=datetime.date(2024, 5, 1))
    ok = Notification.objects.create(
        organisation=world.org, recipient=world.bob, key="m1", subject="M-1", case_refs=[[good.pk, world.unit.pk]]
    )
    bad = Notification.objects.create(
        organisation=world.org, recipient=world.bob, key="m2", subject="M-2", case_refs=[[2**63, world.unit.pk]]
    )
    mail.outbox = []
    with pytest.raises(tasks._EmailFailed) as failed:
        tasks._email(organisation_id=world.org.pk, notification_ids=[ok.pk, bad.pk], connection=locmem.EmailBackend())
    assert [m.subject for m in mail.outbox] == ["M-1"]  # the mail whose log row failed never went out
    assert failed.value.unsent == [bad.pk]
    assert Notification.objects.get(pk=bad.pk).emailed_at is None
    assert Notification.objects.get(pk=ok.pk).emailed_at is not None
    assert _readers(world, good) == {(world.bob.pk, "staff:notification_email", "email")}


@travel
def test_the_my_caseload_api_logs_every_case_number_it_returns(world):
    own = _at_risk(world, 3)
    with CaptureQueriesContext(connection) as queries:
        body = world.client("bob").get(reverse("caseload_api:my_caseload")).json()
    assert {r["number"] for r in body["cases"]} == {c.number for c in own}
    assert len(_inserts(queries.captured_queries)) == 1
    for c in own:
        assert (world.bob.pk, "caseload_api:my_caseload", "api") in _readers(world, c)
