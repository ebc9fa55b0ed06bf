"""Issue 16: one measure of load, and capacity per ladder level scaled by FTE and absence.

The measure is the weighted load against capacity (a weight-2 case counts two, a co-handled case at the
co-handling share of its weight), shown with the number of open cases, the same way on the unit dashboard,
the unit page, the allocation board and the worker's own page, and in the API. Capacity is the organisation's
figure for the ladder level x FTE x (1 - absence); one function serves every page and the allocation engine.
"""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from caseload.meeting import selectors as meeting_selectors
from caseload.models import CaseloadSettings, CycleSettings
from caseload.selectors import worker_loads
from caseload.selectors.load import WorkerLoad, load_percent
from competence.models import LadderLevel, LevelPlacement
from staff.models import Absence
from tests.caseload.factories import case, place, worker

TODAY = datetime.date(2026, 1, 8)  # Thursday before the allocation week of 12 January 2026
NOW = datetime.datetime(2026, 1, 8, 10, 0)
OPEN = datetime.date(2025, 12, 1)


def _settings(org, **values) -> CaseloadSettings:
    settings = CaseloadSettings.for_org(org)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def _loads(w, people, today=TODAY):
    return worker_loads(organisation=w.org, staff=people, today=today, settings=CaseloadSettings.for_org(w.org))


@pytest.fixture
def measured(ladder):
    """Bob (level 2, FTE 0.8, level-2 capacity 15: 12) holds 4 cases as main handler (weights 3, 2, 1, 1) and
    3 as co-handler (weight 2 each, at the share 0.5): weighted load 7 + 3 = 10, 7 cases. The unit meets
    every five weeks from 12 January 2026."""
    _settings(ladder.org, capacity_level_2=15)
    ladder.bob.fte = Decimal("0.80")
    ladder.bob.save()
    for n, weight in enumerate((3, 2, 1, 1)):
        case(ladder.unit, f"M-{n}", main=ladder.bob, co=ladder.carol, start=OPEN, weight=weight)
    dora = worker(ladder.unit, "dora", level=3)
    for n in range(3):
        case(ladder.unit, f"C-{n}", main=dora, co=ladder.bob, start=OPEN, weight=2)
    CycleSettings.objects.create(organisation=ladder.org, unit=ladder.unit, anchor=datetime.date(2026, 1, 12))
    ladder.dora = dora
    return ladder


BOB = "10 av 12 (83 %) · 7 ärenden"  # 10 / 12 = 83.3 %


def _measure_of(html: str, person) -> str:
    """The text of the shared load snippet for one person on a page."""
    marker = f'data-load-of="{person.pk}">'
    assert marker in html, "the page shows no load for this person"
    snippet = html.split(marker, 1)[1].split("</span>\n", 1)[0].split('<span class="badge', 1)[0]
    return re.sub(r"<[^>]+>", "", snippet).strip()


@time_machine.travel(NOW, tick=False)
def test_the_same_person_shows_the_same_load_on_the_dashboard_the_unit_page_the_board_and_their_own_page(measured):
    w = measured
    pages = {
        "dashboard": w.client("alice").get(reverse("caseload:unit_dashboard", args=[w.unit.pk])),
        "unit page": w.client("alice").get(reverse("staff:unit_detail", args=[w.unit.pk])),
        "board": w.client("alice").get(reverse("caseload:board", args=[w.unit.pk])),
        "own page": w.client("bob").get(reverse("caseload:my_caseload")),
    }
    shown = {name: _measure_of(response.content.decode(), w.bob) for name, response in pages.items()}
    assert shown == dict.fromkeys(pages, BOB)


@time_machine.travel(NOW, tick=False)
def test_the_api_reports_the_same_load_as_the_pages(measured):
    w = measured
    mine = w.client("bob").get(reverse("caseload_api:my_caseload")).json()["load"]
    unit = w.client("alice").get(reverse("caseload_api:unit_overview", args=[w.unit.pk])).json()
    theirs = next(row for row in unit["workers"] if row["staff_id"] == w.bob.pk)
    for row in (mine, theirs):
        assert (row["load"], row["capacity"], row["percent"], row["cases"]) == (10.0, 12.0, 83.0, 7)
        assert (row["main_cases"], row["co_cases"], row["over_capacity"]) == (4, 3, False)
        assert row["weighted_load"] == row["load"]  # kept for older clients: the same value


@time_machine.travel(NOW, tick=False)
def test_the_load_csv_carries_the_same_load(measured):
    w = measured
    text = w.client("alice").get(reverse("caseload:unit_load_csv", args=[w.unit.pk])).content.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.startswith("Medarbetare;Nivå;Huvud;Med;Belastning;Ärenden;Kapacitet;Andel")
    assert "Bob Testsson;2;4;3;10;7;12,0;83;0" in rows


@time_machine.travel(NOW, tick=False)
def test_the_board_and_the_engine_use_the_same_capacity_as_the_other_pages(measured):
    w = measured
    settings = CycleSettings.objects.get(unit=w.unit)
    cycle = meeting_selectors.board_cycle(settings, TODAY)
    situations = meeting_selectors.worker_situations(organisation=w.org, unit=w.unit, cycle=cycle, meeting=None)
    bob = next(s for s in situations if s.staff == w.bob)
    (dashboard,) = _loads(w, [w.bob])
    # The engine is given the situation's capacity and load (meeting.services.proposal_make).
    assert (bob.capacity, bob.load) == (dashboard.capacity, dashboard.load) == (Decimal(12), Decimal(10))


