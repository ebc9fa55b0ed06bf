"""Issue 16 item 4 (docs/domain.md section 5): an investigation past the legal date requires a recorded extension
decision with reason. Closing it after the date in force (the legal deadline, or the extension's new date)
without an extension requires an overrun reason, which is stored, shown on the case and counted in reports.
The day after the legal date without an extension, the main handler and the unit's managers are reminded once.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from caseload import services
from caseload.models import CaseEvent, Investigation
from caseload.selectors import unit_closed_investigations
from staff.models import Notification
from tests.caseload.factories import case

START = datetime.date(2024, 2, 13)  # legal deadline (4 months) 2024-06-13
LEGAL = datetime.date(2024, 6, 13)
DAY_AFTER = LEGAL + datetime.timedelta(days=1)
REASON_REQUIRED = "Utredningen avslutas efter det lagstadgade slutdatumet utan beslut om förlängning: ange skälet."


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2024, 6, 20, 10, 0), tick=False):
        yield


def _close(w, inv, closed_on, **extra):
    return services.investigation_close(
        organisation=w.org, actor=w.bob, investigation=inv, closed_on=closed_on, outcome="intervention", **extra
    )


@pytest.mark.usefixtures("frozen")
def test_closing_on_the_legal_date_needs_no_overrun_reason(ladder):
    inv = case(ladder.unit, "OV-1", main=ladder.bob, start=START).investigations.get()
    assert inv.legal_deadline == LEGAL
    _close(ladder, inv, LEGAL)
    inv.refresh_from_db()
    assert inv.closed_on == LEGAL and inv.overrun_reason == ""


@pytest.mark.usefixtures("frozen")
def test_closing_the_day_after_the_legal_date_without_extension_requires_a_reason(ladder):
    inv = case(ladder.unit, "OV-2", main=ladder.bob, start=START).investigations.get()
    with pytest.raises(ValidationError) as exc:
        _close(ladder, inv, DAY_AFTER)
    assert exc.value.message_dict["overrun_reason"] == [REASON_REQUIRED]
    inv.refresh_from_db()
    assert inv.closed_on is None  # nothing saved half-way
    _close(ladder, inv, DAY_AFTER, overrun_reason="  Väntade på utlåtande från BUP.  ")
    inv.refresh_from_db()
    assert (inv.closed_on, inv.overrun_reason) == (DAY_AFTER, "Väntade på utlåtande från BUP.")
    event = CaseEvent.objects.get(case=inv.case, kind="closed")
    assert "Väntade på utlåtande från BUP." in event.detail


@pytest.mark.usefixtures("frozen")
def test_closing_past_the_legal_date_within_an_extension_needs_no_reason(ladder):
    inv = case(ladder.unit, "OV-3", main=ladder.bob, start=START).investigations.get()
    services.extension_decide(
        organisation=ladder.org,
        actor=ladder.alice,
        investigation=inv,
        new_deadline=datetime.date(2024, 7, 1),
        reason="Särskilda skäl",
    )
    _close(ladder, inv, DAY_AFTER)
    assert Investigation.objects.get(pk=inv.pk).closed_on == DAY_AFTER


@pytest.mark.usefixtures("frozen")
def test_the_close_form_asks_for_the_overrun_reason_at_the_field(ladder):
    c = case(ladder.unit, "OV-4", main=ladder.bob, start=START)
    url = reverse("caseload:investigation_close", args=[c.pk])
    data = {"closed_on": DAY_AFTER.isoformat(), "outcome": "intervention", "close_case": "on"}
    response = ladder.client("bob").post(url, data)
    assert response.status_code == 200
    assert REASON_REQUIRED in response.content.decode()
    assert c.investigations.get().closed_on is None
    response = ladder.client("bob").post(url, {**data, "overrun_reason": "Sjukskrivning i teamet"})
    assert response.status_code == 302
    assert c.investigations.get().overrun_reason == "Sjukskrivning i teamet"


def test_closed_past_the_deadline_is_counted_per_unit(ladder):
    on_time = case(ladder.unit, "OV-5", main=ladder.bob, start=START, closed_on=LEGAL).investigations.get()
    late = case(ladder.unit, "OV-6", main=ladder.bob, start=START, closed_on=DAY_AFTER).investigations.get()
    extended = case(ladder.unit, "OV-7", main=ladder.bob, start=START, closed_on=DAY_AFTER).investigations.get()
    Investigation.objects.filter(pk=extended.pk).update(extended_until=DAY_AFTER)
    assert on_time and late
    row = unit_closed_investigations(
        organisation=ladder.org, start=datetime.date(2024, 6, 1), end=datetime.date(2024, 6, 30)
    )[ladder.unit.pk]
    assert (row["closed"], row["within_legal"], row["past_deadline"]) == (3, 1, 1)


def _overrun_keys():
    return sorted(
        (k.split(":")[2], r) for k, r in Notification.objects.values_list("key", "recipient__first_name") if k
    )


def test_reminder_the_day_after_the_legal_date_without_extension_once_to_handler_and_managers(ladder):
    w = ladder
    inv = case(w.unit, "OV-8", main=w.bob, co=w.carol, start=START).investigations.get()
    run = lambda day: services.deadline_reminders_send(organisation=w.org, today=day)  # noqa: E731
    run(LEGAL - datetime.timedelta(days=1))
    run(LEGAL)
    overrun = lambda: Notification.objects.filter(key__startswith=f"deadline:{inv.pk}:overrun")  # noqa: E731
    assert not overrun().exists()  # the day before and on the legal date: no overrun reminder
    assert run(DAY_AFTER) == 3  # Bob (main), and the managers Alice and Ivan
    assert sorted(overrun().values_list("recipient__first_name", flat=True)) == sorted(
        [w.bob.first_name, w.alice.first_name, w.ivan.first_name]
    )
    assert run(DAY_AFTER) == 0 and run(DAY_AFTER + datetime.timedelta(days=1)) == 0  # once only
    subject = overrun().first().subject
    assert subject == "Ärende OV-8: det lagstadgade slutdatumet 2024-06-13 har passerats utan beslut om förlängning"


def test_no_overrun_reminder_when_an_extension_is_recorded(ladder):
    w = ladder
    inv = case(w.unit, "OV-9", main=w.bob, start=START).investigations.get()
    Investigation.objects.filter(pk=inv.pk).update(extended_until=datetime.date(2024, 7, 1))
    services.deadline_reminders_send(organisation=w.org, today=DAY_AFTER)
    assert not Notification.objects.filter(key__contains=":overrun").exists()


@pytest.mark.usefixtures("frozen")
def test_unit_dashboard_counts_this_months_closes_past_the_deadline(ladder):
    late = case(ladder.unit, "OV-10", main=ladder.bob, start=START).investigations.get()
    _close(ladder, late, DAY_AFTER, overrun_reason="Väntade på utlåtande")
    case(ladder.unit, "OV-11", main=ladder.bob, start=START, closed_on=LEGAL)  # on the legal date: not counted
    html = ladder.client("alice").get(reverse("caseload:unit_dashboard", args=[ladder.unit.pk])).content.decode()
    line = html.split('id="closed-past-deadline"', 1)[1].split("</p>", 1)[0]
    assert "1 avslutad denna månad efter det lagstadgade slutdatumet utan förlängning" in line
