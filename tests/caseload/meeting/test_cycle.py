"""Cycle settings per unit, the cycle on the unit's pages, the calendar feed and its secret address."""

import datetime
import time

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from caseload.models import CycleSettings, MeetingCycle
from caseload.tasks import cycles_roll_forward


def test_manager_sets_the_cycle_and_the_page_shows_it(ladder, frozen):
    client = ladder.client("alice")
    url = reverse("caseload:unit_cycle", args=[ladder.unit.pk])
    assert "Ingen fördelningscykel" in client.get(url).content.decode()
    response = client.post(url, {"anchor": "2026-01-12", "period_weeks": 5, "review_reminder_days": "7,3"}, follow=True)
    html = response.content.decode()
    assert "Cykeln är sparad." in html
    # Today (8 January) is in the cycle that began 8 December 2025: its fifth week.
    assert "måndag 8 december 2025, 08:30" in html
    assert "Arbetsvecka 4" in html
    upcoming = html.split('id="upcoming-cycles"', 1)[1]
    assert "12 januari 2026 08:30" in upcoming and "16 februari 2026 08:30" in upcoming


def test_a_cycle_must_start_on_a_monday_and_nothing_is_saved(ladder, frozen):
    client = ladder.client("alice")
    url = reverse("caseload:unit_cycle", args=[ladder.unit.pk])
    html = client.post(url, {"anchor": "2026-01-13", "period_weeks": 5, "review_reminder_days": "7,3"}).content.decode()
    assert "Cykeln måste börja på en måndag." in html
    html = client.post(url, {"anchor": "2026-01-12", "period_weeks": 1, "review_reminder_days": "7"}).content.decode()
    assert "Kontrollera att detta värde är större än eller lika med 2." in html
    assert not CycleSettings.objects.exists()


def test_a_worker_sees_the_cycle_but_cannot_change_it(cycle):
    client = cycle.client("bob")
    url = reverse("caseload:unit_cycle", args=[cycle.unit.pk])
    html = client.get(url).content.decode()
    assert "måndag 8 december 2025, 08:30" in html
    assert "token-url" not in html  # the secret address is for managers
    assert client.post(url, {"anchor": "2026-01-19", "period_weeks": 4}).status_code == 403
    assert CycleSettings.objects.get().anchor == datetime.date(2026, 1, 12)


def test_feed_needs_a_session_or_the_secret_token(cycle):
    settings = CycleSettings.objects.get()
    signed_in = cycle.client("bob").get(reverse("caseload:unit_feed", args=[cycle.unit.pk]))
    assert signed_in.status_code == 200
    assert signed_in["Content-Type"].startswith("text/calendar")
    meetings = [e for e in Calendar.from_ical(signed_in.content).walk("VEVENT") if e["SUMMARY"] == "Fördelningsmöte"]
    starts = {e.decoded("DTSTART").replace(tzinfo=None) for e in meetings}
    assert datetime.datetime(2026, 1, 12, 8, 30) in starts
    assert datetime.datetime(2026, 2, 16, 8, 30) in starts
    anonymous = Client()
    assert anonymous.get(reverse("caseload:unit_feed", args=[cycle.unit.pk])).status_code == 302
    token_url = reverse("caseload:token_feed", args=[cycle.unit.pk, settings.feed_token])
    assert anonymous.get(token_url).status_code == 200
    assert anonymous.get(reverse("caseload:token_feed", args=[cycle.unit.pk, "guessed"])).status_code == 404
    # Another unit's id with this unit's token answers 404 too.
    assert (
        anonymous.get(reverse("caseload:token_feed", args=[cycle.intake_unit.pk, settings.feed_token])).status_code
        == 404
    )


def test_manager_regenerates_the_token_and_the_old_address_stops_working(cycle):
    old = CycleSettings.objects.get().feed_token
    assert cycle.client("bob").post(reverse("caseload:feed_token_regenerate", args=[cycle.unit.pk])).status_code == 403
    assert CycleSettings.objects.get().feed_token == old
    response = cycle.client("alice").post(reverse("caseload:feed_token_regenerate", args=[cycle.unit.pk]), follow=True)
    assert "Den gamla fungerar inte längre." in response.content.decode()
    new = CycleSettings.objects.get().feed_token
    assert new != old
    assert Client().get(reverse("caseload:token_feed", args=[cycle.unit.pk, old])).status_code == 404
    assert Client().get(reverse("caseload:token_feed", args=[cycle.unit.pk, new])).status_code == 200


@pytest.mark.celery_worker
def test_real_worker_rolls_cycles_forward_once(ladder, celery_worker):
    """The worker process runs on the real clock: it makes today's cycle and the next, and only once."""
    CycleSettings.objects.create(organisation=ladder.org, unit=ladder.unit, anchor=datetime.date(2026, 1, 12))
    cycles_roll_forward.delay(organisation_id=ladder.org.pk)
    cycles_roll_forward.delay(organisation_id=ladder.org.pk)
    celery_worker.wait_until(lambda: MeetingCycle.objects.count() >= 2)
    time.sleep(2)  # give the duplicate message time to be handled
    mondays = sorted(MeetingCycle.objects.values_list("allocation_monday", flat=True))
    assert len(mondays) == 2
    today = datetime.date.today()
    assert mondays[0] <= today < mondays[1] == mondays[0] + datetime.timedelta(weeks=5)
    assert (mondays[0] - datetime.date(2026, 1, 12)).days % 35 == 0
