"""The administrator registers a report of concern from the intake queue; axe on each page."""

from intake.models import IntakeItem
from tests.browser.conftest import assert_accessible, login


def test_administrator_registers_a_report(page, live_server, demo):
    login(page, live_server, "administrator")
    assert page.url.endswith("/intake/")
    assert page.get_by_role("heading", name="Mottagningskö").is_visible()
    assert page.locator("#queue").get_by_text("Senast i dag").first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Registrera anmälan eller ansökan").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.get_by_label("Ärendenummer").fill("MOT-TEST-42")
    page.get_by_label("Skäl").select_option("neglect")
    page.get_by_role("button", name="Registrera").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Registrerat i ärende MOT-TEST-42.").is_visible()
    assert page.get_by_text("Väntar på förhandsbedömning").is_visible()
    assert page.get_by_role("heading", name="Beslut efter förhandsbedömning").count() == 0  # social workers decide
    assert_accessible(page)
    registered = IntakeItem.objects.get(case_number="MOT-TEST-42")
    assert registered.decision == IntakeItem.Decision.PENDING and registered.due_date is not None
