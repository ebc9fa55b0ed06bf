"""Organisation admin and HR forms driven in the browser: people, roles, settings, API tokens."""

from django.contrib.auth.models import User

from staff.models import ApiToken, Organisation, RoleAssignment, StaffMember
from tests.browser.conftest import assert_accessible, login


def test_org_admin_adds_a_person_with_login_and_role(page, live_server, demo):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/people/")
    page.get_by_role("link", name="Lägg till person").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.get_by_label("Förnamn").fill("Selma")
    page.get_by_label("Efternamn").fill("Lund")
    page.get_by_label("Användarnamn").fill("selma")
    page.get_by_label("Enhet").select_option(label="Utredningsenheten")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    # A missing employment start is named at its field, and nothing is saved.
    assert page.get_by_text("Det här fältet är obligatoriskt.").is_visible()
    assert not StaffMember.objects.filter(first_name="Selma", last_name="Lund").exists()
    assert_accessible(page)
    page.get_by_label("Anställning från").fill("2026-11-02")
    page.get_by_label("Ny socialsekreterare").uncheck()  # the role is given by hand below
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    member = StaffMember.objects.get(first_name="Selma", last_name="Lund")
    assert User.objects.get(username="selma").pk == member.user_id

    role_form = page.locator("form", has=page.get_by_role("button", name="Lägg till roll"))
    role_form.get_by_label("Roll").select_option("social_worker")
    role_form.get_by_label("Enhet").select_option(label="Utredningsenheten")
    role_form.get_by_role("button", name="Lägg till roll").click()
    page.wait_for_load_state("networkidle")
    assert RoleAssignment.objects.filter(staff=member, role="social_worker").exists()
    assert_accessible(page)

    # The staff record's change history on the same page: who changed the title, from what to what.
    page.get_by_label("Titel").fill("Socialsekreterare")
    page.get_by_role("button", name="Spara").first.click()
    page.wait_for_load_state("networkidle")
    history = page.locator("#history")
    assert history.get_by_text("Personakt: ändrad").first.is_visible()
    assert history.get_by_text("– → Socialsekreterare").first.is_visible()
    assert_accessible(page)


def test_org_admin_gets_a_field_error_for_a_too_short_idle_time(page, live_server, demo):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/structure/")
    page.get_by_label("Logga ut efter inaktivitet (minuter)").fill("5")
    page.get_by_label("Logga ut efter inaktivitet (minuter)").press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Kontrollera att detta värde är större än eller lika med 10.").is_visible()
    assert Organisation.objects.get(name="Demo kommun").idle_timeout_minutes == 60
    assert_accessible(page)


def test_hr_creates_uses_and_revokes_an_api_token(page, live_server, demo):
    login(page, live_server, "hr")
    page.goto(f"{live_server.url}/api-tokens/")
    assert page.get_by_text("Inga tokens ännu.").is_visible()
    page.get_by_label("Namn").fill("Statistikexport")
    page.get_by_role("button", name="Skapa token").click()
    page.wait_for_load_state("networkidle")
    key = page.get_by_role("textbox", name="Ny token").input_value()
    assert key.startswith("stb_")
    assert_accessible(page)

    api = page.context.request
    me = api.get(f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Token {key}", "Cookie": ""})
    assert me.status == 200 and me.json()["organisation"] == "Demo kommun"

    page.get_by_role("button", name="Återkalla Statistikexport").click()
    page.wait_for_load_state("networkidle")
    assert ApiToken.objects.get(name="Statistikexport").revoked_at is None  # first the question, nothing revoked
    assert "Statistikexport" in page.locator("#confirm-question").inner_text()
    assert page.get_by_role("link", name="Avbryt").count() == 1  # the way back, in Swedish
    assert_accessible(page)
    page.get_by_role("button", name="Återkalla", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert ApiToken.objects.get(name="Statistikexport").revoked_at is not None
    page.reload()
    assert page.get_by_role("textbox", name="Ny token").count() == 0  # the key is never shown again
    refused = api.get(f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Token {key}", "Cookie": ""})
    assert refused.status == 401


def test_switching_off_a_login_shows_when_and_by_whom_and_a_leaver_is_told_why_at_sign_in(
    page, live_server, demo, browser
):
    import datetime

    from django.utils import timezone

    worker = StaffMember.objects.get(user__username="worker")
    # The worker is signed in in a browser of their own.
    own = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    worker_page = own.new_page()
    login(worker_page, live_server, "worker")
    assert "/accounts/login/" not in worker_page.url

    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/people/{worker.pk}/")
    page.get_by_role("button", name="Stäng av inloggning").click()
    page.wait_for_load_state("networkidle")
    ended = page.locator("#access-ended")
    assert "Inloggning avstängd" in ended.inner_text() and "Av: " in ended.inner_text()
    assert_accessible(page)

    # Their session ended at once: the next page is the login page.
    worker_page.goto(f"{live_server.url}/me/")
    assert "/accounts/login/" in worker_page.url
    own.close()

    # A leaver with the right password is told why, in plain words, not "wrong password".
    StaffMember.objects.filter(pk=worker.pk).update(employment_end=timezone.localdate() - datetime.timedelta(days=1))
    page.get_by_role("button", name="Logga ut").click()
    login(page, live_server, "worker")
    assert page.get_by_text("Din anställning har upphört").is_visible()
    assert_accessible(page)
