"""Issue 18: the organisation admin (frank) adds a person with the invitation ticked; the person opens the e-mailed
link in a browser of their own, chooses a password and lands on their start page. axe scans the pages."""

import re

from django.core import mail

from staff.models import Invitation, StaffMember
from tests.browser.conftest import assert_accessible, login
from tests.factories import TEST_PASSWORD

PASSWORD = "Lingonsylt-och-kanel-17"


def test_an_invited_person_chooses_a_password_and_reaches_their_start_page(
    browser, page, live_server, transactional_db, world, settings
):
    settings.SITE_URL = live_server.url
    login(page, live_server, "frank", TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/people/new/")
    page.get_by_label("Förnamn").fill("Selma")
    page.get_by_label("Efternamn").fill("Lund")
    page.get_by_label("E-post", exact=True).fill("selma@alfa.example")
    page.get_by_label("Användarnamn").fill("selma")
    page.get_by_label("Enhet").select_option(label="Utredning")
    page.get_by_label("Anställning från").fill("2026-11-02")
    page.get_by_label("Skicka en inbjudan med e-post").check()
    assert_accessible(page)
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("En inbjudan skickades till selma@alfa.example.").is_visible()
    assert page.get_by_test_id("invitation-state").get_by_text("Skickad till selma@alfa.example, väntar").is_visible()
    assert_accessible(page)

    assert [m.to for m in mail.outbox] == [["selma@alfa.example"]]
    link = re.search(rf"{re.escape(live_server.url)}/accounts/invitation/\S+/", mail.outbox[0].body).group(0)

    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")  # the person's own browser
    try:
        invited = context.new_page()
        invited.set_default_timeout(15000)
        invited.goto(link)
        assert invited.get_by_role("heading", name="Välj ditt lösenord").is_visible()
        assert_accessible(invited)
        invited.get_by_label(re.compile(r"^\s*Nytt lösenord")).fill(PASSWORD)
        invited.get_by_label("Bekräfta nytt lösenord").fill("inte samma")
        invited.get_by_role("button", name="Spara lösenordet och logga in").click()
        invited.wait_for_load_state("networkidle")
        assert invited.get_by_text("De två lösenordsfälten stämmer inte överens.").is_visible()
        assert_accessible(invited)  # the page with the error at the field
        invited.get_by_label(re.compile(r"^\s*Nytt lösenord")).fill(PASSWORD)
        invited.get_by_label("Bekräfta nytt lösenord").fill(PASSWORD)
        invited.get_by_role("button", name="Spara lösenordet och logga in").click()
        invited.wait_for_url("**/caseload/mine/")
        assert invited.get_by_role("button", name="Logga ut").is_visible()
        assert_accessible(invited)

        invited.goto(link)  # once only
        assert invited.get_by_role("heading", name="Inbjudningslänken fungerar inte").is_visible()
        assert_accessible(invited)
    finally:
        context.close()
    selma = StaffMember.objects.get(first_name="Selma", last_name="Lund")
    assert selma.user.check_password(PASSWORD)
    assert Invitation.objects.get(staff=selma).state() == Invitation.State.USED
