"""The worker's caseload and the manager's dashboard: days left with frozen time, at-risk lists, query counts."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from caseload.models import Investigation
from staff.models import Absence
from tests.caseload.factories import case, worker


def _rows(html: str) -> str:
    return html.split('id="my-cases"', 1)[1]


@pytest.mark.parametrize(
    ("today", "start", "to_target", "to_legal"),
    [
        (datetime.date(2024, 2, 29), datetime.date(2024, 1, 31), 61, 92),  # legal 2024-05-31
        (datetime.date(2024, 2, 28), datetime.date(2023, 10, 31), -30, 1),  # legal 2024-02-29 (leap year)
        (datetime.date(2023, 3, 1), datetime.date(2022, 10, 31), -31, -1),  # legal 2023-02-28
        (datetime.date(2024, 5, 31), datetime.date(2024, 1, 31), -31, 0),
    ],
)
def test_worker_sees_days_left_around_month_ends(ladder, today, start, to_target, to_legal):
    c = case(ladder.unit, "D-1", main=ladder.bob, co=ladder.carol, start=start)
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(9)), tick=False):
        html = ladder.client("bob").get(reverse("caseload:my_caseload")).content.decode()
    rows = _rows(html)
    assert c.number in rows
    assert f"data-days-target>{to_target}<" in rows
    assert f"data-days-legal>{to_legal}<" in rows


@time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)
def test_my_caseload_sorts_by_urgency_and_shows_load_and_absence(ladder):
    w = ladder
    dora = worker(w.unit, "dora", level=3)
    case(w.unit, "CALM", main=w.bob, co=dora, start=datetime.date(2024, 6, 1))
    case(w.unit, "LATE", main=w.bob, co=w.carol, start=datetime.date(2024, 1, 10))
    case(w.unit, "WARN", main=dora, co=w.bob, start=datetime.date(2024, 4, 10))
    case(w.unit, "DONE", main=w.bob, start=datetime.date(2024, 2, 1), closed_on=datetime.date(2024, 6, 3))
    Absence.objects.create(
        organisation=w.org,
        staff=w.bob,
        kind="vacation",
        start=datetime.date(2024, 7, 1),
        end=datetime.date(2024, 7, 21),
    )
    html = w.client("bob").get(reverse("caseload:my_caseload")).content.decode()
    rows = _rows(html)
    assert rows.index("LATE") < rows.index("WARN") < rows.index("CALM")
    assert "DONE" not in rows
    assert "Över lagstadgad tid" in rows and "Varning" in rows and "I fas" in rows
    # Load: 2 as main + 0.5 × 1 as co (all weight 1) against 22 (level 2, full time, no absence in June).
    assert "2,5 av 22 (11 %) · 3 ärenden" in html
    assert "1 av målet 2 utredningar" in html
    assert "Semester: 1 juli 2024–21 juli 2024 (100 %)" in html


@time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)
def test_capacity_scales_with_fte_and_absence(ladder):
    from decimal import Decimal

    from caseload.models import CaseloadSettings
    from caseload.selectors import worker_loads

    w = ladder
    w.bob.fte = Decimal("0.50")
    w.bob.save()
    Absence.objects.create(
        organisation=w.org, staff=w.bob, kind="sick", start=datetime.date(2024, 6, 1), end=datetime.date(2024, 6, 15)
    )
    novice = worker(w.unit, "nova", level=1)
    loads = worker_loads(
        organisation=w.org,
        staff=[w.bob, novice, w.carol],
        today=datetime.date(2024, 6, 14),
        settings=CaseloadSettings.for_org(w.org),
    )
    assert loads[0].capacity == Decimal(22) * Decimal("0.50") * Decimal(15) / Decimal(30)
    assert loads[1].capacity == 12
    # The specialist holds no own cases: 6 co-handled cases (specialist_co_capacity) at the co-handling share.
    assert loads[2].capacity == Decimal(3) and loads[2].holds_no_cases


@time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)
def test_dashboard_shows_at_risk_investigations_coverage_and_span(ladder):
    w = ladder
    case(w.unit, "PAST-LEGAL", main=w.bob, start=datetime.date(2024, 1, 10))
    case(w.unit, "PAST-TARGET", main=w.bob, co=w.carol, start=datetime.date(2024, 3, 1))
    case(w.unit, "DAY-75", main=w.bob, co=w.carol, start=datetime.date(2024, 3, 28))
    case(w.unit, "CALM", main=w.bob, co=w.carol, start=datetime.date(2024, 6, 1))
    ext = case(w.unit, "EXTENDED", main=w.bob, co=w.carol, start=datetime.date(2024, 1, 20))
    Investigation.objects.filter(case=ext).update(extended_until=datetime.date(2024, 7, 20))
    html = w.client("alice").get(reverse("caseload:unit_dashboard", args=[w.unit.pk])).content.decode()
    risk = html.split('id="at-risk"', 1)[1].split("</table>", 1)[0]
    assert "CALM" not in risk
    assert risk.index("PAST-LEGAL") < risk.index("PAST-TARGET") < risk.index("DAY-75")
    assert (
        "Över lagstadgad tid" in risk and "Över måldatum" in risk and "Andra varningen" in risk and "Förlängd" in risk
    )
    assert '<p class="mb-0 fs-4" id="at-risk-total">4</p>' in html
    assert "80,0 %" in html  # 4 of 5 open cases have a co-handler: below the 90 % target
    assert "load-chart-data" in html and "chart.umd.min.js" in html
    assert "<script>" not in html


@time_machine.travel(datetime.datetime(2024, 6, 14, 9, 5), tick=False)
def test_organisation_coverage_is_the_beats_figure_and_says_when(ladder, settings):
    """The unit's coverage is live; the organisation's comparison figure is the one the beat counted (times in
    Stockholm, UTC+2 in June), read from one row whatever the organisation's size, with Redis or without."""
    from caseload.tasks import BEAT_SCHEDULE, coverage_count

    settings.CASELOAD_ORGANISATION_FIGURES_SECONDS = 300
    assert BEAT_SCHEDULE["caseload-coverage-count"]["schedule"] == 300
    w = ladder
    case(w.unit, "A", main=w.bob, co=w.carol, start=datetime.date(2024, 6, 1))
    client, url = w.client("alice"), reverse("caseload:unit_dashboard", args=[w.unit.pk])
    html = client.get(url).content.decode()
    assert "Organisation: 100,0 %" in html and "räknad kl." not in html  # not counted by the beat yet: live
    coverage_count(organisation_id=w.org.pk)  # the beat
    case(w.unit, "B", main=w.bob, start=datetime.date(2024, 6, 2))  # no co-handler
    html = client.get(url).content.decode()
    assert "1 av 2 öppna ärenden" in html  # the unit: live
    assert "Organisation: 100,0 %" in html and "(räknad kl. 11:05)" in html  # as counted, with the time counted
    counted = _queries(client, url)
    _grow(ladder, 12)
    cache.clear()
    assert _queries(client, url) == counted  # no count of the organisation's cases on the page, cache or not
    with time_machine.travel(datetime.datetime(2024, 6, 14, 9, 11), tick=False):
        coverage_count(organisation_id=w.org.pk)
        html = client.get(url).content.decode()
    assert "Organisation: 92,8 %" in html and "(räknad kl. 11:11)" in html  # 13 of 14


