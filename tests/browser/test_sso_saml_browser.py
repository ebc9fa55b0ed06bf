"""Issue 18: a social worker signs in through her organisation's SAML identity provider in a real browser.

The login page finds Alfa kommun by the verified domain of the address she types, its page shows the SITHS
button, the local pysaml2 provider (tests/idp/saml) asks for her credentials at its own page and posts the
signed answer back; she lands on her caseload. A tampered answer shows the plain refusal page. axe scans
Stabil's pages."""

from __future__ import annotations

import secrets

from django.utils import timezone

from staff.models import SecurityEvent, StaffMember
from staff.sso import services
from staff.sso.models import EmailDomain, IdentityProvider
from tests.browser.conftest import assert_accessible


def _alfa_trusts(saml_idp, live_server, world) -> dict:
    base = live_server.url
    saml_idp.add_sp(f"{base}/accounts/saml/alfa/metadata/", f"{base}/accounts/saml/alfa/acs/")
    services.identity_provider_save(
        idp=IdentityProvider(
            organisation=world.org,
            protocol=IdentityProvider.Protocol.SAML,
            display_name="SITHS-kort",
            enabled=True,
            metadata_url=saml_idp.metadata_url,
            entity_id=saml_idp.entity_id,
            email_claim="email",
            employee_number_claim="employeeNumber",
            match_by=IdentityProvider.MatchBy.EMAIL,
        )
    )
    EmailDomain.objects.create(
        organisation=world.org, domain="alfa.se", verified_domain="alfa.se", verified_at=timezone.now()
    )
    StaffMember.objects.filter(pk=world.bob.pk).update(email="bob@alfa.se")
    person = {"username": f"bob-{secrets.token_hex(3)}", "password": "idp-pass-bob"}
    saml_idp.add_user(
        person["username"], person["password"], f"siths-{secrets.token_hex(4)}", "bob@alfa.se", "Bob Testsson", "1"
    )
    return person


def _to_provider(page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Din e-postadress på jobbet").fill("bob@alfa.se")
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url("**/accounts/sso/alfa/")
    assert page.get_by_role("heading", name="Logga in i Alfa kommun").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Logga in med SITHS-kort").click()
    page.wait_for_url("http://127.0.0.1:*/sso/redirect*")


def _at_provider(page, person) -> None:
    page.get_by_label("Username").fill(person["username"])
    page.get_by_label("Password").fill(person["password"])
    page.get_by_role("button", name="Sign in").click()


def test_a_worker_signs_in_through_saml_and_lands_on_her_caseload(page, live_server, transactional_db, world, saml_idp):
    person = _alfa_trusts(saml_idp, live_server, world)
    _to_provider(page, live_server)
    _at_provider(page, person)
    page.wait_for_url("**/caseload/mine/")
    assert page.get_by_role("button", name="Logga ut").is_visible()
    assert_accessible(page)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_SIGNED_IN, user_id=world.bob.user_id).exists()


def test_a_tampered_answer_shows_the_plain_refusal_page(page, live_server, transactional_db, world, saml_idp):
    person = _alfa_trusts(saml_idp, live_server, world)
    _to_provider(page, live_server)
    saml_idp.set_mode("tampered")
    _at_provider(page, person)
    page.wait_for_url("**/accounts/saml/alfa/acs/finish/")
    assert page.get_by_role("heading", name="Inloggningen gick inte igenom").is_visible()
    assert page.get_by_text("Orsak: Signatur saknas eller är fel.").is_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/caseload/mine/")
    page.wait_for_url("**/accounts/login/**")  # not signed in
