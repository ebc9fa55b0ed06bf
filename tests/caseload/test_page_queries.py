"""Issue 21: my caseload and the unit dashboard run the same queries with 3 cases as with 12 (no N+1), the
running investigations ride on the assignment query, and the rows' links stay what {% url %} gave."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.models import Case
from tests.caseload.factories import case

TODAY = datetime.datetime(2024, 6, 14, 9)


def _cases(ladder, first: int, last: int) -> None:
    """Cases of bob's: most with an investigation at risk and carol as co-handler, some without either."""
    for i in range(first, last):
        start = datetime.date(2024, 1, 5) + datetime.timedelta(days=i * 3)
        c = case(ladder.unit, f"N-{i:02}", main=ladder.bob, co=ladder.carol if i % 3 else None, start=start)
        if i % 4 == 0:
            c.investigations.all().delete()  # a follow-up: no running investigation
            Case.objects.filter(pk=c.pk).update(kind=Case.Kind.FOLLOW_UP)


def _captured(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries], response.content.decode()


@pytest.fixture
def pages(ladder):
    return {
        "mine": (ladder.client("bob"), reverse("caseload:my_caseload")),
        "dashboard": (ladder.client("alice"), reverse("caseload:unit_dashboard", args=[ladder.unit.pk])),
    }


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("page", ["mine", "dashboard"])
def test_three_and_twelve_cases_run_the_same_queries(ladder, pages, page):
    client, url = pages[page]
    _cases(ladder, 0, 3)
    client.get(url)  # warm-up: the session's renewal happens once
    small, small_html = _captured(client, url)
    _cases(ladder, 3, 12)
    large, large_html = _captured(client, url)
    assert len(small) == len(large), "\n".join(large)
    assert small_html.count("N-") < large_html.count("N-")
    assert all(f"N-{i:02}" in large_html for i in range(12) if page == "mine" or i % 4)


@time_machine.travel(TODAY, tick=False)
def test_my_caseload_reads_running_investigations_with_the_assignments(ladder, pages):
    """One query for the rows (assignments, partners and running investigations): the only other read of
    investigations is the count of those closed this month."""
    client, url = pages["mine"]
    _cases(ladder, 0, 5)
    client.get(url)
    sql, html = _captured(client, url)
    investigations = [q for q in sql if 'FROM "caseload_investigation"' in q]
    assert len(investigations) == 1 and "COUNT(" in investigations[0]
    rows = html.split('id="my-cases"', 1)[1]
    assert rows.count("data-days-legal>") == 3  # N-01..N-03 have an investigation, N-00 and N-04 do not
    assert rows.count('<td colspan="3">') == 2  # the kind in place of the deadlines
    assert rows.count("Carol Testsson") == 3  # N-01, N-02, N-04


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("page", ["mine", "dashboard"])
def test_row_links_are_those_of_reverse(ladder, pages, page):
    """Reversed once per table: every row's link is still reverse('caseload:case_detail', [pk]) of its case."""
    import re

    client, url = pages[page]
    _cases(ladder, 0, 12)
    html = client.get(url).content.decode()
    table = html.split('id="my-cases"' if page == "mine" else 'id="at-risk"', 1)[1].split("</table>", 1)[0]
    links = dict(re.findall(r'<a href="([^"]+)">(N-\d\d)</a>', table))
    expected = {
        reverse("caseload:case_detail", args=[c.pk]): c.number for c in Case.objects.filter(number__in=links.values())
    }
    assert links == expected
    assert len(links) == (12 if page == "mine" else 9)  # the dashboard lists those with an investigation
