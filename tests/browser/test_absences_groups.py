"""The absences and groups section of the staff person page in the browser (issue 19): the organisation admin
registers a month's half-time sick leave for Bob through the form, adds him to a group and ends the membership,
and the unit manager's dashboard then shows Bob's capacity halved. axe on each page."""

from __future__ import annotations

import calendar
import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from staff.models import Absence, GroupMembership
from tests.browser.conftest import assert_accessible, login
from tests.caseload.factories import levels, place
from tests.factories import TEST_PASSWORD


def shown_capacity(page, live_server, unit, member) -> Decimal:
    """The capacity in the member's load measure on the unit's dashboard ("3 av 12 (25 %) · 2 ärenden")."""
    page.goto(f"{live_server.url}/caseload/units/{unit.pk}/")
    page.wait_for_load_state("networkidle")
    measure = page.locator(f'#load-table [data-load-of="{member.pk}"]').inner_text()
    found = re.search(r" av ([0-9]+(?:,[0-9]+)?)", measure)
    assert found, measure
    return Decimal(found.group(1).replace(",", "."))


def register_absence(page, kind: str, start, end, extent: int) -> None:
    """Fill the absence form (the person page's or the unit calendar's: the same fields) and save it."""
    page.locator("#id_absence-kind").select_option(kind)
    page.locator("#id_absence-start").fill(start.isoformat())
    page.locator("#id_absence-end").fill(end.isoformat())
    page.locator("#id_absence-extent").fill(str(extent))
    page.get_by_role("button", name="Spara frånvaro").click()
    page.wait_for_load_state("networkidle")


def test_an_absence_and_a_group_on_the_person_page_and_the_capacity_follows(page, live_server, transactional_db, world):
    w = world
    levels(w.org)
    place(w.bob, 2)
    today = timezone.localdate()
    first, last = today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])

    login(page, live_server, "alice", TEST_PASSWORD)
    before = shown_capacity(page, live_server, w.unit, w.bob)
    assert before > 0
    page.get_by_role("button", name="Logga ut").click()

    login(page, live_server, "frank", TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/people/{w.bob.pk}/")
    section = page.get_by_test_id("absences")
    assert section.get_by_role("table", name="Frånvaro för Bob Testsson").get_by_text("Ingen frånvaro").count() == 1
    assert_accessible(page)

    section.get_by_text("Lägg till frånvaro").click()
    register_absence(page, "sick", first, last, 50)
    assert page.url.endswith(f"/admin/people/{w.bob.pk}/")  # back on the person page
    assert page.get_by_text("Frånvaron sparades.").is_visible()
    row = page.get_by_role("table", name="Frånvaro för Bob Testsson").get_by_role("row", name="Sjukfrånvaro")
    assert row.get_by_role("cell", name=first.isoformat(), exact=True).is_visible()
    assert row.get_by_role("cell", name=last.isoformat(), exact=True).is_visible()
    assert row.get_by_role("cell", name="50 %", exact=True).is_visible()
    assert Absence.objects.filter(staff=w.bob, start=first, end=last, extent=50, kind="sick").exists()
    assert_accessible(page)

    section = page.get_by_test_id("absences")
    section.get_by_text("Lägg till i en grupp").click()
    page.locator("#id_membership-group").select_option(label="Utredning: Utredning 0–9 år")
    page.locator("#id_membership-start").fill(today.isoformat())
    page.get_by_role("button", name="Spara gruppmedlemskap").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Gruppmedlemskapet sparades.").is_visible()
    groups = page.get_by_role("table", name="Gruppmedlemskap för Bob Testsson")
    assert groups.get_by_role("row", name="Utredning: Utredning 0–9 år").is_visible()
    assert_accessible(page)
    membership = GroupMembership.objects.get(staff=w.bob, group__name="Utredning 0–9 år")
    assert membership.end is None

    # The membership is ended from its row: the date field is named for the group, the button too.
    page.get_by_label("Sista dag i Utredning 0–9 år").fill(today.isoformat())
    page.get_by_role("button", name="Avsluta Utredning 0–9 år").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(f"Gruppmedlemskapet slutar {today.isoformat()}.").is_visible()
    membership.refresh_from_db()
    assert membership.end == today
    assert page.get_by_role("button", name="Avsluta Utredning 0–9 år").count() == 0
    assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()

    # The whole month at half time: the capacity shown on the dashboard is halved.
    login(page, live_server, "alice", TEST_PASSWORD)
    assert shown_capacity(page, live_server, w.unit, w.bob) == (before / 2).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert_accessible(page)
