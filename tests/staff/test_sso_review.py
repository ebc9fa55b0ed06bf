"""Security review of sign-in through the organisation's identity provider (issue 18, part 2; docs/sso.md): the
defects found, each a test that failed before its fix, and the probes that showed no defect (crafted SAML
answers to the ACS are refusals, never a 500)."""

from __future__ import annotations

import base64
import datetime
import secrets
import zlib

import pytest
from django.contrib.auth import SESSION_KEY, login
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone

from staff import services as staff_services
from staff.models import Role, SecurityEvent, StaffMember
from staff.platform import mfa
from staff.sso import services
from staff.sso.models import SsoIdentity
from tests.staff.test_invitations import LINK
from tests.staff.test_sso_rules import _idp, _verified
from tests.staff.test_sso_saml import _browser, _configure, _sign_in, _signed_in_as

Reason = SecurityEvent.Reason
GOOD_PASSWORD = "ett-bra-losenord-2026"


def _sign_in_claims(idp, subject, **values):
    return services.person_for_sign_in(idp=idp, claims=services.Claims(subject=subject, values=values))


# --- 1. an identifier longer than the column: one sign-in, then never again (or a duplicate) ------------------


@pytest.mark.parametrize("jit", [False, True])
def test_an_identifier_longer_than_255_characters_is_refused_not_linked_once(world, jit):
    """Before: the link was stored cut to 255 characters but looked up uncut, so the person's second sign-in
    found no link, the record (already linked) matched no one: refused, or with just-in-time accounts a second
    staff record was made and the insert of its link failed."""
    _verified(world.org, "alfa.se")
    StaffMember.objects.filter(pk=world.bob.pk).update(email="bob@alfa.se")
    idp = _idp(world.org, jit_accounts=jit)
    long_subject = "x" * 300
    with pytest.raises(services.SignInRefused) as refused:
        _sign_in_claims(idp, long_subject, email="bob@alfa.se", given_name="Bob", family_name="T")
    assert refused.value.reason == Reason.PROVIDER_ERROR
    assert not SsoIdentity.objects.exists()
    assert StaffMember.objects.filter(email__iexact="bob@alfa.se").count() == 1
    # An identifier of exactly 255 characters signs in, and signs in again.
    exact = "y" * 255
    assert _sign_in_claims(idp, exact, email="bob@alfa.se") == world.bob.user
    assert _sign_in_claims(idp, exact, email="bob@alfa.se") == world.bob.user


# --- 2. an invitation link in an organisation that signs in only through its provider --------------------------


def _sso_only(world):
    _idp(world.org)
    type(world.org).objects.filter(pk=world.org.pk).update(sso_only=True)


def _invitee(world) -> StaffMember:
    member = staff_services.staff_member_create(
        organisation=world.org,
        username="nora",
        first_name="Nora",
        last_name="Ny",
        email="nora@alfa.example",
        unit=world.unit,
        employment_start=datetime.date(2026, 1, 1),
    )
    staff_services.role_assign(
        organisation=world.org, member=member, role=Role.SOCIAL_WORKER, actor=None, unit=world.unit
    )
    return member


def _invitation_path(world, member) -> str:
    mail.outbox.clear()
    staff_services.invitation_send(organisation=world.org, member=member, by=world.frank)
    return f"/accounts/invitation/{LINK.search(mail.outbox[-1].body)['token']}/"


@pytest.fixture
def _site(settings):
    settings.SITE_URL = "http://testserver"


def test_an_invitation_does_not_sign_in_with_a_password_where_the_organisation_signs_in_only_through_its_provider(
    world, _site
):
    """Before: choosing the first password on the invitation page signed the person in with it, although the
    login page refuses that same password (sso_only)."""
    _sso_only(world)
    member = _invitee(world)
    client = Client()
    path = _invitation_path(world, member)
    response = client.post(path, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/sso/alfa/"
    assert client.session.get(SESSION_KEY) is None
    page = client.get(response["Location"]).content.decode()
    assert "Alfa kommun loggar in med sitt eget konto, inte med lösenord. Logga in här." in page
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_PASSWORD_REFUSED)
    assert (event.organisation_id, event.user_id) == (world.org.pk, member.user_id)
    # The link is used up either way; the password it set is refused at the login page like any other.
    assert client.get(path).status_code == 410


