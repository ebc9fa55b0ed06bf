"""Opening, closing and extending investigations; registering cases. Bad input is refused in Swedish, nothing saved."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from caseload import services
from caseload.models import Assignment, Case, CaseEvent, Extension, Investigation
from tests.caseload.factories import case

TODAY = datetime.date(2024, 6, 14)
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2024, 6, 14, 10, 0), tick=False):
        yield


def test_close_records_date_outcome_handler_and_ends_assignments(ladder):
    w = ladder
    c = case(w.unit, "K-1", main=w.bob, co=w.carol, start=datetime.date(2024, 3, 1))
    inv = c.investigations.get()
    services.investigation_close(
        organisation=w.org, actor=w.bob, investigation=inv, closed_on=TODAY, outcome="intervention"
    )
    inv.refresh_from_db()
    c.refresh_from_db()
    assert (inv.closed_on, inv.outcome, inv.closed_by_handler) == (TODAY, "intervention", w.bob)
    assert c.status == Case.Status.CLOSED and c.closed_on == TODAY
    assert not Assignment.objects.filter(case=c, end__isnull=True).exists()
    assert CaseEvent.objects.filter(case=c, kind="closed", actor=w.bob).exists()


@pytest.mark.parametrize(
    ("closed_on", "outcome", "field", "message"),
    [
        (datetime.date(2024, 2, 28), "intervention", "closed_on", "En utredning kan inte avslutas innan den startade."),
        (datetime.date(2030, 1, 1), "intervention", "closed_on", "Avslutsdatumet kan inte ligga i framtiden."),
        (TODAY, "", "outcome", "Välj utfall."),
    ],
)
def test_bad_closing_is_refused(ladder, closed_on, outcome, field, message):
    c = case(ladder.unit, "K-2", main=ladder.bob, start=datetime.date(2024, 3, 1))
    inv = c.investigations.get()
    with pytest.raises(ValidationError) as exc:
        services.investigation_close(
            organisation=ladder.org, actor=ladder.bob, investigation=inv, closed_on=closed_on, outcome=outcome
        )
    assert message in exc.value.message_dict[field]
    inv.refresh_from_db()
    assert inv.closed_on is None
    assert Case.objects.get(pk=c.pk).status == Case.Status.OPEN


def test_closing_before_opening_shows_the_message_on_the_form(ladder):
    c = case(ladder.unit, "K-3", main=ladder.bob, start=datetime.date(2024, 3, 1))
    response = ladder.client("bob").post(
        reverse("caseload:investigation_close", args=[c.pk]),
        {"closed_on": "2024-02-01", "outcome": "intervention", "close_case": "on"},
    )
    assert response.status_code == 200
    assert "En utredning kan inte avslutas innan den startade." in response.content.decode()
    assert c.investigations.get().closed_on is None


def test_manager_extends_with_a_reason(ladder):
    c = case(ladder.unit, "E-1", main=ladder.bob, start=datetime.date(2024, 2, 1))
    inv = c.investigations.get()
    response = ladder.client("alice").post(
        reverse("caseload:investigation_extend", args=[c.pk]),
        {"new_deadline": "2024-07-15", "reason": "Inväntar BUP-utlåtande"},
    )
    assert response.status_code == 302
    inv.refresh_from_db()
    assert inv.extended_until == datetime.date(2024, 7, 15) and inv.legal_deadline == datetime.date(2024, 6, 1)
    ext = Extension.objects.get(investigation=inv)
    assert ext.decided_by == ladder.alice and ext.reason == "Inväntar BUP-utlåtande"
    page = ladder.client("bob").get(reverse("caseload:case_detail", args=[c.pk])).content.decode()
    assert "förlängd till 2024-07-15" in page and "Inväntar BUP-utlåtande" in page


@pytest.mark.parametrize(
    ("actor", "data", "message"),
    [
        ("alice", {"new_deadline": "2024-07-15", "reason": ""}, "Ange det särskilda skälet till förlängningen."),
        (
            "bob",
            {"new_deadline": "2024-07-15", "reason": "Skäl"},
            "Bara en chef för enheten kan besluta om förlängning.",
        ),
        ("alice", {"new_deadline": "2024-05-01", "reason": "Skäl"}, "Det nya datumet måste ligga efter"),
        ("alice", {"new_deadline": "2099-01-01", "reason": "Skäl"}, "Datumet ligger för långt fram i tiden."),
    ],
)
def test_bad_extension_is_refused(ladder, actor, data, message):
    c = case(ladder.unit, "E-2", main=ladder.bob, start=datetime.date(2024, 2, 1))
    response = ladder.client(actor).post(reverse("caseload:investigation_extend", args=[c.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Extension.objects.exists()
    assert c.investigations.get().extended_until is None


def test_new_investigation_soon_after_closing_without_report_is_flagged(ladder):
    c = case(ladder.unit, "F-1", main=ladder.bob, start=datetime.date(2024, 1, 2), closed_on=datetime.date(2024, 5, 20))
    inv = services.investigation_open(
        organisation=ladder.org, actor=ladder.alice, case=c, start_date=datetime.date(2024, 6, 3), new_report=False
    )
    assert inv.chained
    assert Investigation.objects.get(pk=inv.pk).unit_id == c.unit_id  # copied from the case for the unit counts
    event = CaseEvent.objects.get(case=c, kind="opened")
    assert "Flaggad" in event.detail
    c2 = case(
        ladder.unit, "F-2", main=ladder.bob, start=datetime.date(2024, 1, 2), closed_on=datetime.date(2024, 5, 20)
    )
    assert not services.investigation_open(
        organisation=ladder.org, actor=ladder.alice, case=c2, start_date=datetime.date(2024, 6, 3), new_report=True
    ).chained
    c3 = case(ladder.unit, "F-3", main=ladder.bob, start=datetime.date(2024, 1, 2), closed_on=datetime.date(2024, 4, 1))
    assert not services.investigation_open(
        organisation=ladder.org, actor=ladder.alice, case=c3, start_date=datetime.date(2024, 6, 3), new_report=False
    ).chained


def test_second_running_investigation_is_refused(ladder):
    c = case(ladder.unit, "F-4", main=ladder.bob)
    with pytest.raises(ValidationError) as exc:
        services.investigation_open(
            organisation=ladder.org, actor=ladder.alice, case=c, start_date=TODAY, new_report=True
        )
    assert "En utredning pågår redan i ärendet." in exc.value.messages
    assert Investigation.objects.filter(case=c).count() == 1


def test_case_registration_refuses_duplicates_and_far_future(ladder):
    url = reverse("caseload:case_create")
    client = ladder.client("alice")
    data = {"number": "BOU-77", "unit": ladder.unit.pk, "kind": "investigation", "weight": 2, "opened_on": "2024-06-01"}
    assert client.post(url, data).status_code == 302
    again = client.post(url, {**data, "number": "bou-77"})
    assert "Det finns redan ett ärende med det numret." in again.content.decode()
    future = client.post(url, {**data, "number": "BOU-78", "opened_on": "2031-06-01"})
    assert "Datumet ligger för långt fram i tiden. Kontrollera året." in future.content.decode()
    heavy = client.post(url, {**data, "number": "BOU-79", "weight": 7})
    assert "Vikten måste vara mellan 1 och 3." in heavy.content.decode()
    assert list(Case.objects.values_list("number", flat=True)) == ["BOU-77"]
    assert Case.objects.get().status == Case.Status.AWAITING_ALLOCATION
    assert ladder.client("bob").get(url).status_code == 403


def test_workers_of_another_unit_cannot_see_the_case(ladder):
    c = case(ladder.unit, "V-1", main=ladder.bob)
    url = reverse("caseload:case_detail", args=[c.pk])
    assert ladder.client("bob").get(url).status_code == 200
    assert ladder.client("heidi").get(url).status_code == 403
    assert ladder.client("charlie").get(url).status_code == 404


def test_only_handlers_or_managers_close(ladder):
    from tests.caseload.factories import worker

    dora = worker(ladder.unit, "dora", level=3)
    c = case(ladder.unit, "K-9", main=ladder.bob, start=datetime.date(2024, 3, 1))
    from django.test import Client

    client = Client()
    client.force_login(dora.user)
    response = client.post(
        reverse("caseload:investigation_close", args=[c.pk]), {"closed_on": "2024-06-01", "outcome": "other"}
    )
    assert response.status_code == 403  # a colleague's case: not even readable (docs/caseload.md)
    assert c.investigations.get().closed_on is None
