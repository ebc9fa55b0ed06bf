"""The organisation admin sets the retention periods in the browser and sees the change in the history."""

from tests.browser.conftest import assert_accessible, login


def test_admin_sets_retention_periods_and_sees_the_change_history(page, live_server, demo):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/structure/")
    page.get_by_role("link", name="Gallringsfrister och körningar").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Gallring", exact=True).is_visible()
    assert page.get_by_text("Ingen körning ännu").is_visible()
    assert_accessible(page)

    field = page.get_by_label("Antal år ett avslutat ärende sparas")
    field.fill("0")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Kontrollera att detta värde är större än eller lika med 1.").is_visible()
    assert_accessible(page)

    page.get_by_label("Antal år ett avslutat ärende sparas").fill("7")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Gallringsfristerna är sparade.").is_visible()
    history = page.locator("#history")
    assert history.get_by_role("heading", name="Ändringshistorik").is_visible()
    newest = history.locator("tbody tr").first
    assert "Gallringsinställningar: ändrad" in newest.inner_text()
    assert "5 → 7" in newest.inner_text()
    assert_accessible(page)