def test_capacity_is_set_per_ladder_level(ladder):
    w = ladder
    _settings(w.org, capacity_level_1=10, capacity_level_2=18, capacity_level_3=24, capacity_level_4=0)
    nova, dora = worker(w.unit, "nova", level=1), worker(w.unit, "dora", level=3)
    novice, bob, experienced = _loads(w, [nova, w.bob, dora])
    assert (novice.capacity, bob.capacity, experienced.capacity) == (10, 18, 24)
    # Level 2 and level 3 differ once set apart; each follows its own setting.
    _settings(w.org, capacity_level_3=30)
    assert [load.capacity for load in _loads(w, [w.bob, dora])] == [18, 30]


def test_a_person_with_no_placement_gets_level_ones_capacity(ladder):
    w = ladder
    _settings(w.org, capacity_level_1=11, capacity_level_2=20)
    nina = worker(w.unit, "nina", level=2)
    LevelPlacement.objects.filter(staff=nina).delete()
    (load,) = _loads(w, [nina])
    assert load.capacity == 11 and load.level is None


def test_level_four_holds_no_own_cases_by_default_and_a_specialist_co_handles(ladder):
    w = ladder
    settings = CaseloadSettings.objects.create(organisation=w.other_org)
    assert (settings.capacity_level_1, settings.capacity_level_2, settings.capacity_level_3) == (12, 22, 22)
    assert settings.capacity_level_4 == 0
    (carol,) = _loads(w, [w.carol])  # specialists hold no own cases: 6 co-handled cases at the share 0.5
    assert carol.capacity == 3 and carol.holds_no_cases


def test_a_level_above_four_that_holds_own_cases_takes_level_fours_capacity(ladder):
    w = ladder
    _settings(w.org, capacity_level_4=26)
    LadderLevel.objects.create(organisation=w.org, number=5, name="Senior", is_specialist=False)
    senior = worker(w.unit, "sven", level=2)
    place(senior, 5)
    (load,) = _loads(w, [senior])
    assert load.capacity == 26


@time_machine.travel(NOW, tick=False)
def test_half_time_halves_capacity_and_absence_takes_its_share(ladder):
    w = ladder
    w.bob.fte = Decimal("0.50")
    w.bob.save()
    (load,) = _loads(w, [w.bob])
    assert load.capacity == Decimal(11)  # 22 x 0.5
    # Parental leave at 50 % for the whole month: half of that again.
    Absence.objects.create(
        organisation=w.org,
        staff=w.bob,
        kind="parental",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 1, 31),
        extent=50,
    )
    (load,) = _loads(w, [w.bob])
    assert load.capacity == Decimal("5.5")
    html = w.client("bob").get(reverse("caseload:my_caseload")).content.decode()
    assert "0 av 5,5 (0 %) · 0 ärenden" in _measure_of(html, w.bob)


def test_the_settings_page_refuses_specialists_with_own_cases_and_no_level_four_capacity(world):
    from tests.caseload.test_settings import _form

    url = reverse("caseload:settings")
    data = _form(capacity_level_4=0)
    del data["specialists_hold_no_cases"]
    response = world.client("frank").post(url, data)
    assert response.status_code == 200
    assert "ge nivå 4 en kapacitet över 0" in response.content.decode()
    assert CaseloadSettings.for_org(world.org).specialists_hold_no_cases
    assert world.client("frank").post(url, _form(capacity_level_4=101)).status_code == 200  # beyond 100


@pytest.mark.parametrize(
    ("load", "percent", "over", "text"),
    [
        ("19.99", Decimal("99.9"), False, "19,99 av 20 (99,9 %)"),  # 99.95 %: one decimal, never "100 %"
        ("19.9", Decimal("99.5"), False, "19,9 av 20 (99,5 %)"),
        ("19.8", Decimal("99"), False, "19,8 av 20 (99 %)"),  # whole per cent away from capacity
        ("20", Decimal("100"), False, "20 av 20 (100 %)"),  # exactly at capacity: not over
        ("20.01", Decimal("100.1"), True, "20,01 av 20 (100,1 %)"),  # 100.05 %: over, and it reads over
        ("20.1", Decimal("101"), True, "20,1 av 20 (101 %)"),
    ],
)
def test_the_share_near_capacity_is_compared_exactly_and_shown_with_one_decimal(load, percent, over, text):
    assert load_percent(Decimal(load), Decimal(20)) == percent
    # One co-handled case of weight 1 at a share of exactly `load` (the share is a setting with two decimals).
    measure = WorkerLoad(
        staff=SimpleNamespace(pk=1), level=None, capacity=Decimal(20), co_cases=1, co_weight=1, fraction=Decimal(load)
    )
    assert (measure.percent, measure.overloaded) == (percent, over)
    with translation.override("sv"):
        html = render_to_string("caseload/_load.html", {"w": measure})
    assert f"{text} · 1 ärende" in html
    assert ("över kapaciteten" in html) is over


def test_a_whole_number_share_is_rounded_half_up_away_from_capacity():
    assert load_percent(Decimal(12), Decimal(14)) == 86  # 85.7
    assert load_percent(Decimal("9.9"), Decimal(11)) == 90  # 90.0
    assert load_percent(Decimal(1), Decimal(0)) is None


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("page", ["caseload:board", "staff:unit_detail", "caseload:unit_dashboard"])
def test_the_load_costs_the_same_queries_for_three_workers_as_for_twelve(measured, page):
    w = measured
    client = w.client("alice")
    url = reverse(page, args=[w.unit.pk])
    client.get(url)  # warm-up: session renewal and the like happen once
    small = _count(client, url)
    for n in range(9):
        extra = worker(w.unit, f"extra{n}", level=1 + n % 3)
        case(w.unit, f"X-{n}", main=extra, co=w.dora, start=OPEN, weight=2)
        Absence.objects.create(
            organisation=w.org, staff=extra, kind="sick", start=TODAY, end=TODAY + datetime.timedelta(days=3)
        )
    assert _count(client, url) == small
