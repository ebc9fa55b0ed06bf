"""Issue 16: the organisation admin creates a social worker; the manager finds the start on the person page
(level 1, introduction plan, the mentor prompt), undoes the placement after a question and chooses a mentor.
axe scans every page on the way."""

from competence.models import LevelPlacement, Mentorship, Onboarding
from staff.models import StaffMember
from tests.browser.conftest import assert_accessible, login


def test_a_new_social_worker_is_started_and_the_manager_undoes_and_completes_it(page, live_server, demo):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/people/")
    page.get_by_role("link", name="Lägg till person").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("Ny socialsekreterare").is_checked()
    page.get_by_label("Förnamn").fill("Selma")
    page.get_by_label("Efternamn").fill("Lund")
    page.get_by_label("Användarnamn").fill("selma")
    page.get_by_label("Enhet").select_option(label="Utredningsenheten")
    page.get_by_label("Anställning från").fill("2026-11-02")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Selma Lund är på nivå 1. Nyanställd från 2026-11-02.").is_visible()
    assert page.get_by_text("En mentor efterfrågas: enhetens chefer ser det tills en mentor är vald.").is_visible()
    assert_accessible(page)
    selma = StaffMember.objects.get(first_name="Selma", last_name="Lund")
    page.get_by_role("button", name="Logga ut").click()

    login(page, live_server, "manager")
    page.goto(f"{live_server.url}/ladder/")
    requests = page.locator("ul[aria-labelledby='mentor-requests-heading']")
    assert requests.get_by_role("link", name="Selma Lund").is_visible()
    requests.get_by_role("link", name="Selma Lund").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Start som ny socialsekreterare").is_visible()
    assert page.get_by_test_id("mentor-prompt").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Ta bort den automatiska placeringen").click()
    page.wait_for_load_state("networkidle")
    assert "Selma Lund på nivå 1 från 2026-11-02" in page.locator("#confirm-question").inner_text()
    assert LevelPlacement.objects.filter(staff=selma).exists()  # first the question, nothing removed
    assert_accessible(page)
    page.get_by_role("button", name="Ta bort", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert not LevelPlacement.objects.filter(staff=selma).exists()
    assert page.get_by_text("Finns inte i trappan ännu.").is_visible()
    assert Onboarding.objects.get(staff=selma).placement_step == "removed"

    mentor_form = page.locator("form", has=page.get_by_role("button", name="Spara mentor"))
    mentor_form.get_by_label("Mentor").select_option(index=1)
    mentor_form.get_by_label("Från").fill("2026-11-02")
    mentor_form.get_by_label("Till").fill("2027-01-31")
    mentor_form.get_by_role("button", name="Spara mentor").click()
    page.wait_for_load_state("networkidle")
    assert Mentorship.objects.filter(staff=selma).exists()  # a short mentorship is saved, with a warning
    assert page.get_by_text("Mentorskapet är kortare än riktlinjen på 6–12 månader").first.is_visible()
    assert page.get_by_test_id("mentor-prompt").count() == 0
    assert_accessible(page)
