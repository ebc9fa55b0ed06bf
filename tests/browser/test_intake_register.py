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
    assert page.get_by_text("Väntar på förhandsbedömning", exact=True).is_visible()
    # The item's change history names who registered it (the section is part of the page checked by axe).
    assert page.get_by_role("heading", name="Ändringshistorik").is_visible()
    assert page.get_by_text("Beslut: – → Väntar på förhandsbedömning").is_visible()
    assert page.get_by_role("heading", name="Beslut efter förhandsbedömning").count() == 0  # social workers decide
    assert_accessible(page)
    registered = IntakeItem.objects.get(case_number="MOT-TEST-42")
    assert registered.decision == IntakeItem.Decision.PENDING and registered.due_date is not None


def test_intake_worker_assesses_an_acute_report_before_deciding(page, live_server, demo):
    """Acute items first in the queue; the decision is refused until the immediate-protection assessment."""
    login(page, live_server, "intake-worker")
    page.goto(f"{live_server.url}/intake/")
    rows = page.locator("#queue tbody tr")
    acute = [i for i in range(rows.count()) if rows.nth(i).get_by_text("Akut", exact=True).count()]
    assert acute and acute == list(range(len(acute)))  # the acute items lead the queue
    assert_accessible(page)
    fresh = IntakeItem.objects.filter(acute=True, protection_assessed_at__isnull=True).get()
    page.locator("#queue").get_by_role("link", name=fresh.case_number).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Ett akut ärende ska ha en bedömning av omedelbart skydd före beslutet.").is_visible()

    decision = page.locator("section", has=page.get_by_role("heading", name="Beslut efter förhandsbedömning"))
    decision.get_by_label("Inled inte utredning").check()
    decision.get_by_label("Skäl").fill("Ingen aktuell oro efter samtal med skolan.")
    decision.get_by_role("button", name="Registrera beslutet").click()
    page.wait_for_load_state("networkidle")
    error = page.locator("#id_d-open_investigation-error")
    assert error.inner_text() == (
        "Ett akut ärende ska ha en bedömning av omedelbart skydd före beslutet: registrera bedömningen först."
    )
    assert_accessible(page)
    fresh.refresh_from_db()
    assert fresh.decision == IntakeItem.Decision.PENDING

    protection = page.locator(
        "section", has=page.get_by_role("heading", name="Bedömning av omedelbart skydd (samma dag)")
    )
    protection.get_by_label("Nej").check()
    protection.get_by_label("Resultat (kort)").fill("Barnet är tryggt hos den andra vårdnadshavaren.")
    protection.get_by_role("button", name="Registrera bedömningen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Bedömningen av omedelbart skydd är registrerad.").is_visible()
    assert "Barnet är tryggt hos den andra vårdnadshavaren." in page.locator("#protection-assessment").inner_text()
    assert_accessible(page)

    decision.get_by_label("Inled inte utredning").check()
    decision.get_by_label("Skäl").fill("Ingen aktuell oro efter samtal med skolan.")
    decision.get_by_role("button", name="Registrera beslutet").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Beslutet är registrerat.").is_visible()
    assert_accessible(page)
    fresh.refresh_from_db()
    assert (
        fresh.decision == IntakeItem.Decision.NOT_OPENED
        and fresh.protection_assessed_by.user.username == "intake-worker"
    )


def test_org_admin_sets_the_pre_assessment_days_within_one_to_thirty(page, live_server, demo):
    from intake.models import IntakeSettings

    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/intake/")
    page.get_by_role("link", name="Inställningar för mottagning").click()
    page.wait_for_load_state("networkidle")
    field = page.get_by_label("förhandsbedömning senast efter (dagar)")
    assert field.input_value() == "14"
    assert page.get_by_text("Lagen (socialtjänstlagen) säger 14 dagar").is_visible()
    assert_accessible(page)
    field.fill("31")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_pre_assessment_days-error").is_visible()
    assert_accessible(page)
    page.get_by_label("förhandsbedömning senast efter (dagar)").fill("10")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Inställningarna för mottagning är sparade.").is_visible()
    assert_accessible(page)
    assert set(IntakeSettings.objects.values_list("pre_assessment_days", flat=True)) == {10}
