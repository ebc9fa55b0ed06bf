"""Turnover per year and per tertial, and consultant months, in the UI and the HR API (issue 16; docs/domain.md 9).

Turnover = leavers during the period / average headcount over it, where the average headcount is the mean of
the headcount on each day of the period (the days each person was employed / the days). A leaver is counted
in the period that holds their last day of employment. The world's units have six people employed all along
(alice, bob, carol, grace, heidi, ivan). Time is 15 January 2027: 2025 and 2026 are over.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from staff.models import StaffMember
from surveys.selectors import turnover, year_turnover
from surveys.tertials import Tertial
from tests.factories import StaffMemberFactory

D = datetime.date
LATER = datetime.datetime(2027, 1, 15, 12, 0, tzinfo=datetime.UTC)
ALL_ALONG = D(2020, 1, 1)


@pytest.fixture(autouse=True)
def _after_both_years():
    with time_machine.travel(LATER, tick=False):
        yield


def _person(world, *, start=ALL_ALONG, end=None, **extra) -> StaffMember:
    return StaffMemberFactory(
        organisation=world.org, unit=world.unit, employment_start=start, employment_end=end, **extra
    )


def _consultant(world, start, end) -> StaffMember:
    return _person(
        world,
        start=start,
        end=end,
        employment_type=StaffMember.EmploymentType.CONSULTANT,
        consultant_monthly_cost=Decimal("100000"),
    )


def _api(world, year: int) -> dict:
    response = world.client("erin").get(reverse("surveys_api:turnover"), {"year": year})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    ("last_day", "leaves_in"),
    [
        (D(2025, 12, 30), 2025),  # the day before the year's last
        (D(2025, 12, 31), 2025),  # the year's last day: a leaver of that year
        (D(2026, 1, 1), 2026),  # the next year's first day: a leaver of the next year
    ],
)
def test_a_leaver_is_counted_in_the_year_of_their_last_day(world, last_day, leaves_in):
    _person(world, end=last_day)
    by_year = {year: _api(world, year) for year in (2025, 2026)}
    assert {year: data["leavers"] for year, data in by_year.items()} == {
        2025: int(leaves_in == 2025),
        2026: int(leaves_in == 2026),
    }
    leaver_year = by_year[leaves_in]
    assert leaver_year["rate"] is not None and leaver_year["rate"] > 0
    other = by_year[2026 if leaves_in == 2025 else 2025]
    assert other["rate"] == 0.0


def test_a_leaver_on_31_december_and_one_on_1_january_give_each_year_its_rate(world):
    _person(world, end=D(2025, 12, 31))
    _person(world, end=D(2026, 1, 1))
    y2025, y2026 = _api(world, 2025), _api(world, 2026)
    # 2025: eight people every day, one leaver: 12.5 %. 2026: six all year and one for a day (6 + 1/365).
    assert (y2025["leavers"], y2025["average_headcount"], y2025["rate"]) == (1, 8.0, 12.5)
    assert (y2026["leavers"], y2026["average_headcount"], y2026["rate"]) == (1, 6.0, 16.7)
    assert (y2025["start"], y2025["end"], y2025["counted_until"]) == ("2025-01-01", "2025-12-31", "2025-12-31")


@pytest.mark.parametrize(
    ("hired", "year_average", "t3_average"),
    [
        (D(2025, 9, 30), 6.3, 6.8),  # 93/365 = 6.255; 93/122 = 6.762
        (D(2025, 10, 1), 6.3, 6.8),  # 92/365 = 6.252; 92/122 = 6.754
        (D(2025, 10, 2), 6.2, 6.7),  # 91/365 = 6.249; 91/122 = 6.746
    ],
)
def test_average_headcount_is_the_mean_of_each_day_with_a_mid_year_hire(world, hired, year_average, t3_average):
    _person(world, start=hired)
    row = year_turnover(organisation=world.org, year=2025)
    days = (D(2025, 12, 31) - hired).days + 1
    assert row.counts.staff_days == 6 * 365 + days
    assert row.average_headcount == (Decimal(6 * 365 + days) / 365).quantize(Decimal("0.1"))
    t3 = next(t for t in row.tertials if t.tertial == Tertial(2025, 3))
    assert t3.average_headcount == (Decimal(6 * 122 + days) / 122).quantize(Decimal("0.1"))
    assert (_api(world, 2025)["average_headcount"], float(t3.average_headcount)) == (year_average, t3_average)


def test_a_hire_on_1_october_is_not_half_a_person_in_the_tertial(world):
    """Before, the average was (headcount on the first day + on the last day) / 2 = 6.5 for T3."""
    _person(world, start=D(2025, 10, 1))
    data = _api(world, 2025)
    t3 = next(t for t in data["tertials"] if t["tertial"] == "2025-T3")
    assert t3["average_headcount"] == 6.8  # 6 + 92/122
    report = world.client("erin").get(reverse("surveys_api:tertial_report", args=["2025-T3"])).json()
    assert report["organisation"]["average_headcount"] == 6.8


@pytest.mark.parametrize(
    ("start", "end", "t1", "t2"),
    [
        (D(2026, 4, 30), D(2026, 4, 30), 0.03, 0.0),  # T1's last day only: 1/30
        (D(2026, 4, 30), D(2026, 5, 1), 0.03, 0.03),  # across the boundary: 1/30 and 1/31
        (D(2026, 5, 1), D(2026, 5, 1), 0.0, 0.03),  # T2's first day only: 1/31
        (D(2026, 4, 16), D(2026, 5, 15), 0.5, 0.48),  # 15/30 and 15/31
        (D(2026, 4, 1), D(2026, 5, 31), 1.0, 1.0),
    ],
)
def test_consultant_months_are_split_at_the_tertial_boundary(world, start, end, t1, t2):
    _consultant(world, start, end)
    data = _api(world, 2026)
    months = {t["tertial"]: t["consultant_months"] for t in data["tertials"]}
    assert months == {"2026-T1": t1, "2026-T2": t2, "2026-T3": 0.0}
    assert data["consultant_months"] == pytest.approx(t1 + t2)
    for tertial, expected in (("2026-T1", t1), ("2026-T2", t2)):
        report = world.client("erin").get(reverse("surveys_api:tertial_report", args=[tertial])).json()
        assert report["organisation"]["consultant_months"] == expected
        units = {u["name"]: u for d in report["departments"] for u in d["units"]}
        assert units["Utredning"]["consultant_months"] == expected


def test_the_running_year_is_counted_to_today(world):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC), tick=False):
        _person(world, end=D(2026, 6, 30))  # announced: not a leaver yet
        data = _api(world, 2026)
        assert (data["counted_until"], data["leavers"], data["average_headcount"]) == ("2026-03-10", 0, 7.0)
        t2 = next(t for t in data["tertials"] if t["tertial"] == "2026-T2")
        assert (t2["counted_until"], t2["average_headcount"], t2["rate"], t2["leavers"]) == (None, None, None, 0)
        assert _api(world, 2027)["average_headcount"] is None


def test_the_exits_page_shows_turnover_per_year_and_consultant_months(world):
    _person(world, end=D(2026, 1, 1))
    _consultant(world, D(2026, 4, 16), D(2026, 5, 15))
    html = world.client("erin").get(reverse("surveys:exits")).content.decode()
    assert "Personalomsättning bland enheternas personal per år" in html
    assert "Konsultmånader" in html and "medelvärdet av antalet anställda varje dag" in html
    year_row = html.split('<th scope="row">2026</th>')[1].split("</tr>")[0]
    # counted until, leavers, average headcount (6 + 1/365: the consultant is no employee), turnover (1 / 6.003),
    # consultant months (15/30 + 15/31)
    assert [cell.split(">")[-1] for cell in year_row.split("</td>")[:-1]] == [
        "2026-12-31",
        "1",
        "6,0",
        "16,7 %",
        "0,98",
    ]


def test_a_consultant_is_counted_in_consultant_months_not_in_turnover(world):
    _consultant(world, D(2026, 1, 1), D(2026, 6, 30))
    data = _api(world, 2026)
    assert (data["leavers"], data["average_headcount"], data["rate"], data["consultant_months"]) == (0, 6.0, 0.0, 6.0)


def test_turnover_of_the_exits_page_and_the_api_agree(world):
    _person(world, end=D(2026, 1, 1))
    rows = turnover(organisation=world.org, tertials=[Tertial(2026, 1)])
    data = _api(world, 2026)
    t1 = next(t for t in data["tertials"] if t["tertial"] == "2026-T1")
    assert (rows[0].leavers, float(rows[0].average_headcount), float(rows[0].rate)) == (
        t1["leavers"],
        t1["average_headcount"],
        t1["rate"],
    )


def test_the_turnover_api_answers_in_a_constant_number_of_queries(world, django_assert_max_num_queries):
    client = world.client("erin")
    client.get(reverse("surveys_api:turnover"), {"year": 2026})
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("surveys_api:turnover"), {"year": 2026})
    for n in range(10):
        _person(world, end=D(2026, 3, n + 1))
        _person(world, employment_type=StaffMember.EmploymentType.CONSULTANT, consultant_monthly_cost=Decimal(1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("surveys_api:turnover"), {"year": 2026}).json()["leavers"] == 10
