"""Each demo role signs in, lands on its start page, walks its navigation and signs out; axe checks each page."""

import pytest

from tests.browser.conftest import assert_accessible, login

ROLES = [
    "manager",
    "assistant-manager",
    "worker",
    "specialist",
    "depthead",
    "hr",
    "admin",
    "administrator",
    "other-manager",
]


@pytest.mark.parametrize("username", ROLES)
def test_role_signs_in_navigates_and_signs_out(page, live_server, demo, username):
    login(page, live_server, username)
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    assert page.get_by_role("button", name="Logga ut").is_visible()
    assert_accessible(page)
    links = page.locator("#main-nav .nav-link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs, "the navigation has no links"
    for href in hrefs:
        response = page.goto(f"{live_server.url}{href}")
        assert response.status == 200, f"{username}: {href} answered {response.status}"
        assert page.locator("h1").first.is_visible()
        assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/accounts/login/")


def test_login_page_is_accessible_and_wrong_password_is_explained(page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    login(page, live_server, "worker", "fel-lösenord")
    assert page.get_by_text("Ange ett korrekt användarnamn och lösenord").is_visible()


def test_keyboard_user_can_skip_to_content(page, live_server, demo):
    login(page, live_server, "worker")
    page.keyboard.press("Tab")
    skip = page.get_by_text("Hoppa till huvudinnehållet")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_inline_script_would_be_refused(page, live_server, demo):
    """The policy is live in the browser: an injected inline script does not run, and is reported."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = true';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.ran === undefined")
    assert any("Content Security Policy" in e for e in page.script_errors)
    page.script_errors.clear()


def test_notifications_page_with_unread_linked_items_is_accessible(page, live_server, demo):
    from staff.models import StaffMember
    from staff.services import notify

    worker = StaffMember.objects.get(user__username="worker")
    notify(
        organisation=worker.organisation,
        recipient=worker,
        key="browser-test",
        subject="Utredning 2026-123 närmar sig 90 dagar",
        url="/me/",
        email=False,
    )
    login(page, live_server, "worker")
    page.goto(f"{live_server.url}/notifications/")
    assert page.get_by_role("link", name="Utredning 2026-123 närmar sig 90 dagar").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Markera som läst").first.click()
    assert page.get_by_role("button", name="Markera som läst").count() == 0
