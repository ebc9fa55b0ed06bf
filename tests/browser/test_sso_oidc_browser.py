"""Issue 18: a unit manager signs in through her organisation's OpenID Connect provider in a real browser.

Alfa kommun's own sign-in page (/accounts/sso/alfa/) shows the Entra ID button; the local provider
(django-oauth-toolkit, tests/idp/oidc) asks for her credentials at its own page and sends the browser back
with a code; Stabil checks the ID token and she lands on her unit's page. An ID token for another audience
shows the plain refusal page. axe scans Stabil's pages."""

from __future__ import annotations

import secrets

from staff.models import SecurityEvent, StaffMember
from staff.sso import services
from staff.sso.models import IdentityProvider
from tests.browser.conftest import assert_accessible


def _alfa_trusts(oidc_provider, live_server, world) -> dict:
    client_id, secret = f"alfa-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    oidc_provider.add_client(client_id, secret, [f"{live_server.url}/accounts/oidc/alfa/login/callback/"])
    services.identity_provider_save(
        idp=IdentityProvider(
            organisation=world.org,
            protocol=IdentityProvider.Protocol.OIDC,
            display_name="Entra ID",
            enabled=True,
            metadata_url=oidc_provider.discovery_url,
            client_id=client_id,
            employee_number_claim="employee_number",
            match_by=IdentityProvider.MatchBy.EMPLOYEE_NUMBER,
        ),
        client_secret=secret,
    )
    StaffMember.objects.filter(pk=world.alice.pk).update(employee_number="300001")
    person = {"username": f"alice-{secrets.token_hex(3)}", "password": "idp-pass-alice"}
    oidc_provider.add_user(person["username"], person["password"], secrets.token_hex(8), "a@alfa.se", "Alice", "300001")
    return person


def _sign_in_at_provider(page, live_server, person) -> None:
    page.goto(f"{live_server.url}/accounts/sso/alfa/")
    assert_accessible(page)
    page.get_by_role("button", name="Logga in med Entra ID").click()
    page.wait_for_url("http://127.0.0.1:*/accounts/login/**")  # the provider's own login page
    page.get_by_label("Username").fill(person["username"])
    page.get_by_label("Password").fill(person["password"])
    page.get_by_role("button", name="Sign in").click()


def test_a_manager_signs_in_through_openid_connect(page, live_server, transactional_db, world, oidc_provider):
    person = _alfa_trusts(oidc_provider, live_server, world)
    _sign_in_at_provider(page, live_server, person)
    page.wait_for_url(f"**/caseload/units/{world.unit.pk}/**")
    assert page.get_by_role("button", name="Logga ut").is_visible()
    assert_accessible(page)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_SIGNED_IN, user_id=world.alice.user_id).exists()


def test_an_id_token_for_someone_else_shows_the_plain_refusal(
    page, live_server, transactional_db, world, oidc_provider
):
    person = _alfa_trusts(oidc_provider, live_server, world)
    oidc_provider.set_mode("wrong_audience")
    _sign_in_at_provider(page, live_server, person)
    page.wait_for_url("**/accounts/oidc/alfa/login/callback/**")
    assert page.get_by_role("heading", name="Inloggningen gick inte igenom").is_visible()
    assert page.get_by_text("Orsak: Avsett för en annan mottagare (audience).").is_visible()
    assert_accessible(page)
