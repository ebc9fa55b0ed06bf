"""Cases per employee has one definition for the pages and the HR API (issue 16; docs/domain.md section 8).

Open cases on the day / the unit's social workers and specialists employed that day
(caseload.selectors.unit_cases_per_employee). Before, the survey pages divided by the case workers (3.76)
and the HR report by every member of the unit's staff, managers included (3.50).
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from caseload.selectors import unit_cases_per_employee
from surveys.models import UnitSnapshot
from surveys.services import round_close, round_ensure
from surveys.tertials import Tertial
from tests.caseload.factories import case

CLOSED = datetime.datetime(2026, 12, 15, 12, 0, tzinfo=datetime.UTC)  # T3 2026's round closes 15 December


@pytest.fixture
def closed_round(world):
    """Utredning: three open cases; bob and carol hold cases, alice and ivan manage it."""
    with time_machine.travel(CLOSED, tick=False):
        for n in range(3):
            case(world.unit, f"ALFA-{n}", main=world.bob, co=world.carol, start=datetime.date(2026, 11, 1))
        survey_round = round_ensure(organisation=world.org, tertial=Tertial(2026, 3))
        round_close(organisation=world.org, survey_round=survey_round, now=survey_round.closes_at)
        yield survey_round


def _api_unit(world) -> dict:
    report = world.client("erin").get(reverse("surveys_api:tertial_report", args=["2026-T3"])).json()
    assert report["reference_date"] == "2026-12-15"
    return next(u for d in report["departments"] for u in d["units"] if u["name"] == "Utredning")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def test_the_survey_pages_and_the_hr_api_show_the_same_cases_per_employee(world, closed_round):
    with time_machine.travel(CLOSED, tick=False):
        api = _api_unit(world)
        results = world.client("erin").get(reverse("surveys:round_results", args=[closed_round.pk])).content
        unit_page = world.client("alice").get(
            reverse("surveys:unit_results", args=[world.unit.pk]), {"round": closed_round.pk}
        )
    row = results.decode().split(">Utredning</a></th>")[1].split("</tr>")[0]
    shown_in_results = _number(re.findall(r"<td>\s*([\d,]+)\s*</td>", row)[-1])
    shown_on_unit_page = _number(re.search(r"([\d,]+) ärenden per anställd", unit_page.content.decode()).group(1))
    assert shown_in_results == shown_on_unit_page == api["cases_per_employee"] == 1.5  # 3 cases / bob and carol
    assert (api["case_workers"], api["employees"], api["open_cases"]) == (2, 4, 3)
    snapshot = UnitSnapshot.objects.get(round=closed_round, unit=world.unit)
    assert (snapshot.employees, snapshot.open_cases, str(snapshot.cases_per_employee)) == (2, 3, "1.50")


def test_the_pages_say_what_cases_per_employee_counts(world, closed_round):
    with time_machine.travel(CLOSED, tick=False):
        results = world.client("erin").get(reverse("surveys:round_results", args=[closed_round.pk])).content.decode()
        unit_page = world.client("alice").get(
            reverse("surveys:unit_results", args=[world.unit.pk]), {"round": closed_round.pk}
        )
    assert "öppna ärenden / socialsekreterare och specialister, den dag omgången stängde" in results
    assert "2 socialsekreterare och specialister, 3 öppna ärenden" in unit_page.content.decode()


def test_the_api_schema_says_what_cases_per_employee_counts(world):
    schema = world.client("erin").get(reverse("api-schema"), {"format": "json"}).content.decode()
    assert "open_cases / case_workers" in schema
    assert "social workers and specialists of the unit(s) employed on the reference date" in schema


def test_one_selector_counts_case_workers_on_the_day_not_managers(world):
    """Day before, on and after bob's last day: he counts while employed; alice and ivan never count."""
    case(world.unit, "ALFA-9", main=world.carol, start=datetime.date(2026, 3, 1))
    world.bob.employment_end = datetime.date(2026, 6, 30)
    world.bob.save()
    figures = {
        day: unit_cases_per_employee(organisation=world.org, on=day, unit_ids=[world.unit.pk])[world.unit.pk]
        for day in (datetime.date(2026, 6, 29), datetime.date(2026, 6, 30), datetime.date(2026, 7, 1))
    }
    assert [(f.open_cases, f.case_workers, str(f.per_employee)) for f in figures.values()] == [
        (1, 2, "0.50"),
        (1, 2, "0.50"),
        (1, 1, "1.00"),
    ]
