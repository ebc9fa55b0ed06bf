"""Dates far off (year 1 or 9999) in addresses and forms get a message, a 400 or this year, never a 500: they used to
overflow the date arithmetic behind the supplement report, the access-log review and export, and the
survey round schedule."""

import pytest
from django.urls import reverse

from surveys.models import SurveyRound
from surveys.services import round_schedule
from surveys.tertials import Tertial

FAR = ("9999-12", "0001-01")


@pytest.mark.parametrize("month", FAR)
def test_access_review_shows_this_month_for_a_far_month(world, month):
    response = world.client("frank").get(reverse("staff:access_review"), {"month": month})
    assert response.status_code == 200


@pytest.mark.parametrize(("start", "end"), [("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-31")])
def test_access_export_refuses_far_dates_at_the_field(world, start, end):
    response = world.client("frank").get(reverse("staff:access_log_export"), {"start": start, "end": end})
    assert response.status_code == 400
    assert "Ange ett datum mellan åren 1900 och 2100." in response.content.decode()


def test_survey_round_cannot_be_moved_to_year_one(world):
    import datetime

    from django.utils import timezone

    def at(*args):
        return timezone.make_aware(datetime.datetime(*args))

    survey_round = round_schedule(
        organisation=world.org, tertial=Tertial(2026, 3), opens_at=at(2026, 12, 1, 8), closes_at=at(2026, 12, 15, 8)
    )
    response = world.client("erin").post(
        reverse("surveys:round_edit", args=[survey_round.pk]),
        {"opens_at": "0001-01-01T00:00", "closes_at": "9999-12-31T23:59"},
    )
    assert response.status_code in (200, 400)
    assert "Ange ett datum mellan åren 1900 och 2100." in response.content.decode()
    assert SurveyRound.objects.get(pk=survey_round.pk).opens_at == at(2026, 12, 1, 8)


@pytest.mark.parametrize("year", ["9999", "0", "99999999"])
def test_survey_results_page_shows_this_year_for_a_far_year(world, year):
    response = world.client("alice").get(reverse("surveys:unit_results", args=[world.unit.pk]), {"year": year})
    assert response.status_code == 200
