"""The tertial report's query count does not grow with units, people and cases; the demo's small group is hidden."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staff.models import Department, Organisation, Unit
from surveys.models import Answer, Invitation, SurveyRound
from tests.caseload.factories import case, worker
from tests.surveys.hr_scenario import NOW, build

REPORT = "surveys_api:tertial_report"


def _grow(world, n: int) -> None:
    """n more departments, each with two units of six answering workers and cases of every kind."""
    t2 = SurveyRound.objects.get(organisation=world.org, year=2026, tertial=2)
    for d in range(n):
        dept = Department.objects.create(organisation=world.org, name=f"Avdelning {n}-{d}")
        for u in range(2):
            unit = Unit.objects.create(organisation=world.org, department=dept, name=f"Enhet {n}-{d}-{u}")
            people = [worker(unit, f"g{n}{d}{u}{i}", level=1 + i % 3) for i in range(6)]
            for i, person in enumerate(people):
                Invitation.objects.create(
                    organisation=world.org, round=t2, staff=person, unit=unit, invited_at=t2.opens_at
                )
                Answer.objects.create(organisation=world.org, round=t2, staff=person, unit=unit, q1=3, q2=4, q3=2)
                case(unit, f"g{n}{d}{u}{i}a", main=person, co=people[i - 1], start=datetime.date(2026, 6, 1))
                case(
                    unit,
                    f"g{n}{d}{u}{i}b",
                    main=person,
                    start=datetime.date(2026, 5, 2),
                    closed_on=datetime.date(2026, 7, 1),
                )


def _count(client, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(REPORT, args=["2026-T2"]), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"format": "csv"}])
def test_report_queries_do_not_grow_with_the_organisation(world, params):
    with time_machine.travel(NOW, tick=False):
        build(world)
        client = world.client("erin")
        _count(client, **params)  # first use creates the settings rows
        small = _count(client, **params)
        _grow(world, 3)
        _count(client, **params)  # answers added to a closed round (only a test can): its set is recomputed once
        large = _count(client, **params)
        data = client.get(reverse(REPORT, args=["2026-T2"])).json()
    assert data["organisation"]["employees"] == 8 + 3 * 2 * 6
    assert small == large, (small, large)
    assert small <= 40  # PostgreSQL 40; the report itself: figures 6, supplements 8, survey 1 + 2 × 6
    # (the viewer's earlier manager roles once; a survey round: settings, invitations, snapshots with the
    # frozen departments, units, answers, the stored published set; supplements since issue 16: frozen
    # months, placements, amounts, terms, the settings of an organisation with no terms recorded, FTE
    # periods, the lowest level, consultants)


def test_demo_last_closed_tertial_hides_the_placement_group(db):
    call_command("seed_demo", verbosity=0)
    out = io.StringIO()
    call_command("create_api_token", "hr", stdout=out)
    key = out.getvalue().strip()
    demo = Organisation.objects.get(slug="demo")
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    tertials = client.get(reverse("surveys_api:tertials"), {"status": "closed"}).json()["results"]
    last = next(t["id"] for t in tertials if t["survey_status"] == "closed")
    latest_round = SurveyRound.objects.filter(organisation=demo, status="closed").order_by("-year", "-tertial").first()
    assert last == f"{latest_round.year}-T{latest_round.tertial}"
    data = client.get(reverse(REPORT, args=[last])).json()
    units = {u["name"]: u for d in data["departments"] for u in d["units"]}
    placement = units["Placeringsgruppen"]
    assert placement["employees"] == 4  # the unit manager and the three workers of the group
    assert placement["survey"]["suppressed"] is True and placement["survey"]["questions"] == []
    assert placement["survey"]["respondents"] is None
    shown = [u for u in units.values() if not u["survey"]["suppressed"]]
    assert shown and all(q["mean"] is not None for u in shown for q in u["survey"]["questions"])
    assert data["organisation"]["open_cases"] == sum(u["open_cases"] for u in units.values()) > 0
    body = client.get(reverse(REPORT, args=[last]), {"format": "csv"}).content.decode()
    assert "Alldeles för många ärenden" not in body and "Placeringsgruppen" in body
