"""Acute items first in the intake queue, and an acute item's decision only after its immediate-protection
assessment (who, when, a short outcome; late when recorded after the day the report arrived). Issue 16."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.models import Case
from intake import selectors, services
from intake.models import IntakeItem
from tests.intake.factories import item

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2024, 6, 14, 10, 0, tzinfo=STHLM)
REFUSAL = "Skriv inte personnummer eller samordningsnummer här"
MISSING = "Ett akut ärende ska ha en bedömning av omedelbart skydd före beslutet: registrera bedömningen först."


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _ago(days, hours=0):
    return NOW - datetime.timedelta(days=days, hours=hours)


def _queue_table(world, **params):
    html = world.client("heidi").get(reverse("intake:queue"), params).content.decode()
    return html.split('id="queue"', 1)[1]


def _caption(world):
    html = world.client("heidi").get(reverse("intake:queue")).content.decode()
    return html.split("<caption>", 1)[1].split("</caption>", 1)[0]


def _decide(world, report, **over):
    data = {"d-open_investigation": "0", "d-reason": "Ingen oro", "d-decided_on": "2024-06-14", "d-weight": "1"}
    return world.client("heidi").post(reverse("intake:detail", args=[report.pk]), {**data, **over})


def _assess(world, report, **over):
    data = {"form": "protection", "p-needed": "0", "p-outcome": "Barnet är tryggt hos mormor i dag."}
    return world.client("heidi").post(reverse("intake:detail", args=[report.pk]), {**data, **over})


def test_acute_items_come_first_in_the_queue_then_overdue_then_by_due_date(world):
    item(world.intake_unit, "OVERDUE", by=world.grace, received=_ago(16))
    item(world.intake_unit, "LATER", by=world.grace, received=_ago(2))
    item(world.intake_unit, "ACUTE-NEW", by=world.grace, received=_ago(0, hours=1), acute=True)
    item(world.intake_unit, "ACUTE-OLD", by=world.grace, received=_ago(1), acute=True)
    table = _queue_table(world)
    assert table.index("ACUTE-OLD") < table.index("ACUTE-NEW") < table.index("OVERDUE") < table.index("LATER")
    assert "akuta först" in _caption(world)


def test_acute_items_stay_first_when_a_column_is_sorted(world):
    item(world.intake_unit, "A-CALM", by=world.grace, received=_ago(2))
    item(world.intake_unit, "Z-ACUTE", by=world.grace, received=_ago(3), acute=True)
    table = _queue_table(world, sort="case")
    assert table.index("Z-ACUTE") < table.index("A-CALM")
    ordered = selectors.intake_queue(
        organisation=world.org, unit_ids={world.intake_unit.pk}, today=NOW.date(), order_by="case_number"
    )
    assert [i.case_number for i in ordered] == ["Z-ACUTE", "A-CALM"]


def test_dashboard_panel_lists_overdue_acute_items_first(world):
    item(world.intake_unit, "SLOW-CALM", by=world.grace, received=_ago(20))
    item(world.intake_unit, "SLOW-ACUTE", by=world.grace, received=_ago(16), acute=True)
    panel = selectors.overdue_panel(organisation=world.org, unit=world.unit, today=NOW.date())
    assert [i.case_number for i in panel["items"]] == ["SLOW-ACUTE", "SLOW-CALM"]


def test_the_queue_reads_in_the_same_number_of_queries_for_more_items(world, django_assert_num_queries):
    item(world.intake_unit, "Q-1", by=world.grace, received=_ago(1), acute=True)
    client = world.client("heidi")
    client.get(reverse("intake:queue"))  # the session and settings rows exist from here on
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("intake:queue"))
    for n in range(2, 7):
        item(world.intake_unit, f"Q-{n}", by=world.grace, received=_ago(n), acute=n % 2 == 0)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(reverse("intake:queue")).status_code == 200


def test_acute_item_decision_is_refused_at_the_field_without_the_immediate_protection_assessment(world):
    report = item(world.intake_unit, "AK-1", by=world.grace, received=_ago(0, hours=2), acute=True)
    page = world.client("heidi").get(reverse("intake:detail", args=[report.pk])).content.decode()
    assert "Ett akut ärende ska ha en bedömning av omedelbart skydd före beslutet." in page
    response = _decide(world, report)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_d-open_investigation-error"' in html and MISSING in html
    report.refresh_from_db()
    assert report.decision == IntakeItem.Decision.PENDING and report.decided_on is None


def test_the_service_refuses_an_acute_items_decision_without_the_assessment(world):
    report = item(world.intake_unit, "AK-2", by=world.grace, received=_ago(0, hours=2), acute=True)
    with pytest.raises(ValidationError) as refused:
        services.intake_decide(
            organisation=world.org,
            actor=world.heidi,
            item=report,
            open_investigation=True,
            reason="Oro för våld",
            decided_on=NOW.date(),
            investigation_unit=world.unit,
        )
    assert refused.value.error_dict["open_investigation"][0].code == "protection_assessment_missing"
    report.refresh_from_db()
    assert report.decision == IntakeItem.Decision.PENDING and not Case.objects.exists()


def test_a_non_acute_item_is_decided_without_an_assessment(world):
    report = item(world.intake_unit, "CALM-1", by=world.grace, received=_ago(1))
    assert _decide(world, report).status_code == 302
    report.refresh_from_db()
    assert report.decision == IntakeItem.Decision.NOT_OPENED


def test_acute_item_is_decided_once_the_assessment_is_recorded(world):
    report = item(world.intake_unit, "AK-3", by=world.grace, received=_ago(0, hours=2), acute=True)
    assert _assess(world, report).status_code == 302
    report.refresh_from_db()
    assert report.protection_assessed_at == NOW and report.protection_assessed_by == world.heidi
    assert report.protection_outcome == "Barnet är tryggt hos mormor i dag." and report.protection_needed is False
    assert not report.protection_late
    page = world.client("heidi").get(reverse("intake:detail", args=[report.pk])).content.decode()
    shown = page.split('id="protection-assessment"', 1)[1].split("</dd>", 1)[0]
    assert "2024-06-14 10:00" in shown and str(world.heidi) in shown and "Barnet är tryggt hos mormor" in shown
    assert "För sent" not in shown
    assert _decide(world, report).status_code == 302
    report.refresh_from_db()
    assert report.decision == IntakeItem.Decision.NOT_OPENED


def test_an_acute_application_also_gets_the_assessment(world):
    application = item(
        world.intake_unit, "AK-ANS", by=world.grace, kind=IntakeItem.Kind.APPLICATION, about_child=False, acute=True
    )
    assert application.needs_protection_assessment
    assert _assess(world, application).status_code == 302
    application.refresh_from_db()
    assert application.protection_assessed_by == world.heidi


def test_assessment_outcome_is_required_and_nothing_is_saved(world):
    report = item(world.intake_unit, "AK-4", by=world.grace, acute=True)
    response = _assess(world, report, **{"p-outcome": "  "})
    assert "Beskriv med några ord vad bedömningen ledde till." in response.content.decode()
    report.refresh_from_db()
    assert report.protection_assessed_at is None


def test_assessment_without_an_answer_stays_on_the_assessment_form(world):
    report = item(world.intake_unit, "AK-5", by=world.grace, acute=True)
    response = world.client("heidi").post(
        reverse("intake:detail", args=[report.pk]), {"form": "protection", "p-outcome": "Tryggt"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_p-needed-error"' in html and MISSING not in html
    report.refresh_from_db()
    assert report.protection_assessed_at is None


def test_assessment_outcome_with_an_identity_number_is_refused_by_the_form_and_the_service(world):
    report = item(world.intake_unit, "AK-6", by=world.grace, acute=True)
    response = _assess(world, report, **{"p-outcome": "Barnet 201212121212 är tryggt"})
    assert REFUSAL in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        services.intake_assess_protection(
            organisation=world.org, actor=world.heidi, item=report, needed=False, outcome="Se 19121212-1212"
        )
    assert "outcome" in refused.value.error_dict
    report.refresh_from_db()
    assert report.protection_assessed_at is None and report.protection_outcome == ""


@pytest.mark.parametrize(
    ("recorded", "late"),
    [
        (datetime.datetime(2024, 6, 14, 23, 59, tzinfo=STHLM), False),  # the day it arrived
        (datetime.datetime(2024, 6, 15, 0, 1, tzinfo=STHLM), True),  # the day after
        (datetime.datetime(2024, 6, 17, 9, 0, tzinfo=STHLM), True),
    ],
)
def test_an_assessment_recorded_after_the_day_the_report_arrived_shows_as_late(world, recorded, late):
    report = item(world.intake_unit, "AK-LATE", by=world.grace, received=NOW.replace(hour=0, minute=5), acute=True)
    with time_machine.travel(recorded, tick=False):
        page = world.client("heidi").get(reverse("intake:detail", args=[report.pk])).content.decode()
        assert ("bedömningen är försenad" in page) is late
        assert _assess(world, report).status_code == 302
        report.refresh_from_db()
        assert report.protection_late is late
        page = world.client("heidi").get(reverse("intake:detail", args=[report.pk])).content.decode()
    shown = page.split('id="protection-assessment"', 1)[1].split("</dd>", 1)[0]
    assert ("För sent" in shown) is late
    assert ("Ska göras samma dag som anmälan kommer in (2024-06-14)" in shown) is late


def test_find_identity_numbers_also_reads_the_assessment_outcome(world):
    import io

    from django.core.management import CommandError, call_command

    report = item(world.intake_unit, "AK-OLD", by=world.grace, acute=True)
    IntakeItem.objects.filter(pk=report.pk).update(protection_outcome="Gäller 201212121212")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("find_identity_numbers", stdout=out)
    assert f"intake.IntakeItem.protection_outcome: 1 row(s) with an identity number (ids {report.pk})" in out.getvalue()
