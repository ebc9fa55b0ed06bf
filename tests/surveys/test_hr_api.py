"""The HR API: every number of a tertial report against a hand-computed scenario (tests/surveys/hr_scenario.py)."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from staff.models import Department, Unit
from staff.services import api_token_create
from tests.surveys.hr_scenario import NOW, build

pytestmark = pytest.mark.usefixtures("scenario")

REPORT = "surveys_api:tertial_report"


@pytest.fixture
def scenario(world):
    with time_machine.travel(NOW, tick=False):
        extra = build(world)
        yield extra


def _get(world, who, url, **params):
    return world.client(who).get(url, params)


def _report(world, who="erin", tertial="2026-T2", **params):
    response = _get(world, who, reverse(REPORT, args=[tertial]), **params)
    assert response.status_code == 200, response.content
    return response.json()


def _by_name(blocks):
    return {b["name"]: b for b in blocks}


def test_unit_figures_match_the_hand_computed_tertial(world):
    data = _report(world)
    assert data["tertial"] == "2026-T2" and data["status"] == "closed" and data["reference_date"] == "2026-08-31"
    units = _by_name(data["departments"][0]["units"])
    utredning = units["Utredning"]
    assert utredning["employees"] == 5
    assert utredning["case_workers"] == 3  # bob, carol, nils: alice and ivan manage
    assert utredning["open_cases"] == 4
    assert utredning["cases_per_employee"] == 1.33  # 4 / 3
    assert utredning["weighted_cases_per_employee"] == 2.33  # 7 / 3
    assert utredning["co_handler_coverage"] == 75.0
    assert utredning["investigations_closed"] == 3
    assert utredning["share_closed_within_target"] == 33.3
    assert utredning["share_closed_within_legal_limit"] == 66.7
    assert utredning["closed_past_deadline"] == 1  # c5: past its legal deadline 2026-08-01, no extension
    assert (utredning["leavers"], utredning["average_headcount"], utredning["turnover"]) == (1, 5.0, 20.0)
    assert utredning["level_distribution"] == [
        {"level": 1, "name": "Nivå 1", "count": 1},
        {"level": 2, "name": "Nivå 2", "count": 1},
        {"level": 3, "name": "Nivå 3", "count": 0},
        {"level": 4, "name": "Nivå 4", "count": 1},
        {"level": None, "name": "Inte placerad på någon nivå", "count": 2},
    ]
    assert utredning["supplement_cost"] == 2000.0 and utredning["consultant_cost"] == 0.0
    mottagning = units["Mottagning"]
    assert (mottagning["employees"], mottagning["case_workers"], mottagning["open_cases"]) == (3, 1, 0)
    assert mottagning["cases_per_employee"] == 0.0
    assert mottagning["co_handler_coverage"] is None and mottagning["share_closed_within_target"] is None
    assert (mottagning["average_headcount"], mottagning["turnover"]) == (2.0, 0.0)  # olga is a consultant
    assert mottagning["consultant_cost"] == 30967.74  # 60 000 × 16/31 days of August
    assert mottagning["consultant_months"] == 0.52 and utredning["consultant_months"] == 0.0


def test_department_and_organisation_sum_their_units(world):
    data = _report(world)
    dept = data["departments"][0]
    for block in (dept, data["organisation"]):
        assert block["employees"] == 8 and block["case_workers"] == 4 and block["open_cases"] == 4
        assert block["cases_per_employee"] == 1.0 and block["weighted_cases_per_employee"] == 1.75  # 7/4
        assert block["co_handler_coverage"] == 75.0 and block["investigations_closed"] == 3
        # 861 employees' days / 123 days = 7.0; 1 / 7 = 14.3 %
        assert (block["leavers"], block["average_headcount"], block["turnover"]) == (1, 7.0, 14.3)
        assert block["supplement_cost"] == 2000.0 and block["consultant_cost"] == 30967.74
        assert block["consultant_months"] == 0.52
    assert data["organisation"]["name"] == "Alfa kommun" and dept["name"] == "Barn och unga"


def test_survey_aggregates_with_changes_and_suppression(world):
    data = _report(world)
    assert data["minimum_respondents"] == 5 and data["survey_round_status"] == "closed"
    units = _by_name(data["departments"][0]["units"])
    survey = units["Utredning"]["survey"]
    assert (survey["suppressed"], survey["invited"], survey["respondents"], survey["response_rate"]) == (
        False,
        5,
        5,
        100,
    )
    assert survey["questions"] == [
        {"key": "q1", "mean": 4.0, "distribution": [0, 0, 0, 5, 0], "change_vs_previous": 1.0,
         "change_vs_baseline": 0.5},
        {"key": "q2", "mean": 4.0, "distribution": [0, 0, 0, 5, 0], "change_vs_previous": 1.0,
         "change_vs_baseline": 0.25},
        {"key": "q3", "mean": 5.0, "distribution": [0, 0, 0, 0, 5], "change_vs_previous": 2.0,
         "change_vs_baseline": 0.9},
    ]  # fmt: skip
    assert units["Mottagning"]["survey"] == {
        "suppressed": True,
        "invited": None,
        "respondents": None,
        "response_rate": None,
        "questions": [],
    }
    dept = data["departments"][0]["survey"]
    assert (dept["invited"], dept["respondents"], dept["response_rate"]) == (8, 5, 63)  # 62.5 % rounds up
    assert [q["change_vs_previous"] for q in dept["questions"]] == [1.0, 1.0, 2.0]
    assert [q["change_vs_baseline"] for q in dept["questions"]] == [None, None, None]


def test_no_free_text_no_case_and_no_person_in_any_hr_response(world):
    for params in ({}, {"format": "csv"}):
        body = world.client("erin").get(reverse(REPORT, args=["2026-T2"]), params).content.decode()
        for secret in ("Hemlig", "c1", "Testsson", "Bob", "nils"):
            assert secret not in body, (secret, params)


def test_xlsx_holds_the_csv_rows(world):
    from tests.xlsx import assert_same_rows, csv_rows, sheet

    Unit.objects.create(organisation=world.org, department=world.unit.department, name="=SUMMA(A1)")
    url = reverse(REPORT, args=["2026-T2"])
    response = _get(world, "erin", url, format="xlsx")
    assert 'filename="tertial-2026-T2.xlsx"' in response["Content-Disposition"]
    cells = sheet(response)
    assert_same_rows(csv_rows(_get(world, "erin", url, format="csv"), delimiter=","), cells, decimal=".")
    assert ("=SUMMA(A1)", "s") in [(c.value, c.data_type) for row in cells for c in row]
    body = response.content
    assert b"Testsson" not in body and b"Hemlig" not in body


def test_csv_has_one_escaped_row_per_unit(world):
    Unit.objects.create(organisation=world.org, department=world.unit.department, name="=SUMMA(A1)")
    response = _get(world, "erin", reverse(REPORT, args=["2026-T2"]), format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="tertial-2026-T2.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(r["unit"] for r in rows) == ["'=SUMMA(A1)", "Mottagning", "Utredning"]
    utredning = next(r for r in rows if r["unit"] == "Utredning")
    assert (utredning["employees"], utredning["co_handler_coverage"], utredning["q3_mean"]) == ("5", "75.0", "5.00")
    assert (utredning["level_1"], utredning["level_none"], utredning["consultant_cost"]) == ("1", "2", "0.00")
    assert utredning["closed_past_deadline"] == "1"


def test_department_head_sees_only_their_departments(world):
    other = Department.objects.create(organisation=world.org, name="Vuxen")
    Unit.objects.create(organisation=world.org, department=other, name="Missbruk")
    dave = _report(world, "dave")
    assert dave["organisation"] is None
    assert [d["name"] for d in dave["departments"]] == ["Barn och unga"]
    assert sorted(_by_name(_report(world, "erin")["departments"])) == ["Barn och unga", "Vuxen"]
    response = _get(world, "dave", reverse(REPORT, args=["2026-T2"]), department=other.pk)
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    only = _report(world, "erin", department=other.pk)
    assert only["organisation"] is None and [d["name"] for d in only["departments"]] == ["Vuxen"]


def test_foreign_department_is_404(world):
    foreign = world.other_unit.department_id
    response = _get(world, "erin", reverse(REPORT, args=["2026-T2"]), department=foreign)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("url", "params", "field", "message"),
    [
        ("report:2026-T4", {}, "tertial", "YYYY-Tn"),
        ("report:1999-T1", {}, "tertial", "2000"),
        ("report:2026-T3x", {}, "tertial", "YYYY-Tn"),
        ("report:2027-T1", {}, "tertial", "not begun"),
        ("report:2026-T2", {"format": "xml"}, "format", "json, csv or xlsx"),
        ("report:2026-T2", {"department": "abc"}, "department", "whole number"),
        ("turnover", {"year": "1999"}, "year", "2000"),
        ("turnover", {"year": "20x6"}, "year", "2000"),
        ("tertials", {"status": "maybe"}, "status", "open, closed or upcoming"),
        ("tertials", {"year": "3000"}, "year", "2000"),
    ],
)
def test_bad_parameters_are_400_with_the_stable_body(world, url, params, field, message, settings):
    settings.LANGUAGE_CODE = "en"
    name, _sep, arg = url.partition(":")
    path = reverse(REPORT, args=[arg]) if name == "report" else reverse(f"surveys_api:{name}")
    response = world.client("erin").get(path, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == [field]
    assert message in error["fields"][field][0]


def test_bad_parameter_message_is_swedish_by_default(world):
    error = _get(world, "erin", reverse(REPORT, args=["2026-T4"])).json()["error"]
    assert error["fields"]["tertial"] == ["Ange tertialet som ÅÅÅÅ-Tn där n är 1, 2 eller 3, till exempel 2026-T2."]


def test_worker_token_is_403_and_bad_tokens_401(world, client):
    _token, worker_key = api_token_create(organisation=world.org, staff=world.bob, name="w")
    for path in (reverse(REPORT, args=["2026-T2"]), reverse("surveys_api:tertials"), reverse("surveys_api:turnover")):
        response = client.get(path, HTTP_AUTHORIZATION=f"Token {worker_key}")
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
        for header in ("Token stb_forged_key", "Token", "Token a b"):
            assert client.get(path, HTTP_AUTHORIZATION=header).status_code == 401


def test_hr_token_reads_the_report(world, client):
    _token, key = api_token_create(organisation=world.org, staff=world.erin, name="Statistik")
    response = client.get(reverse(REPORT, args=["2026-T2"]), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["organisation"]["employees"] == 8


def test_tertials_list_with_status_and_filters(world):
    data = _get(world, "erin", reverse("surveys_api:tertials")).json()
    assert data["count"] == 4
    assert [(t["id"], t["status"], t["survey_status"]) for t in data["results"]] == [
        ("2027-T1", "upcoming", None),
        ("2026-T3", "open", None),
        ("2026-T2", "closed", "closed"),
        ("2026-T1", "closed", "closed"),
    ]
    assert data["results"][2]["start"] == "2026-05-01" and data["results"][2]["end"] == "2026-08-31"
    closed = _get(world, "erin", reverse("surveys_api:tertials"), status="closed").json()
    assert [t["id"] for t in closed["results"]] == ["2026-T2", "2026-T1"]
    paged = _get(world, "erin", reverse("surveys_api:tertials"), page_size=1, page=2).json()
    assert [t["id"] for t in paged["results"]] == ["2026-T3"] and paged["next"]


def test_turnover_of_a_year_agrees_with_the_report(world):
    data = _get(world, "erin", reverse("surveys_api:turnover"), year=2026).json()
    t2 = next(t for t in data["tertials"] if t["tertial"] == "2026-T2")
    assert (t2["leavers"], t2["average_headcount"], t2["rate"], t2["consultant_months"]) == (1, 7.0, 14.3, 0.52)
    assert data["year"] == 2026 and data["leavers"] == 1
    # Counted to today, 15 September (258 days): six of the world's unit staff all along, nils from 1 July (77),
    # lena to 30 June (181): 1 806 employees' days, 7.0 on average; 1 / 7 = 14.3 %. Olga is a consultant.
    assert (data["counted_until"], data["average_headcount"], data["rate"]) == ("2026-09-15", 7.0, 14.3)
    assert data["consultant_months"] == 1.52  # August 0.52 and September, a month counted whole
    t3 = next(t for t in data["tertials"] if t["tertial"] == "2026-T3")
    assert (t3["counted_until"], t3["leavers"], t3["consultant_months"]) == ("2026-09-15", 0, 1.0)
    assert _get(world, "dave", reverse("surveys_api:turnover")).status_code == 403
