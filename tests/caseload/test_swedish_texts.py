"""Swedish texts read right at their edges (issue 16): days past a date are "över", not "-47 dagar kvar";
a specialist's own load is not "5 av 0,0 ärenden"; the survey trend is "över tertialerna"; amounts in
kronor are grouped by thousands ("58 147,58 kr")."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from competence.models import LadderLevel, SupplementRate
from tests.caseload.factories import case

TODAY = datetime.date(2024, 6, 14)


@time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)
@pytest.mark.parametrize(
    ("days_past_target", "text"),
    [(47, "47 dagar över"), (1, "1 dag över"), (0, "0 dagar kvar"), (-1, "1 dag kvar")],
)
def test_case_page_says_days_over_the_target_not_negative_days_left(ladder, days_past_target, text):
    start = TODAY - datetime.timedelta(days=90 + days_past_target)  # target = start + 90 days
    c = case(ladder.unit, "SV-1", main=ladder.bob, co=ladder.carol, start=start)
    html = ladder.client("bob").get(reverse("caseload:case_detail", args=[c.pk])).content.decode()
    target = html.split("Måldatum", 1)[1].split("</dd>", 1)[0]
    assert text in target
    assert "-" + str(abs(days_past_target)) not in target.split("–", 1)[1]


@time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)
def test_case_page_says_days_over_the_legal_deadline(ladder):
    c = case(ladder.unit, "SV-2", main=ladder.bob, co=ladder.carol, start=datetime.date(2024, 2, 1))
    html = ladder.client("bob").get(reverse("caseload:case_detail", args=[c.pk])).content.decode()
    legal = html.split("Lagstadgat slutdatum", 1)[1].split("</dd>", 1)[0]
    assert "13 dagar över" in legal  # the deadline was 1 June 2024


@time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False)
def test_specialist_load_is_their_co_handled_cases_not_x_of_zero(ladder):
    for n in range(3):
        case(ladder.unit, f"SP-{n}", main=ladder.bob, co=ladder.carol, start=datetime.date(2024, 6, 1))
    html = ladder.client("carol").get(reverse("caseload:my_caseload")).content.decode()
    load = html.split('id="load-heading"', 1)[1].split("</section>", 1)[0]
    assert "av 0,0 ärenden" not in load
    assert "3 ärenden som medhandläggare (en specialist har inga egna ärenden)" in load
    bob = ladder.client("bob").get(reverse("caseload:my_caseload")).content.decode()
    assert "3 av 22 (14 %) · 3 ärenden" in bob.split('id="load-heading"', 1)[1]  # other workers: cases held


def test_survey_trend_heading_is_plural(world):
    html = world.client("alice").get(reverse("surveys:unit_results", args=[world.unit.pk])).content.decode()
    assert "Utveckling över tertialerna" in html and "över tertialen" not in html


@time_machine.travel(datetime.datetime(2026, 3, 10, 12), tick=False)
def test_ladder_overview_groups_kronor_by_thousands(ladder):
    level = LadderLevel.objects.get(organisation=ladder.org, number=2)
    SupplementRate.objects.create(
        organisation=ladder.org, level=level, valid_from=datetime.date(2020, 1, 1), amount=Decimal("58147.58")
    )
    html = ladder.client("alice").get(reverse("competence:overview")).content.decode()
    cost = html.split("Kostnad för tillägg denna månad", 1)[1].split("</p>", 1)[0]
    assert "58\xa0147,58 kr" in cost
    settings = ladder.client("frank").get(reverse("competence:settings")).content.decode()
    assert "58\xa0147,58" in settings  # the amounts on the settings page too
