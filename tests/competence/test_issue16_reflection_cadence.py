"""Issue 16: the reflection-session cadence (Kiruna: twice a month for the first 4 months, then monthly up to one
year) is a set of organisation settings, used wherever the sessions are planned."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from competence.models import LadderSettings, ReflectionSession
from competence.selectors import ladder_settings
from competence.services import placement_start, reflection_sessions_plan
from competence.services.introduction import reflection_dates
from tests.competence.settings_data import settings_form_data
from tests.factories import StaffMemberFactory

START = datetime.date(2026, 1, 12)
D = datetime.date


def _dates(world, **settings):
    ladder_settings(organisation=world.org)  # the row, created on first read, before it is changed
    if settings:
        LadderSettings.objects.filter(organisation=world.org).update(**settings)
    return reflection_dates(START, ladder_settings(organisation=world.org))


def test_the_cadence_defaults_to_kirunas(world):
    s = ladder_settings(organisation=world.org)
    assert (
        s.reflection_intensive_months,
        s.reflection_intensive_per_month,
        s.reflection_total_months,
        s.reflection_later_per_month,
    ) == (4, 2, 12, 1)


def test_twice_a_month_through_the_fourth_month_then_monthly_from_the_fifth(world):
    dates = _dates(world)
    # the fourth month (from 2026-04-12) still has two sessions; the fifth (from 2026-05-12) has one
    assert [d for d in dates if D(2026, 4, 1) <= d < D(2026, 6, 1)] == [D(2026, 4, 12), D(2026, 4, 26), D(2026, 5, 12)]
    assert D(2026, 5, 26) not in dates
    assert len(dates) == 16 and dates[-1] == D(2026, 12, 12)


def test_three_intensive_months_end_the_two_a_month_sessions_after_the_third(world):
    dates = _dates(world, reflection_intensive_months=3)
    assert [d for d in dates if D(2026, 3, 1) <= d < D(2026, 5, 1)] == [D(2026, 3, 12), D(2026, 3, 26), D(2026, 4, 12)]
    assert len(dates) == 3 * 2 + 9


def test_five_intensive_months_keep_two_sessions_in_the_fifth(world):
    dates = _dates(world, reflection_intensive_months=5)
    assert D(2026, 5, 26) in dates and D(2026, 6, 26) not in dates


def test_sessions_per_month_and_total_months_follow_the_settings(world):
    dates = _dates(world, reflection_intensive_per_month=4, reflection_total_months=6, reflection_later_per_month=0)
    assert dates[:4] == [D(2026, 1, 12), D(2026, 1, 19), D(2026, 1, 26), D(2026, 2, 2)]
    assert len(dates) == 16 and max(dates) < D(2026, 5, 12)


def test_a_new_employee_placed_on_level_1_gets_the_organisations_cadence(world, ladder):
    ladder_settings(organisation=world.org)
    LadderSettings.objects.filter(organisation=world.org).update(
        reflection_intensive_months=2, reflection_total_months=6
    )
    member = StaffMemberFactory(organisation=world.org, unit=world.unit, employment_start=START)
    placement_start(organisation=world.org, staff=member, level=ladder[1], start=START)
    assert ReflectionSession.objects.filter(staff=member).count() == 2 * 2 + 4
    other = StaffMemberFactory(organisation=world.other_org, unit=world.other_unit, employment_start=START)
    assert reflection_sessions_plan(organisation=world.other_org, staff=other, start=START) == 16


def _post(world, **changes):
    return world.client("frank").post(reverse("competence:settings"), settings_form_data(**changes))


def test_the_organisation_admin_sets_the_cadence_on_the_settings_page(world):
    page = world.client("frank").get(reverse("competence:settings")).content.decode()
    assert "Reflektionstillfällen per månad de första månaderna" in page and "Kiruna: två gånger i månaden." in page
    assert _post(world, reflection_intensive_months="3", reflection_later_per_month="2").status_code == 302
    s = ladder_settings(organisation=world.org)
    assert (s.reflection_intensive_months, s.reflection_later_per_month) == (3, 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reflection_intensive_months": "13"}, "Månaderna med täta tillfällen kan inte vara fler"),
        ({"reflection_intensive_per_month": "0"}, "Kontrollera att detta värde är större än eller lika med 1."),
        ({"reflection_intensive_per_month": "5"}, "Kontrollera att detta värde är mindre än eller lika med 4."),
        ({"reflection_total_months": "0"}, "Kontrollera att detta värde är större än eller lika med 1."),
        ({"reflection_later_per_month": "5"}, "Kontrollera att detta värde är mindre än eller lika med 4."),
    ],
)
def test_a_cadence_out_of_range_is_refused_at_the_field(world, changes, message):
    response = _post(world, **changes)
    assert response.status_code == 400 and message in response.content.decode()
    assert ladder_settings(organisation=world.org).reflection_intensive_months == 4
