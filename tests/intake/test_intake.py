"""Intake: registering, the immediate-protection assessment, the pre-assessment decision and the queue."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from caseload.models import Case, CaseEvent, Investigation
from intake.models import IntakeItem
from tests.caseload.factories import case
from tests.intake.factories import item

NOW = datetime.datetime(2024, 6, 14, 10, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _register(client, **over):
    data = {
        "case_number": "MOT-2024-1",
        "kind": "report",
        "received_at": "2024-06-14T08:30",
        "reason": "violence",
        "acute": "on",
        "about_child": "on",
        **over,
    }
    return client.post(reverse("intake:register"), data)


def test_administrator_registers_a_report_due_in_fourteen_days(world):
    response = _register(world.client("grace"), unit=world.intake_unit.pk)
    assert response.status_code == 302
    registered = IntakeItem.objects.get()
    assert registered.due_date == datetime.date(2024, 6, 28)
    assert registered.registered_by == world.grace and registered.acute
    assert timezone.localtime(registered.received_at).strftime("%Y-%m-%d %H:%M") == "2024-06-14 08:30"
    queue = world.client("grace").get(reverse("intake:queue")).content.decode()
    assert "MOT-2024-1" in queue and "2024-06-28" in queue
    assert "Bedömning av omedelbart skydd saknas" in queue


def test_registration_in_the_future_is_refused(world):
    response = _register(world.client("grace"), unit=world.intake_unit.pk, received_at="2024-06-15T08:30")
    assert "Tidpunkten då ärendet kom in kan inte ligga i framtiden." in response.content.decode()
    assert not IntakeItem.objects.exists()


def test_report_in_a_case_with_a_running_investigation_is_linked(world):
    ladder = world
    running = case(ladder.unit, "BOU-9", main=ladder.bob, start=datetime.date(2024, 5, 1))
    response = _register(ladder.client("grace"), unit=ladder.intake_unit.pk, case_number="bou-9")
    assert response.status_code == 302
    linked = IntakeItem.objects.get()
    assert linked.decision == IntakeItem.Decision.LINKED and linked.due_date is None
    assert linked.investigation == running.investigations.get()
    assert CaseEvent.objects.filter(case=running, kind="report", actor=ladder.grace).exists()
    queue = ladder.client("grace").get(reverse("intake:queue")).content.decode()
    assert "BOU-9" not in queue.split('id="queue"', 1)[1]


def test_immediate_protection_assessment_is_recorded_once(world):
    report = item(world.intake_unit, by=world.grace)
    url = reverse("intake:detail", args=[report.pk])
    assert world.client("heidi").post(url, {"p-needed": "0", "p-outcome": "Tryggt hemma"}).status_code == 302
    report.refresh_from_db()
    assert report.protection_needed is False and report.protection_assessed_at == timezone.now()
    from intake.services import intake_assess_protection

    with pytest.raises(Exception, match="redan registrerad"):
        intake_assess_protection(organisation=world.org, actor=world.heidi, item=report, needed=True, outcome="Igen")


def test_decision_to_open_creates_the_case_and_the_investigation(world):
    report = item(world.intake_unit, "NEW-7", by=world.grace, received=timezone.now() - datetime.timedelta(days=3))
    response = world.client("heidi").post(
        reverse("intake:detail", args=[report.pk]),
        {
            "d-open_investigation": "1",
            "d-reason": "Oro för våld i hemmet",
            "d-decided_on": "2024-06-14",
            "d-investigation_unit": world.unit.pk,
            "d-weight": "2",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    new_case = Case.objects.get(number="NEW-7")
    assert new_case.status == Case.Status.AWAITING_ALLOCATION and new_case.unit == world.unit and new_case.weight == 2
    inv = Investigation.objects.get(case=new_case)
    assert (inv.start_date, inv.target_date, inv.legal_deadline) == (
        datetime.date(2024, 6, 14),
        datetime.date(2024, 9, 12),
        datetime.date(2024, 10, 14),
    )
    assert report.decision == IntakeItem.Decision.OPEN and report.investigation == inv and not inv.chained


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"d-open_investigation": "0", "d-reason": "", "d-decided_on": "2024-06-14"}, "Ange skälet till beslutet."),
        (
            {"d-open_investigation": "0", "d-reason": "Ingen oro", "d-decided_on": "2024-06-01"},
            "Beslutet kan inte dateras före anmälan kom in.",
        ),
        (
            {"d-open_investigation": "0", "d-reason": "Ingen oro", "d-decided_on": "2024-07-01"},
            "Beslutet kan inte dateras i framtiden.",
        ),
        (
            {"d-open_investigation": "1", "d-reason": "Oro", "d-decided_on": "2024-06-14"},
            "Välj den enhet som ska utreda.",
        ),
    ],
)
def test_bad_decisions_are_refused_and_nothing_is_saved(world, data, message):
    report = item(world.intake_unit, "BAD-1", by=world.grace, received=timezone.now() - datetime.timedelta(days=1))
    response = world.client("heidi").post(reverse("intake:detail", args=[report.pk]), {"d-weight": "1", **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    report.refresh_from_db()
    assert report.decision == IntakeItem.Decision.PENDING
    assert not Case.objects.exists()


def test_queue_shows_overdue_first_with_days_left(world):
    item(world.intake_unit, "LATER", by=world.grace, received=timezone.now() - datetime.timedelta(days=2))
    item(world.intake_unit, "OVERDUE", by=world.grace, received=timezone.now() - datetime.timedelta(days=16))
    item(world.intake_unit, "TODAY", by=world.grace, received=timezone.now() - datetime.timedelta(days=14))
    html = world.client("grace").get(reverse("intake:queue")).content.decode()
    table = html.split('id="queue"', 1)[1]
    assert table.index("OVERDUE") < table.index("TODAY") < table.index("LATER")
    assert "Försenad" in table and "Senast i dag" in table
    assert '<td class="text-end">-2</td>' in table and '<td class="text-end">12</td>' in table
    found = world.client("grace").get(reverse("intake:queue"), {"q": "over"}).content.decode()
    assert "OVERDUE" in found and "LATER" not in found.split('id="queue"', 1)[1]


def test_queue_is_for_the_intake_unit(world):
    assert world.client("heidi").get(reverse("intake:queue")).status_code == 200
    assert world.client("frank").get(reverse("intake:queue")).status_code == 200
    assert world.client("bob").get(reverse("intake:queue")).status_code == 403
    report = item(world.intake_unit, by=world.grace)
    assert world.client("bob").get(reverse("intake:detail", args=[report.pk])).status_code == 403


def test_dashboard_lists_overdue_pre_assessments_of_the_department(world):
    item(world.intake_unit, "SLOW-1", by=world.grace, received=timezone.now() - datetime.timedelta(days=20))
    item(world.other_unit, "BETA-SLOW", by=world.charlie, received=timezone.now() - datetime.timedelta(days=20))
    html = world.client("alice").get(reverse("caseload:unit_dashboard", args=[world.unit.pk])).content.decode()
    panel = html.split('id="overdue-pre-assessments"', 1)[1]
    assert "SLOW-1" in panel and "BETA-SLOW" not in panel


@pytest.mark.parametrize(
    ("name", "start"),
    [("grace", "/intake/"), ("bob", "/caseload/mine/"), ("carol", "/caseload/mine/"), ("alice", "/caseload/units/")],
)
def test_start_pages(world, name, start):
    response = world.client(name).get(reverse("staff:start"))
    assert response.status_code == 302 and response["Location"].startswith(start)


def test_queue_sorts_by_column(world):
    item(world.intake_unit, "B-2", by=world.grace, received=timezone.now() - datetime.timedelta(days=2))
    item(world.intake_unit, "A-1", by=world.grace, received=timezone.now() - datetime.timedelta(days=16))
    html = world.client("grace").get(reverse("intake:queue"), {"sort": "-case"}).content.decode()
    table = html.split('id="queue"', 1)[1]
    assert table.index("B-2") < table.index("A-1")
    assert 'aria-sort="descending"' in table


def test_administrators_register_but_do_not_decide(world):
    report = item(world.intake_unit, "ADM-1", by=world.grace)
    url = reverse("intake:detail", args=[report.pk])
    page = world.client("grace").get(url).content.decode()
    assert "Beslut efter förhandsbedömning" not in page
    response = world.client("grace").post(
        url, {"d-open_investigation": "0", "d-reason": "Ingen oro", "d-decided_on": "2024-06-14", "d-weight": "1"}
    )
    assert "Bara mottagningsenhetens socialsekreterare och chefer bedömer och beslutar." in response.content.decode()
    report.refresh_from_db()
    assert report.decision == IntakeItem.Decision.PENDING
