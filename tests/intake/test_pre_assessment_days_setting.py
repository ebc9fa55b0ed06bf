"""The pre-assessment's days (the law's 14) are an organisation setting on the intake settings page, 1 to 30;
the due date is computed from it. Issue 16."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from intake import selectors
from intake.models import IntakeItem, IntakeSettings

STHLM = ZoneInfo("Europe/Stockholm")
REGISTERED = datetime.datetime(2024, 6, 14, 10, 0, tzinfo=STHLM)


def _set_days(world, days):
    return world.client("frank").post(reverse("intake:settings"), {"pre_assessment_days": days})


def _register(world, number="MOT-2024-7"):
    data = {
        "case_number": number,
        "kind": "report",
        "received_at": "2024-06-14T08:30",
        "reason": "neglect",
        "about_child": "on",
        "unit": world.intake_unit.pk,
    }
    with time_machine.travel(REGISTERED, tick=False):
        assert world.client("grace").post(reverse("intake:register"), data).status_code == 302
    return IntakeItem.objects.get(case_number=number)


def test_the_settings_page_shows_the_laws_fourteen_days_in_swedish(world):
    html = world.client("frank").get(reverse("intake:settings")).content.decode()
    assert 'name="pre_assessment_days"' in html and 'value="14"' in html
    assert "Lagen (socialtjänstlagen) säger 14 dagar" in html
    assert "Inställningar för mottagning" in html
    assert reverse("intake:settings") in world.client("frank").get(reverse("intake:queue")).content.decode()


def test_an_organisation_admin_saves_the_days_and_the_history_names_them(world):
    client = world.client("frank")
    response = client.post(reverse("intake:settings"), {"pre_assessment_days": 10})
    assert response.status_code == 302
    settings = IntakeSettings.for_org(world.org)
    assert settings.pre_assessment_days == 10
    latest = settings.history.latest()
    assert latest.history_user == world.frank.user and latest.pre_assessment_days == 10
    assert "Inställningarna för mottagning är sparade." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("days", "saved"), [(0, False), (1, True), (30, True), (31, False), ("fjorton", False)])
def test_the_days_must_lie_between_one_and_thirty(world, days, saved):
    response = _set_days(world, days)
    assert (response.status_code == 302) is saved
    if not saved:
        assert 'id="id_pre_assessment_days-error"' in response.content.decode()
    expected = days if saved else 14
    assert IntakeSettings.for_org(world.org).pre_assessment_days == expected


@pytest.mark.parametrize("name", ["grace", "heidi", "alice", "charlie"])
def test_only_an_organisation_admin_edits_the_intake_settings(world, name):
    assert world.client(name).post(reverse("intake:settings"), {"pre_assessment_days": 3}).status_code == 403
    assert IntakeSettings.for_org(world.org).pre_assessment_days == 14
    assert IntakeSettings.for_org(world.other_org).pre_assessment_days == 14


def test_the_due_date_is_computed_from_the_setting(world):
    _set_days(world, 10)
    report = _register(world)
    assert report.due_date == datetime.date(2024, 6, 24)


def test_a_change_leaves_the_due_dates_already_stored(world):
    first = _register(world, "MOT-2024-8")
    _set_days(world, 5)
    assert first.due_date == datetime.date(2024, 6, 28)
    first.refresh_from_db()
    assert first.due_date == datetime.date(2024, 6, 28)
    assert _register(world, "MOT-2024-9").due_date == datetime.date(2024, 6, 19)


@pytest.mark.parametrize(
    ("today", "days_left", "badge", "overdue"),
    [
        (datetime.date(2024, 6, 23), 1, None, False),  # the day before the due date
        (datetime.date(2024, 6, 24), 0, "Senast i dag", False),  # the due date itself
        (datetime.date(2024, 6, 25), -1, "Försenad", True),  # the day after
    ],
)
def test_the_pre_assessment_deadline_from_the_setting_day_before_on_and_after(world, today, days_left, badge, overdue):
    _set_days(world, 10)
    report = _register(world)
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(9, 0), tzinfo=STHLM), tick=False):
        table = world.client("heidi").get(reverse("intake:queue")).content.decode().split('id="queue"', 1)[1]
    assert f'<td class="text-end">{days_left}</td>' in table
    for text in ("Senast i dag", "Försenad"):
        assert (text in table) is (text == badge)
    late = selectors.overdue_pre_assessments(organisation=world.org, today=today)
    assert (report in late) is overdue