def test_dashboard_is_for_the_units_managers(ladder):
    url = reverse("caseload:unit_dashboard", args=[ladder.unit.pk])
    assert ladder.client("ivan").get(url).status_code == 200
    assert ladder.client("dave").get(url).status_code == 200  # department head
    assert ladder.client("bob").get(url).status_code == 403
    assert ladder.client("charlie").get(url).status_code == 404


def _grow(ladder, n):
    for i in range(n):
        start = datetime.date(2024, 1, 5) + datetime.timedelta(days=i * 3)
        case(ladder.unit, f"Q-{n}-{i}", main=ladder.bob, co=ladder.carol, start=start, weight=1 + i % 3)


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)
def test_my_caseload_runs_constant_queries(ladder):
    client = ladder.client("bob")
    url = reverse("caseload:my_caseload")
    _grow(ladder, 2)
    client.get(url)  # warm-up: session renewal and the like happen once
    small = _queries(client, url)
    _grow(ladder, 25)
    large = _queries(client, url)
    assert small == large
    assert client.get(url).content.decode().count("Q-") >= 25


@time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)
def test_dashboard_runs_constant_queries(ladder):
    client = ladder.client("alice")
    url = reverse("caseload:unit_dashboard", args=[ladder.unit.pk])
    _grow(ladder, 2)
    client.get(url)
    small = _queries(client, url)
    _grow(ladder, 25)
    for i in range(5):
        worker(ladder.unit, f"extra{i}", level=2)
    large = _queries(client, url)
    assert small == large


def test_load_csv_escapes_formulas(ladder):
    ladder.bob.first_name = "=HYPERLINK(1)"
    ladder.bob.save()
    case(ladder.unit, "CSV-1", main=ladder.bob)
    response = ladder.client("alice").get(reverse("caseload:unit_load_csv", args=[ladder.unit.pk]))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("Medarbetare;Nivå;Huvud;Med;Belastning")
    assert "'=HYPERLINK(1) Testsson;2;1;0;1;1;22,0;5;0" in text
    assert ladder.client("bob").get(reverse("caseload:unit_load_csv", args=[ladder.unit.pk])).status_code == 403


def test_load_xlsx_has_the_csv_rows_with_numbers_as_numbers(ladder):
    from tests.xlsx import assert_same_rows, csv_rows, sheet

    ladder.bob.first_name = "=HYPERLINK(1)"
    ladder.bob.save()
    case(ladder.unit, "XLSX-1", main=ladder.bob)
    url = reverse("caseload:unit_load_csv", args=[ladder.unit.pk])
    client = ladder.client("alice")
    cells = sheet(client.get(url, {"format": "xlsx"}))
    assert_same_rows(csv_rows(client.get(url)), cells)
    bob = next(row for row in cells if str(row[0].value).startswith("=HYPERLINK"))
    assert bob[0].data_type == "s"  # a text, never a formula
    assert [c.value for c in bob[1:]] == [2, 1, 0, 1, 1, 22, 5, 0]
    assert client.get(url, {"format": "pdf"}).status_code == 400
    assert ladder.client("bob").get(url, {"format": "xlsx"}).status_code == 403
