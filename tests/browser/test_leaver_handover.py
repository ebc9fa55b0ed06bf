"""A leaver's handover in the browser (issue 19): the organisation admin sets an end date, is warned that the
person still handles open cases, hands them to their co-handlers, and the cases have moved. The unit manager's
absence calendar is scanned too, and a registration there lowers the capacity on the dashboard. axe on each page."""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from caseload.models import Assignment
from staff.models import Absence, Notification
from tests.browser.conftest import assert_accessible, login
from tests.browser.test_absences_groups import register_absence, shown_capacity
from tests.caseload.factories import case, levels, place, worker
from tests.factories import TEST_PASSWORD


def _handlers(c):
    current = {a.role: a.staff for a in Assignment.objects.filter(case=c, end__isnull=True)}
    return current.get("main"), current.get("co")


def test_an_end_date_warns_and_the_cases_go_to_their_co_handlers(page, live_server, transactional_db, world):
    w = world
    levels(w.org)
    place(w.bob, 2)
    dora = worker(w.unit, "dora", level=3)
    eve = worker(w.unit, "eve", level=2)
    a = case(w.unit, "BR-1", main=w.bob, co=dora)
    b = case(w.unit, "BR-2", main=eve, co=w.bob)
    last_day = timezone.localdate() + datetime.timedelta(days=14)

    login(page, live_server, "frank", TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/people/{w.bob.pk}/")
    page.get_by_label("Anställning till").fill(last_day.isoformat())
    page.get_by_role("button", name="Spara", exact=True).first.click()
    page.wait_for_load_state("networkidle")

    assert f"/caseload/people/{w.bob.pk}/handover/" in page.url
    assert page.get_by_text("Bob Testsson har fortfarande 2 öppna ärenden").is_visible()
    assert page.get_by_role("heading", name="Lämna över ärendena från Bob Testsson").is_visible()
    table = page.get_by_role("table", name="Öppna ärenden för Bob Testsson")
    assert table.get_by_role("rowheader", name="BR-1").is_visible()
    assert table.get_by_role("rowheader", name="BR-2").is_visible()
    assert page.get_by_label("Tar över i ärende BR-1").input_value() == ""  # the default: the co-handler
    assert_accessible(page)

    page.get_by_label("Skäl").fill("Bob går till en annan förvaltning")
    page.get_by_role("button", name="Lämna över ärendena").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("2 ärenden från Bob Testsson lämnades över").is_visible()
    assert page.get_by_text("Bob Testsson har inga öppna ärenden").is_visible()
    assert_accessible(page)

    assert _handlers(a) == (dora, None)
    assert _handlers(b) == (eve, None)
    assert Notification.objects.filter(recipient=dora).count() == 1
    assert not Notification.objects.filter(recipient=eve).exists()  # eve already held her case as main


def test_the_manager_adds_an_absence_on_the_unit_calendar(page, live_server, transactional_db, world):
    w = world
    today = timezone.localdate()
    login(page, live_server, "alice", TEST_PASSWORD)
    before = shown_capacity(page, live_server, w.unit, w.bob)
    page.goto(f"{live_server.url}/units/{w.unit.pk}/")
    page.get_by_role("link", name="Enhetens frånvarokalender").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("table", name="Frånvaro i Utredning").is_visible()
    assert_accessible(page)
    form = page.locator("form", has=page.get_by_role("button", name="Spara frånvaro"))
    assert form.get_by_label("Typ").is_visible()  # each field has its label
    page.locator("#id_absence-member").select_option(label=str(w.bob))
    register_absence(page, "sick", today, today, 50)
    assert Absence.objects.filter(staff=w.bob, start=today, extent=50).exists()
    row = page.get_by_role("row", name="Bob Testsson")
    assert row.locator('abbr[title="Sjukfrånvaro, 50 %"]').count() == 1
    # Half a day of the month lost: the capacity on the unit's dashboard follows.
    days = calendar.monthrange(today.year, today.month)[1]
    after = (before * (1 - Decimal("0.5") / days)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert after < before and shown_capacity(page, live_server, w.unit, w.bob) == after
    page.goto(f"{live_server.url}/units/{w.unit.pk}/absences/?month={today:%Y-%m}")
    # Keyboard: the month links are reachable and followed with Enter.
    page.get_by_role("link", name="→").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert "?month=" in page.url
    assert_accessible(page)
