"""REST: the worker's own caseload and the manager's unit overview, scoped like the pages."""

import datetime

import time_machine
from django.urls import reverse

from caseload.models import Investigation
from tests.caseload.factories import case


@time_machine.travel(datetime.datetime(2024, 2, 28, 9), tick=False)
def test_my_caseload_api_carries_the_investigation_dates(ladder):
    c = case(ladder.unit, "API-1", main=ladder.bob, co=ladder.carol, start=datetime.date(2023, 10, 31))
    Investigation.objects.filter(case=c).update(extended_until=datetime.date(2024, 3, 31))
    case(ladder.unit, "NOT-MINE", main=ladder.carol)
    body = ladder.client("bob").get(reverse("caseload_api:my_caseload")).json()
    assert [row["number"] for row in body["cases"]] == ["API-1"]
    inv = body["cases"][0]["investigation"]
    assert inv["start_date"] == "2023-10-31"
    assert inv["target_date"] == "2024-01-29"
    assert inv["legal_deadline"] == "2024-02-29"
    assert inv["extension"] == {"new_deadline": "2024-03-31"}
    assert inv["days_to_legal"] == 32 and inv["status"] == "target"
    assert body["load"]["main_cases"] == 1 and body["load"]["capacity"] == 22.0


@time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)
def test_unit_overview_api_for_managers_only(ladder):
    case(ladder.unit, "OV-1", main=ladder.bob, start=datetime.date(2024, 1, 10))
    url = reverse("caseload_api:unit_overview", args=[ladder.unit.pk])
    body = ladder.client("alice").get(url).json()
    assert [r["case_number"] for r in body["at_risk"]] == ["OV-1"]
    assert body["at_risk"][0]["legal_deadline"] == "2024-05-10"
    assert body["co_handler_coverage"] == {
        "open_cases": 1,
        "with_co_handler": 0,
        "percent": 0.0,
        "target_percent": 90,
        "meets_target": False,
    }
    assert {w["name"] for w in body["workers"]} == {"Bob Testsson", "Carol Testsson"}
    forbidden = ladder.client("bob").get(url)
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "permission_denied"
    foreign = ladder.client("charlie").get(url)
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "not_found"


def test_api_needs_a_signed_in_staff_member(db):
    from django.test import Client

    response = Client().get(reverse("caseload_api:my_caseload"))
    assert response.status_code == 401  # no credentials: 401 with WWW-Authenticate: Token
    assert "error" in response.json()