def test_an_invited_break_glass_person_is_signed_in_and_an_organisation_without_the_rule_too(world, _site):
    _sso_only(world)
    member = _invitee(world)
    StaffMember.objects.filter(pk=member.pk).update(break_glass=True)
    client = Client()
    response = client.post(
        _invitation_path(world, member), {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )
    assert response.status_code == 302 and client.session.get(SESSION_KEY) == str(member.user_id)


# --- 3. the provider's second step is not carried over to a later sign-in of the same session -------------------


def test_a_sign_in_forgets_the_providers_two_step_of_the_session_it_continues(world):
    """django.contrib.auth.login keeps the session's data when the same person signs in again (cycle_key).
    Before: `sso_two_step` of an earlier sign-in through the provider then counted for a password sign-in."""
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session[SESSION_KEY] = str(world.frank.user_id)
    request.session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    request.session["_auth_user_hash"] = world.frank.user.get_session_auth_hash()
    request.session[mfa.SSO_TWO_STEP_KEY] = True
    request.session.save()
    request.user = world.frank.user
    login(request, world.frank.user, backend="django.contrib.auth.backends.ModelBackend")
    assert request.session.get(SESSION_KEY) == str(world.frank.user_id)
    assert mfa.SSO_TWO_STEP_KEY not in request.session


# --- 4. single logout is not offered: the SLS address signs no one out --------------------------------------------


def _logout_request(saml_idp, destination: str) -> str:
    issue = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    xml = (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="_{secrets.token_hex(16)}" Version="2.0" IssueInstant="{issue}" Destination="{destination}">'
        f"<saml:Issuer>{saml_idp.entity_id}</saml:Issuer>"
        "<saml:NameID>anyone</saml:NameID></samlp:LogoutRequest>"
    )
    deflated = zlib.compress(xml.encode())[2:-4]
    return base64.b64encode(deflated).decode()


def test_an_unsigned_logout_request_from_anyone_does_not_sign_the_person_out(world, saml_idp):
    """Before: allauth's SLS view accepted an unsigned LogoutRequest (python3-saml checks a signature only when
    one is sent or wantMessagesSigned is on), so a link or an <img> on any site signed the person out. Stabil
    offers no single logout (docs/sso.md, Limits): the address answers 404."""
    _configure(saml_idp, world.org)
    client = _browser()
    client.force_login(world.bob.user)
    request = _logout_request(saml_idp, "http://testserver/accounts/saml/alfa/sls/")
    response = client.get("/accounts/saml/alfa/sls/", {"SAMLRequest": request})
    assert _signed_in_as(client) == str(world.bob.user_id)
    assert response.status_code == 404
    # The service provider's metadata still answers (allauth names the SLS address in it).
    assert client.get("/accounts/saml/alfa/metadata/").status_code == 200


# --- probes that found no defect: crafted answers to the ACS are refusals, never a 500 ----------------------------

BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">'
    "&lol3;</samlp:Response>"
)


@pytest.mark.parametrize(
    "body",
    [
        {"SAMLResponse": "not base64 at all!!"},
        {"SAMLResponse": "QUJD"},  # base64 of "ABC": not XML
        {"SAMLResponse": base64.b64encode(BOMB.encode()).decode()},
        {"SAMLResponse": base64.b64encode(b"\xff\xfe\x00<x/>").decode()},
        {"SAMLResponse": base64.b64encode(b'<?xml version="1.0"?><x:y xmlns:x="urn:x"/>').decode()},
        {"SAMLResponse": ""},
        {},
    ],
)
def test_a_crafted_answer_posted_to_the_acs_is_a_refusal(world, saml_idp, body):
    _configure(saml_idp, world.org)
    client = _browser()
    acs = client.post("/accounts/saml/alfa/acs/", body)
    # A POST without an answer is refused at the ACS itself (nothing is kept); an answer goes on to be checked.
    assert acs.status_code == (400 if not body.get("SAMLResponse") else 302)
    done = client.get(acs["Location"]) if acs.status_code == 302 else acs
    assert done.status_code in (400, 403), done.content.decode()[:300]
    assert "Traceback" not in done.content.decode()
    assert _signed_in_as(client) is None
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_REFUSED)
    assert event.organisation_id == world.org.pk


def test_a_real_saml_sign_in_into_alfa_records_its_events_under_alfa(world, saml_idp):
    """Under the RLS plugin this runs with row-level security on: the sign-in's rows are Alfa's."""
    _configure(saml_idp, world.other_org)
    idp = _configure(saml_idp, world.org)
    StaffMember.objects.filter(pk=world.bob.pk).update(employee_number="100001")
    username, name_id = f"bob-{secrets.token_hex(4)}", f"siths-bob-{secrets.token_hex(4)}"
    saml_idp.add_user(username, "pw-bob", name_id, "bob@alfa.se", "Bob Testsson", "100001")
    client = _browser()
    done = _sign_in(client, "alfa", {"username": username, "password": "pw-bob"})
    assert done.status_code == 302 and _signed_in_as(client) == str(world.bob.user_id)
    assert list(SsoIdentity.objects.values_list("organisation_id", "identity_provider_id")) == [(world.org.pk, idp.pk)]
    events = SecurityEvent.objects.filter(kind__startswith="sso_")
    assert {e.organisation_id for e in events} == {world.org.pk}


def test_the_django_admin_login_refuses_the_password_too(world):
    """/django-admin/ authenticates through the same backends: sso_only holds there as well."""
    from django.contrib.auth import get_user_model

    from tests.factories import TEST_PASSWORD

    _sso_only(world)
    get_user_model().objects.filter(pk=world.frank.user_id).update(is_staff=True, is_superuser=True)
    client = Client()
    response = client.post("/django-admin/login/", {"username": "frank", "password": TEST_PASSWORD})
    assert response.status_code == 200 and client.session.get(SESSION_KEY) is None
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_PASSWORD_REFUSED).count() == 1


def test_another_organisations_slug_has_no_sign_in_of_this_ones_configuration(world):
    _idp(world.org)  # Alfa only
    for path in ("/accounts/oidc/beta/login/", "/accounts/oidc/beta/login/callback/?state=x&code=y"):
        response = Client().post(path) if path.endswith("login/") else Client().get(path)
        assert response.status_code == 404, path
