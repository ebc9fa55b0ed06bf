"""Turnover's "under N years in the profession" counts to the day, with N an organisation setting (issue 16, item 6).

T1 2026 ends on 30 April 2026: a profession start on 30 April 2024 is exactly two years, so not under two
(before, any start after 28 April 2024 counted); 1 May 2024 is one day short and counts.
"""

import datetime

import pytest
from django.urls import reverse

from surveys.models import SurveySettings
from surveys.selectors import turnover
from surveys.services import survey_settings_update
from surveys.tertials import Tertial
from tests.factories import StaffMemberFactory


def _share_with_newcomer(world, profession_start):
    StaffMemberFactory(
        organisation=world.org,
        unit=world.unit,
        profession_start=profession_start,
        employment_start=datetime.date(2024, 1, 1),
    )
    return str(turnover(organisation=world.org, tertials=[Tertial(2026, 1)])[0].under_two_years)


@pytest.mark.parametrize(
    ("profession_start", "share"),
    [
        (datetime.date(2024, 4, 29), "0.0"),  # two years and a day
        (datetime.date(2024, 4, 30), "0.0"),  # exactly two years: not under two
        (datetime.date(2024, 5, 1), "14.3"),  # a day short: 1 of 7
    ],
)
def test_under_two_years_counts_to_the_day(world, profession_start, share):
    assert _share_with_newcomer(world, profession_start) == share


def test_the_years_are_an_organisation_setting(world):
    assert SurveySettings._meta.get_field("junior_years").default == 2
    survey_settings_update(organisation=world.org, junior_years=3)
    assert _share_with_newcomer(world, datetime.date(2023, 5, 1)) == "14.3"  # under three years
    row = turnover(organisation=world.org, tertials=[Tertial(2026, 1)])[0]
    assert row.junior_years == 3
    survey_settings_update(organisation=world.other_org, junior_years=1)  # another organisation's setting
    assert str(turnover(organisation=world.org, tertials=[Tertial(2026, 1)])[0].under_two_years) == "14.3"


def test_settings_page_sets_the_years_and_refuses_zero(world):
    client = world.client("frank")
    url = reverse("surveys:admin")
    form = client.get(url).content.decode()
    assert 'name="junior_years"' in form
    base = {"open_hour": 8, "open_days": 14, "first_reminder_hours": 72, "final_reminder_hours": 24}
    refused = client.post(url, {**base, "min_respondents": 5, "junior_years": 0})
    assert refused.status_code == 200 and "Ange minst 1 år." in refused.content.decode()
    assert SurveySettings.objects.get(organisation=world.org).junior_years == 2
    assert client.post(url, {**base, "min_respondents": 5, "junior_years": 3}).status_code == 302
    assert SurveySettings.objects.get(organisation=world.org).junior_years == 3


def test_exits_page_names_the_years_of_the_setting(world):
    survey_settings_update(organisation=world.org, junior_years=3)
    html = world.client("erin").get(reverse("surveys:exits")).content.decode()
    assert "Under 3 år i yrket" in html
