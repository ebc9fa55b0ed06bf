"""The organisation admin sets up sign-in through OpenID Connect in a browser, by keyboard: the secret is stored
and never shown again, and the page gives the redirect URI for the provider (axe on each page)."""

from staff.models import StaffMember
from staff.platform import secrets
from staff.sso.models import IdentityProvider
from tests.browser.conftest import assert_accessible, login

SECRET = "Webbläsar-hemlighet-7c1d2e3f"


def _tab_to(page, element_id: str, limit: int = 20) -> None:
    """Tab forward until the element has the focus: it is reachable by keyboard, in order."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} not reached within {limit} tabs")


def test_org_admin_sets_up_openid_connect_by_keyboard(page, live_server, demo):
    login(page, live_server, "admin")
    slug = StaffMember.objects.select_related("organisation").get(user__username="admin").organisation.slug
    page.goto(f"{live_server.url}/admin/people/")
    page.get_by_role("link", name="Identitetsleverantör").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Inloggning via identitetsleverantör").is_visible()
    assert page.get_by_text("Ingen hemlighet är sparad.").is_visible()
    assert_accessible(page)

    page.locator("#id_oidc-display_name").focus()
    page.keyboard.type("Demokommun (Entra ID)")
    _tab_to(page, "id_oidc-enabled")
    page.keyboard.press("Space")
    _tab_to(page, "id_oidc-metadata_url")
    page.keyboard.type("https://login.demo.example/.well-known/openid-configuration")
    _tab_to(page, "id_oidc-client_id")
    page.keyboard.type("stabil-demo")
    _tab_to(page, "id_oidc-client_secret")
    page.keyboard.type(SECRET)
    _tab_to(page, "id_oidc-uid_claim")
    page.keyboard.type("oid")
    # On to the save button of the form, by keyboard as well.
    for _ in range(15):
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Spara OpenID Connect":
            break
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")

    idp = IdentityProvider.objects.get(protocol="oidc")
    assert (idp.display_name, idp.enabled, idp.client_id, idp.uid_claim) == (
        "Demokommun (Entra ID)",
        True,
        "stabil-demo",
        "oid",
    )
    assert secrets.decrypt(idp.client_secret_encrypted) == SECRET
    assert page.get_by_text("En hemlighet är sparad.").is_visible()
    assert SECRET not in page.content()
    assert page.locator("#id_oidc-client_secret").input_value() == ""
    redirect_uri = page.get_by_role("textbox", name="Omdirigerings-URI, Redirect URI (OpenID Connect)")
    assert redirect_uri.input_value() == f"{live_server.url}/accounts/oidc/{slug}/login/callback/"
    assert_accessible(page)
