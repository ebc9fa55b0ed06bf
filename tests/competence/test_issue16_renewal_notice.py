"""Issue 16: a level-4 renewal is reminded of, and listed as due, renewal_notice_weeks (default 4) before the date
by which it must be decided, not only on that date itself."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from competence.models import Appointment, LadderSettings
from competence.selectors import ladder_settings, renewal_decisions_due
from competence.services import appointment_renewal_reminders
from staff.models import Notification
from tests.competence.settings_data import settings_form_data

# Carol's appointment (tests/competence/conftest.py) ends 2026-12-31: decide on renewal by 2026-09-01.
DUE = datetime.date(2026, 9, 1)
NOTICE = datetime.date(2026, 8, 4)  # four weeks before
ONE_DAY = datetime.timedelta(days=1)


def _remind(world, on):
    return appointment_renewal_reminders(organisation=world.org, today=on)


def test_the_renewal_notice_defaults_to_four_weeks(world):
    assert ladder_settings(organisation=world.org).renewal_notice_weeks == 4


def test_the_renewal_reminder_goes_out_four_weeks_before_the_due_date_once(world, ladder):
    assert Appointment.objects.get(staff=world.carol).renewal_due == DUE
    assert _remind(world, NOTICE - ONE_DAY) == 0
    assert _remind(world, NOTICE) == 2  # alice and ivan, the unit's managers
    assert _remind(world, NOTICE + ONE_DAY) == 0  # once
    assert _remind(world, DUE) == 0
    reminders = Notification.objects.filter(subject__contains="Carol Testsson")
    assert set(reminders.values_list("recipient__user__username", flat=True)) == {"alice", "ivan"}
    assert "senast 2026-09-01" in reminders.first().body


@pytest.mark.parametrize(
    ("on", "due"),
    [
        (NOTICE - ONE_DAY, False),
        (NOTICE, True),
        (NOTICE + ONE_DAY, True),
        (DUE, True),
        (DUE + ONE_DAY, True),  # overdue, still to decide
        (datetime.date(2026, 12, 31), True),  # the last day of the appointment
        (datetime.date(2027, 1, 1), False),  # ended
    ],
)
def test_a_renewal_is_listed_as_due_from_the_notice_date(world, ladder, on, due):
    listed = list(renewal_decisions_due(organisation=world.org, on=on).values_list("staff_id", flat=True))
    assert listed == ([world.carol.pk] if due else [])


def test_the_notice_follows_the_organisation_setting(world, ladder):
    ladder_settings(organisation=world.org)
    LadderSettings.objects.filter(organisation=world.org).update(renewal_notice_weeks=0)
    assert _remind(world, DUE - ONE_DAY) == 0
    assert not renewal_decisions_due(organisation=world.org, on=DUE - ONE_DAY).exists()
    assert _remind(world, DUE) == 2
    LadderSettings.objects.filter(organisation=world.org).update(renewal_notice_weeks=8)
    assert renewal_decisions_due(organisation=world.org, on=DUE - datetime.timedelta(weeks=8)).exists()
    assert not renewal_decisions_due(organisation=world.org, on=DUE - datetime.timedelta(weeks=8, days=1)).exists()


def _pages(world, on):
    client = world.client("alice")
    with time_machine.travel(datetime.datetime.combine(on, datetime.time(12), tzinfo=datetime.UTC)):
        return (
            client.get(reverse("competence:appointments")).content.decode(),
            client.get(reverse("competence:overview")).content.decode(),
        )


def test_the_appointments_page_and_the_overview_show_the_decision_due_from_the_notice_date(world, ladder):
    appointments, overview = _pages(world, NOTICE - ONE_DAY)
    assert "Beslut krävs" not in appointments and "Inget beslut om förlängning krävs nu." in overview
    for on in (NOTICE, NOTICE + ONE_DAY, DUE):
        appointments, overview = _pages(world, on)
        assert "Beslut krävs" in appointments, on
        listed = overview[overview.index("Beslut om förlängning som krävs") :]
        assert "Carol Testsson" in listed[: listed.index("</ul>")], on
    _appointments, overview = _pages(world, DUE + ONE_DAY)
    listed = overview[overview.index("Beslut om förlängning som krävs") :]
    assert "Försenad" in listed[: listed.index("</ul>")]


def test_the_appointments_page_reads_the_due_flag_in_a_fixed_number_of_queries(
    world, ladder, django_assert_num_queries
):
    from competence.services import appointment_create
    from tests.factories import StaffMemberFactory

    client = world.client("alice")
    client.get(reverse("competence:appointments"))
    with time_machine.travel(datetime.datetime(2026, 8, 10, 12, tzinfo=datetime.UTC)):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            client.get(reverse("competence:appointments"))
        for _ in range(2):
            person = StaffMemberFactory(organisation=world.org, unit=world.unit)
            appointment_create(organisation=world.org, staff=person, start=datetime.date(2025, 1, 1))
        with django_assert_num_queries(len(one)):
            page = client.get(reverse("competence:appointments")).content.decode()
    assert page.count("Beslut krävs") == 3


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("27", "Kontrollera att detta värde är mindre än eller lika med 26."),
        ("-1", "Kontrollera att detta värde är större än eller lika med 0."),
        ("", "Det här fältet är obligatoriskt."),
    ],
)
def test_a_renewal_notice_out_of_range_is_refused_at_the_field(world, value, message):
    data = settings_form_data(renewal_notice_weeks=value)
    response = world.client("frank").post(reverse("competence:settings"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert ladder_settings(organisation=world.org).renewal_notice_weeks == 4
