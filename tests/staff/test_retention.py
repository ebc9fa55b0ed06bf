"""Retention (gallring): closed cases, decided intake items and the records of people who left are removed
or anonymised once the organisation's period has passed; each run is recorded and shown to org admins."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth import authenticate, get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from caseload.models import Assignment, Case, CaseEvent, Investigation
from competence.models import LevelPlacement
from intake.models import IntakeItem
from staff.models import Absence, Notification, StaffMember
from staff.platform.retention.models import RetentionRun, RetentionSettings
from staff.platform.retention.services import retention_apply, retention_settings_get, years_before
from staff.platform.signin_limits import SignInFailure
from tests.caseload.factories import case, levels, place
from tests.factories import TEST_PASSWORD, StaffMemberFactory, UserFactory
from tests.intake.factories import item

TODAY = datetime.date(2024, 6, 1)
NOW = datetime.datetime(2024, 6, 1, 1, 30, tzinfo=datetime.UTC)


def _old_case(unit, number, closed_on, by):
    c = case(unit, number, main=by, start=closed_on - datetime.timedelta(days=60), closed_on=closed_on)
    investigation = Investigation.objects.get(case=c)
    received = datetime.datetime.combine(closed_on - datetime.timedelta(days=70), datetime.time(9), datetime.UTC)
    item(
        unit,
        number,
        by=by,
        received=received,
        decision=IntakeItem.Decision.OPEN,
        decided_on=received.date(),
        investigation=investigation,
    )
    CaseEvent.objects.create(organisation=unit.organisation, case=c, kind=CaseEvent.Kind.CREATED)
    return c


def _leaver(world, name, left_on):
    member = StaffMemberFactory(
        organisation=world.org,
        unit=world.unit,
        user=UserFactory(username=name),
        first_name=name.capitalize(),
        last_name="Slutat",
        email=f"{name}@alfa.example",
        employment_start=datetime.date(2015, 1, 1),
        employment_end=left_on,
        leaving_reason="Flyttade till Umeå",
    )
    place(member, 2, start=datetime.date(2015, 1, 1))
    Absence.objects.create(
        organisation=world.org,
        staff=member,
        kind="sick",
        start=datetime.date(2019, 1, 1),
        end=datetime.date(2019, 1, 5),
    )
    Notification.objects.create(organisation=world.org, recipient=member, key=f"n-{name}", subject="Påminnelse")
    return member


@pytest.fixture
def old_data(world):
    levels(world.org)
    levels(world.other_org)
    w = world
    data = {
        "old_case": _old_case(w.unit, "A-2018", datetime.date(2018, 3, 1), w.bob),
        "recent_case": _old_case(w.unit, "A-2023", datetime.date(2023, 3, 1), w.bob),
        "open_case": case(w.unit, "A-OPEN", main=w.bob, start=datetime.date(2017, 1, 10)),
        "foreign_case": _old_case(w.other_unit, "B-2018", datetime.date(2018, 3, 1), w.charlie),
    }
    received = datetime.datetime(2018, 1, 10, 9, tzinfo=datetime.UTC)
    data["old_item"] = item(
        w.intake_unit,
        "M-OLD",
        by=w.grace,
        received=received,
        decision="not_opened",
        decided_on=datetime.date(2018, 1, 20),
    )
    data["pending_item"] = item(w.intake_unit, "M-PENDING", by=w.grace, received=received)
    data["new_item"] = item(
        w.intake_unit,
        "M-NEW",
        by=w.grace,
        received=datetime.datetime(2024, 1, 10, 9, tzinfo=datetime.UTC),
        decision="not_opened",
        decided_on=datetime.date(2024, 1, 20),
    )
    data["old_leaver"] = _leaver(w, "olle", datetime.date(2021, 12, 31))
    data["new_leaver"] = _leaver(w, "nina", datetime.date(2023, 12, 31))
    return data


def test_years_before_handles_leap_days():
    assert years_before(datetime.date(2024, 2, 29), 1) == datetime.date(2023, 2, 28)
    assert years_before(TODAY, 5) == datetime.date(2019, 6, 1)


@time_machine.travel(NOW, tick=False)
def test_retention_removes_what_has_passed_its_time_and_nothing_else(world, old_data):
    old_case = old_data["old_case"]
    assert Case.history.filter(id=old_case.pk).exists()

    SignInFailure.objects.create(username="olle", address="192.0.2.1", at=timezone.now())
    run = retention_apply(organisation=world.org, today=TODAY)
    assert not SignInFailure.objects.filter(username="olle").exists()  # the typed username goes with the person

    # The case closed in 2018 is gone with everything that belonged to it, its history included.
    assert not Case.objects.filter(pk=old_case.pk).exists()
    assert not Assignment.objects.filter(case_id=old_case.pk).exists()
    assert not Investigation.objects.filter(case_id=old_case.pk).exists()
    assert not CaseEvent.objects.filter(case_id=old_case.pk).exists()
    assert not IntakeItem.objects.filter(case_number="A-2018").exists()
    assert not Case.history.filter(id=old_case.pk).exists()
    assert not Assignment.history.filter(case_id=old_case.pk).exists()
    assert not Investigation.history.filter(case_id=old_case.pk).exists()
    # Recent, open and other organisations' cases stay.
    assert set(Case.objects.values_list("number", flat=True)) == {"A-2023", "A-OPEN", "B-2018"}
    # Intake: the one decided in 2018 goes; the pending one (however old) and the recent one stay.
    assert set(IntakeItem.objects.filter(unit=world.intake_unit).values_list("case_number", flat=True)) == {
        "M-PENDING",
        "M-NEW",
    }

    olle = StaffMember.objects.get(pk=old_data["old_leaver"].pk)
    assert (olle.first_name, olle.last_name, olle.email, olle.leaving_reason) == ("Gallrad", str(olle.pk), "", "")
    assert olle.user is None
    user = get_user_model().objects.get(username=f"gallrad-{old_data['old_leaver'].user_id}")
    assert not user.is_active and not user.has_usable_password() and user.email == "" and user.first_name == ""
    assert authenticate(RequestFactory().post("/accounts/login/"), username="olle", password=TEST_PASSWORD) is None
    # The numbers past reports need stay: dates, FTE, unit and ladder placements.
    assert olle.employment_end == datetime.date(2021, 12, 31) and olle.unit == world.unit
    assert LevelPlacement.objects.filter(staff=olle).exists()
    assert not Absence.objects.filter(staff=olle).exists()
    assert not Notification.objects.filter(recipient=olle).exists()
    nina = StaffMember.objects.get(pk=old_data["new_leaver"].pk)
    assert nina.first_name == "Nina" and nina.user is not None and nina.email == "nina@alfa.example"

    assert (run.run_on, run.cases, run.assignments, run.investigations, run.intake_items, run.staff) == (
        TODAY,
        1,
        1,
        1,
        2,
        1,
    )
    assert run.history_rows >= 3


@time_machine.travel(NOW, tick=False)
def test_access_log_rows_past_their_time_are_removed_and_counted(world):
    from staff.platform.audit.models import AccessLogEntry
    from tests.staff.access_log_factories import log_row

    def at(day):
        return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)

    cutoff = years_before(TODAY, retention_settings_get(organisation=world.org).access_log_years)  # 5 by default
    old = log_row(world, "bob", kind="case", object_id=1, unit=world.unit, at=at(cutoff - datetime.timedelta(days=1)))
    kept = log_row(world, "bob", kind="case", object_id=2, unit=world.unit, at=at(cutoff + datetime.timedelta(days=1)))
    other = log_row(world, "charlie", kind="case", object_id=3, unit=world.other_unit, at=at(datetime.date(2010, 1, 1)))

    run = retention_apply(organisation=world.org, today=TODAY)

    assert run.access_log_rows == 1
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    assert AccessLogEntry.objects.filter(pk__in=[kept.pk, other.pk]).count() == 2  # recent, or another organisation's
    html = world.client("frank").get(reverse("retention:settings")).content.decode()
    assert "Rader i åtkomstloggen" in html and "antal år åtkomstloggen sparas" in html.lower()


@time_machine.travel(NOW, tick=False)
def test_a_second_run_changes_nothing(world, old_data):
    retention_apply(organisation=world.org, today=TODAY)
    cases, items, staff = Case.objects.count(), IntakeItem.objects.count(), list(StaffMember.objects.values())
    again = retention_apply(organisation=world.org, today=TODAY)
    assert (Case.objects.count(), IntakeItem.objects.count(), list(StaffMember.objects.values())) == (
        cases,
        items,
        staff,
    )
    assert RetentionRun.objects.filter(organisation=world.org).count() == 1
    assert (again.cases, again.intake_items, again.staff) == (1, 2, 1)  # the day's totals, not doubled


@time_machine.travel(NOW, tick=False)
def test_longer_periods_keep_more(world, old_data):
    RetentionSettings.objects.create(
        organisation=world.org, closed_case_years=10, intake_item_years=10, former_staff_years=5
    )
    run = retention_apply(organisation=world.org, today=TODAY)
    assert (run.cases, run.intake_items, run.staff) == (0, 0, 0)
    assert Case.objects.filter(number="A-2018").exists()
    assert StaffMember.objects.get(pk=old_data["old_leaver"].pk).first_name == "Olle"


def test_retention_page_for_org_admins(world):
    frank = world.client("frank")
    html = frank.get(reverse("retention:settings")).content.decode()
    assert "Gallring" in html and "Antal år ett avslutat ärende sparas" in html
    assert "Räknas från dagen då ärendet avslutades." in html
    assert "Ingen körning ännu" in html
    for name in ("alice", "erin", "bob"):
        assert world.client(name).get(reverse("retention:settings")).status_code == 403
    anonymous = Client().get(reverse("retention:settings"))
    assert anonymous.status_code == 302


def test_bad_periods_are_refused_in_swedish_and_nothing_is_saved(world):
    frank = world.client("frank")
    response = frank.post(
        reverse("retention:settings"),
        {"closed_case_years": 0, "intake_item_years": "x", "former_staff_years": 2, "access_log_years": 5},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kontrollera att detta värde är större än eller lika med 1." in html
    assert "Fyll i ett heltal." in html
    settings = RetentionSettings.objects.get(organisation=world.org)
    assert (settings.closed_case_years, settings.intake_item_years) == (5, 5)


def test_saving_periods_shows_in_the_change_history(world):
    frank = world.client("frank")
    response = frank.post(
        reverse("retention:settings"),
        {"closed_case_years": 7, "intake_item_years": 5, "former_staff_years": 2, "access_log_years": 5},
    )
    assert response.status_code == 302
    html = frank.get(reverse("retention:settings")).content.decode()
    assert "Gallringsfristerna är sparade." in html
    assert "Frank Testsson" in html and "7" in html
    assert RetentionSettings.objects.get(organisation=world.org).closed_case_years == 7
    # The other organisation's periods are its own.
    assert not RetentionSettings.objects.filter(organisation=world.other_org, closed_case_years=7).exists()


def test_runs_are_listed_with_counts_without_n_plus_one(world, django_assert_max_num_queries):
    for day in range(30):
        RetentionRun.objects.create(
            organisation=world.org, run_on=TODAY - datetime.timedelta(days=day), cases=day, intake_items=1
        )
    RetentionRun.objects.create(organisation=world.other_org, run_on=TODAY, cases=999)
    frank = world.client("frank")
    frank.get(reverse("retention:settings"))
    with django_assert_max_num_queries(16):
        html = frank.get(reverse("retention:settings") + "?sort=-cases").content.decode()
    assert "999" not in html
    first_row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "2024-05-03" in first_row and ">29<" in first_row
    assert "Sida 1 av 2" in html


def test_the_daily_run_is_scheduled():
    from staff.platform.retention.tasks import retention_all
    from staff.tasks import BEAT_SCHEDULE

    # The task keeps the name it had before the move into staff/platform/, so a beat or a queue that
    # still holds the old name goes on working.
    assert BEAT_SCHEDULE["retention-daily"]["task"] == retention_all.name == "staff.retention.tasks.retention_all"


@pytest.mark.celery_worker
def test_real_worker_runs_retention_for_every_organisation(world, celery_worker):
    from staff.platform.retention.tasks import retention_all

    levels(world.org)
    today = datetime.date.today()
    long_ago = today.replace(year=today.year - 8)
    old = case(world.unit, "A-LONG-AGO", main=world.bob, start=long_ago, closed_on=long_ago)
    retention_all.delay()
    celery_worker.wait_until(lambda: RetentionRun.objects.count() == 2, timeout=60)
    assert not Case.objects.filter(pk=old.pk).exists()
    run = RetentionRun.objects.get(organisation=world.org)
    assert (run.cases, run.assignments, run.investigations) == (1, 1, 1)
    assert RetentionRun.objects.get(organisation=world.other_org).cases == 0


@time_machine.travel(NOW, tick=False)
def test_removed_intake_items_and_anonymised_staff_take_their_change_history_with_them(world, old_data):
    old_item, new_item = old_data["old_item"], old_data["new_item"]
    olle, nina = old_data["old_leaver"], old_data["new_leaver"]
    olle.title = "Socialsekreterare"
    olle.save()
    assert IntakeItem.history.filter(id=old_item.pk).exists()
    assert StaffMember.history.filter(id=olle.pk, first_name="Olle").count() >= 2
    foreign_item = item(
        world.other_unit,
        "B-MOT",
        by=world.charlie,
        received=datetime.datetime(2018, 1, 10, 9, tzinfo=datetime.UTC),
        decision="not_opened",
        decided_on=datetime.date(2018, 1, 20),
    )
    before = {
        "new_item": IntakeItem.history.filter(id=new_item.pk).count(),
        "nina": StaffMember.history.filter(id=nina.pk).count(),
        "foreign": IntakeItem.history.filter(id=foreign_item.pk).count(),
    }

    run = retention_apply(organisation=world.org, today=TODAY)

    # The decided item's history goes with it, including the deletion row; the linked report of the old case too.
    assert not IntakeItem.history.filter(id=old_item.pk).exists()
    assert not IntakeItem.history.filter(case_number="A-2018").exists()
    # The anonymised person's history held the name, e-mail and leaving reason: none of it is left.
    assert not StaffMember.history.filter(id=olle.pk).exists()
    assert not StaffMember.history.filter(first_name="Olle").exists()
    # What stays keeps its history: the recent item, the recent leaver, the other organisation's old item.
    assert IntakeItem.history.filter(id=new_item.pk).count() == before["new_item"]
    assert StaffMember.history.filter(id=nina.pk).count() == before["nina"]
    assert IntakeItem.history.filter(id=foreign_item.pk).count() == before["foreign"]
    assert run.history_rows >= 3 + 2 + 2 + 2  # case, handler, investigation; two items (+, -); olle (+, ~, ~)


def test_intake_reports_of_a_case_go_before_the_case_and_decided_items_after():
    """The rules run in their declared order: a report linked to a case's investigation protects it, so the
    reports go first, then the cases, then the other decided items."""
    from staff.platform.retention.registry import rules

    names = [rule.name for rule in rules()]
    assert names.index("intake.trust.reports_of_closed_cases") < names.index("caseload.trust.closed_cases")
    assert names.index("caseload.trust.closed_cases") < names.index("intake.trust.decided_items")


@time_machine.travel(NOW, tick=False)
def test_decided_items_and_leavers_go_the_day_after_their_period_not_on_it(world):
    """Five years from the decision, two from the last day of employment (the defaults): a row past its period by
    one day goes with its history; one exactly at it, or a day short of it, stays with its history."""
    levels(world.org)
    item_cutoff = years_before(TODAY, 5)  # 2019-06-01
    received = datetime.datetime(2019, 1, 10, 9, tzinfo=datetime.UTC)
    items = {
        offset: item(
            world.intake_unit,
            f"M-{offset}",
            by=world.grace,
            received=received,
            decision="not_opened",
            decided_on=item_cutoff + datetime.timedelta(days=offset),
        )
        for offset in (-1, 0, 1)
    }
    staff_cutoff = years_before(TODAY, 2)  # 2022-06-01
    leavers = {
        offset: _leaver(world, f"leaver{offset + 1}", staff_cutoff + datetime.timedelta(days=offset))
        for offset in (-1, 0, 1)
    }

    retention_apply(organisation=world.org, today=TODAY)

    assert not IntakeItem.objects.filter(pk=items[-1].pk).exists()
    assert not IntakeItem.history.filter(id=items[-1].pk).exists()
    for offset in (0, 1):
        assert IntakeItem.objects.filter(pk=items[offset].pk).exists()
        assert IntakeItem.history.filter(id=items[offset].pk).exists()
    assert StaffMember.objects.get(pk=leavers[-1].pk).first_name == "Gallrad"
    assert not StaffMember.history.filter(id=leavers[-1].pk).exists()
    for offset in (0, 1):
        assert StaffMember.objects.get(pk=leavers[offset].pk).first_name == f"Leaver{offset + 1}"
        assert StaffMember.history.filter(id=leavers[offset].pk).exists()


def test_expired_sessions_are_cleared_every_night_and_live_ones_kept(world):
    from django.contrib.sessions.models import Session

    from staff.tasks import BEAT_SCHEDULE, sessions_clear_expired

    assert BEAT_SCHEDULE["sessions-clear-expired"]["task"] == sessions_clear_expired.name
    live = world.client("bob")  # a real sign-in's session
    live.get(reverse("staff:start"))
    now = timezone.now()
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=now - datetime.timedelta(seconds=1))
    Session.objects.create(session_key="y" * 32, session_data="", expire_date=now + datetime.timedelta(minutes=5))
    sessions_clear_expired()
    keys = set(Session.objects.values_list("session_key", flat=True))
    assert "x" * 32 not in keys and "y" * 32 in keys and live.session.session_key in keys
