"""Issue 16: a mentorship lasts 6–12 months by default (organisation settings); outside that range it is saved
with a warning, never refused."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from competence.models import LadderSettings, Mentorship
from competence.selectors import ladder_settings, mentorship_length_warning
from tests.competence.settings_data import settings_form_data

START = datetime.date(2026, 2, 2)


def _warning(org, end, start=START):
    return mentorship_length_warning(settings=ladder_settings(organisation=org), start=start, end=end)


def test_the_mentorship_guideline_defaults_to_6_to_12_months(world):
    settings = ladder_settings(organisation=world.org)
    assert (settings.mentor_min_months, settings.mentor_max_months) == (6, 12)


@pytest.mark.parametrize(
    ("end", "warned"),
    [
        (datetime.date(2026, 7, 31), True),  # a day short of 6 months
        (datetime.date(2026, 8, 1), False),  # exactly 6 months
        (datetime.date(2026, 8, 2), False),
        (datetime.date(2027, 1, 31), False),
        (datetime.date(2027, 2, 1), False),  # exactly 12 months
        (datetime.date(2027, 2, 2), True),  # a day over 12 months
    ],
)
def test_a_mentorship_outside_6_to_12_months_is_warned_of_to_the_day(world, end, warned):
    assert bool(_warning(world.org, end)) is warned


def test_the_warning_says_the_guideline_and_the_date_that_would_follow_it(world):
    assert _warning(world.org, datetime.date(2026, 5, 1)) == (
        "Mentorskapet är kortare än riktlinjen på 6–12 månader: för att följa den varar det minst till och med "
        "2026-08-01."
    )
    assert _warning(world.org, datetime.date(2027, 6, 1)) == (
        "Mentorskapet är längre än riktlinjen på 6–12 månader: för att följa den slutar det senast 2027-02-01."
    )


def test_the_guideline_follows_the_organisation_settings(world):
    ladder_settings(organisation=world.org)
    LadderSettings.objects.filter(organisation=world.org).update(mentor_min_months=3, mentor_max_months=4)
    assert not _warning(world.org, datetime.date(2026, 5, 1))
    assert _warning(world.org, datetime.date(2026, 8, 1))
    assert not mentorship_length_warning(
        settings=ladder_settings(organisation=world.other_org), start=START, end=datetime.date(2026, 8, 1)
    )


def test_a_short_mentorship_is_saved_with_a_warning_not_refused(world, ladder):
    client = world.client("alice")
    response = client.post(
        reverse("competence:mentor_add", args=[world.bob.pk]),
        {"mentor": world.carol.pk, "start": "2026-02-02", "end": "2026-05-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert Mentorship.objects.get(staff=world.bob).end == datetime.date(2026, 5, 1)
    page = response.content.decode()
    assert "Mentorn sparades." in page and "Mentorskapet är kortare än riktlinjen på 6–12 månader" in page
    assert "Utanför riktlinjen" in page  # the list of mentors on the person page says it too


def test_a_mentorship_within_the_guideline_is_saved_without_a_warning(world, ladder):
    response = world.client("alice").post(
        reverse("competence:mentor_add", args=[world.bob.pk]),
        {"mentor": world.carol.pk, "start": "2026-02-02", "end": "2027-02-01"},
        follow=True,
    )
    page = response.content.decode()
    assert "Mentorn sparades." in page and "riktlinjen" not in page


def test_the_mentor_form_proposes_the_longest_guideline_length(world, ladder):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)):
        page = world.client("alice").get(reverse("competence:staff_detail", args=[world.bob.pk])).content.decode()
    assert 'name="start" value="2026-03-10"' in page and 'name="end" value="2027-03-09"' in page


def _post_settings(world, **changes):
    return world.client("frank").post(reverse("competence:settings"), settings_form_data(**changes))


def test_the_organisation_admin_sets_the_mentorship_guideline(world):
    assert _post_settings(world, mentor_min_months="3", mentor_max_months="9").status_code == 302
    settings = ladder_settings(organisation=world.org)
    assert (settings.mentor_min_months, settings.mentor_max_months) == (3, 9)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mentor_min_months": "10", "mentor_max_months": "8"}, "Det längsta mentorskapet kan inte vara kortare"),
        ({"mentor_min_months": "0"}, "Kontrollera att detta värde är större än eller lika med 1."),
        ({"mentor_max_months": "37"}, "Kontrollera att detta värde är mindre än eller lika med 36."),
        ({"mentor_max_months": "tolv"}, "Fyll i ett heltal."),
    ],
)
def test_a_mentorship_guideline_out_of_range_is_refused_at_the_field(world, changes, message):
    response = _post_settings(world, **changes)
    assert response.status_code == 400 and message in response.content.decode()
    settings = ladder_settings(organisation=world.org)
    assert (settings.mentor_min_months, settings.mentor_max_months) == (6, 12)
