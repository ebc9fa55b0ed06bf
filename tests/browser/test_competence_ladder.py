"""The manager completes the worker's introduction and promotes them to level 2; the worker sees it.
axe scans every competence page on the way."""

import re

from staff.models import StaffMember
from tests.browser.conftest import assert_accessible, login


def test_manager_completes_introduction_and_promotes_worker(page, live_server, demo):
    worker = StaffMember.objects.get(user__username="worker")
    login(page, live_server, "manager")
    page.get_by_role("link", name="Kompetenstrappa").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Kompetenstrappa", level=1).is_visible()
    assert page.locator("#level-chart").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Personal", exact=True).click()
    page.get_by_label("Sök").fill(worker.first_name)
    page.get_by_role("button", name="Filtrera").click()
    assert_accessible(page)
    page.get_by_role("link", name=f"{worker.last_name}, {worker.first_name}").click()
    assert page.get_by_role("heading", name=worker.full_name).is_visible()
    assert page.get_by_text("Introduktionen är inte genomförd (2 av 8 punkter återstår).").first.is_visible()
    assert_accessible(page)

    # Tick off the two remaining introduction items.
    for _ in range(2):
        page.get_by_role("button", name=re.compile("^Markera klar")).first.click()
        page.wait_for_load_state("networkidle")
    assert page.get_by_text("Valbar nu: alla krav är uppfyllda.").is_visible()

    page.get_by_role("link", name="Registrera gemensam bedömning och ny nivå").click()
    assert page.get_by_text("Alla krav för nästa nivå är uppfyllda i dag.").is_visible()
    assert_accessible(page)
    page.get_by_label("Ansvarig specialistsocionom").select_option(index=1)
    page.get_by_label("Motivering").fill("Introduktionen är genomförd och hen arbetar självständigt.")
    page.get_by_role("button", name="Spara beslut").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(f"{worker.full_name} är på nivå 2. Efter introduktion").is_visible()
    assert page.get_by_test_id("current-level").inner_text() == "Nivå 2. Efter introduktion"

    page.get_by_role("link", name="Kompetenstrappa").click()
    for name in ("Specialistförordnanden", "Tilläggsrapport"):
        page.get_by_role("link", name=name).click()
        page.wait_for_load_state("networkidle")
        assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()

    login(page, live_server, "worker")
    page.get_by_role("link", name="Min kompetenstrappa").click()
    assert page.get_by_test_id("my-level").inner_text() == "Du är på nivå 2. Efter introduktion."
    assert_accessible(page)


def test_admin_settings_and_hr_supplements_are_accessible(page, live_server, demo):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/ladder/settings/")
    assert page.get_by_role("heading", name="Inställningar för trappan").is_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/ladder/settings/levels/{_first_level_id()}/")
    assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()
    login(page, live_server, "hr")
    page.get_by_role("link", name="Tillägg").click()
    assert page.get_by_role("heading", name="Tilläggsrapport").is_visible()
    assert_accessible(page)
    page.get_by_label("Månad").fill("2026-13")
    page.get_by_role("button", name="Visa").click()
    assert_accessible(page)


def _first_level_id():
    from competence.models import LadderLevel

    return LadderLevel.objects.filter(organisation__slug="demo").order_by("number").first().pk
