"""Who a sign-in through the organisation's identity provider is (issue 18, part 2; docs/sso.md), and the
password rules around it: sign-in only through the provider, break-glass accounts, the provider's two-step.

The protocol itself (signatures, audience, issuer, time, replay) is tested against real local providers in
tests/staff/test_sso_oidc.py and tests/staff/test_sso_saml.py."""

from __future__ import annotations

import datetime
import os

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from staff.models import Organisation, RoleAssignment, SecurityEvent, StaffMember
from staff.platform import secrets
from staff.sso import services
from staff.sso.adapter import classify
from staff.sso.models import EmailDomain, IdentityProvider, SsoIdentity
from tests.factories import StaffMemberFactory, UserFactory

User = get_user_model()
Reason = SecurityEvent.Reason


def _verified(organisation, domain: str) -> EmailDomain:
    return EmailDomain.objects.create(
        organisation=organisation, domain=domain, verified_domain=domain, verified_at=timezone.now()
    )


def _idp(organisation, **fields) -> IdentityProvider:
    values = {
        "protocol": IdentityProvider.Protocol.OIDC,
        "display_name": "Entra ID",
        "enabled": True,
        "metadata_url": "https://login.example/.well-known/openid-configuration",
        "client_id": "stabil",
        "employee_number_claim": "employee_number",
    }
    values.update(fields)
    return services.identity_provider_save(idp=IdentityProvider(organisation=organisation, **values))


def _claims(subject: str, **values) -> services.Claims:
    return services.Claims(subject=subject, values=values)


def _sign_in(idp, subject, **values):
    return services.person_for_sign_in(idp=idp, claims=_claims(subject, **values))


def _refused(idp, subject, **values) -> str:
    with pytest.raises(services.SignInRefused) as refused:
        _sign_in(idp, subject, **values)
    return refused.value.reason


@pytest.fixture
def alfa_idp(world):
    _verified(world.org, "alfa.se")
    StaffMember.objects.filter(pk=world.bob.pk).update(email="bob@alfa.se", employee_number="4711")
    return _idp(world.org)


# --- finding the staff record ---------------------------------------------------------------------------------


def test_a_first_sign_in_finds_the_record_by_email_in_a_verified_domain_and_keeps_the_identifier(world, alfa_idp):
    assert _sign_in(alfa_idp, "sub-bob", email="Bob@Alfa.se") == world.bob.user
    link = SsoIdentity.objects.get(identity_provider=alfa_idp)
    assert (link.subject, link.staff_id) == ("sub-bob", world.bob.pk)
    assert link.last_sign_in_at is not None
    # Later sign-ins follow the identifier, whatever the address says now.
    assert _sign_in(alfa_idp, "sub-bob", email="robert@elsewhere.example") == world.bob.user


def test_an_email_in_a_domain_not_verified_matches_no_one(world, alfa_idp):
    StaffMember.objects.filter(pk=world.bob.pk).update(email="bob@alfa-kommun.se")
    EmailDomain.objects.create(organisation=world.org, domain="alfa-kommun.se")  # added, never verified
    assert _refused(alfa_idp, "sub-bob", email="bob@alfa-kommun.se") == Reason.UNKNOWN_PERSON
    assert not SsoIdentity.objects.exists()


def test_another_organisations_verified_domain_does_not_count(world, alfa_idp):
    _verified(world.other_org, "beta.se")
    StaffMember.objects.filter(pk=world.bob.pk).update(email="bob@beta.se")
    assert _refused(alfa_idp, "sub-bob", email="bob@beta.se") == Reason.UNKNOWN_PERSON


def test_the_provider_never_signs_in_a_person_of_another_organisation(world, alfa_idp):
    """charlie (Beta kommun) has the same address and number as the claims: Alfa's provider finds no one."""
    _verified(world.other_org, "beta.se")
    StaffMember.objects.filter(pk=world.charlie.pk).update(email="charlie@alfa.se", employee_number="9999")
    assert _refused(alfa_idp, "sub-c", email="charlie@alfa.se") == Reason.UNKNOWN_PERSON
    by_number = _idp(world.org, protocol=IdentityProvider.Protocol.SAML, match_by="employee_number")
    assert _refused(by_number, "sub-c", employee_number="9999") == Reason.UNKNOWN_PERSON


def test_match_by_employee_number_and_by_directory_id(world, alfa_idp):
    IdentityProvider.objects.filter(pk=alfa_idp.pk).update(match_by=IdentityProvider.MatchBy.EMPLOYEE_NUMBER)
    alfa_idp.refresh_from_db()
    assert _sign_in(alfa_idp, "sub-1", employee_number="4711") == world.bob.user
    assert _refused(alfa_idp, "sub-2", employee_number="") == Reason.UNKNOWN_PERSON

    StaffMember.objects.filter(pk=world.heidi.pk).update(external_id="0f8e-heidi")
    IdentityProvider.objects.filter(pk=alfa_idp.pk).update(match_by=IdentityProvider.MatchBy.EXTERNAL_ID)
    alfa_idp.refresh_from_db()
    assert _sign_in(alfa_idp, "0f8e-heidi") == world.heidi.user
    assert _refused(alfa_idp, "0f8e-HEIDI") == Reason.UNKNOWN_PERSON  # identifiers are compared exactly


def test_two_records_with_the_address_are_refused_as_ambiguous(world, alfa_idp):
    StaffMember.objects.filter(pk=world.heidi.pk).update(email="BOB@alfa.se")
    assert _refused(alfa_idp, "sub-bob", email="bob@alfa.se") == Reason.AMBIGUOUS_PERSON


def test_a_record_linked_to_another_identifier_is_not_taken_by_a_second_account(world, alfa_idp):
    _sign_in(alfa_idp, "sub-bob", email="bob@alfa.se")
    assert _refused(alfa_idp, "sub-impostor", email="bob@alfa.se") == Reason.UNKNOWN_PERSON
    assert SsoIdentity.objects.get().subject == "sub-bob"


def test_an_unknown_person_is_refused_unless_just_in_time_accounts_are_on(world, alfa_idp):
    claims = {"email": "nina.berg@alfa.se", "given_name": "Nina", "family_name": "Berg", "employee_number": "5"}
    assert _refused(alfa_idp, "sub-nina", **claims) == Reason.UNKNOWN_PERSON
    assert not StaffMember.objects.filter(last_name="Berg").exists()

    IdentityProvider.objects.filter(pk=alfa_idp.pk).update(jit_accounts=True)
    alfa_idp.refresh_from_db()
    user = _sign_in(alfa_idp, "sub-nina", **claims)
    member = StaffMember.objects.get(user=user)
    assert (member.organisation, member.first_name, member.last_name) == (world.org, "Nina", "Berg")
    assert (member.email, member.employee_number, user.username) == ("nina.berg@alfa.se", "5", "nina-berg")
    assert not user.has_usable_password()
    assert not RoleAssignment.objects.filter(staff=member).exists()  # no role until an admin gives one
    assert member.history.first().history_change_reason == "SSO: Entra ID"
    # The second sign-in is the same person, not a second record.
    assert _sign_in(alfa_idp, "sub-nina", **claims) == user
    assert StaffMember.objects.filter(last_name="Berg").count() == 1


def test_a_just_in_time_account_without_names_is_refused(world, alfa_idp):
    IdentityProvider.objects.filter(pk=alfa_idp.pk).update(jit_accounts=True)
    alfa_idp.refresh_from_db()
    assert _refused(alfa_idp, "sub-x", email="x@alfa.se") == Reason.UNKNOWN_PERSON
    # A display name or an address of the form first.last gives names.
    user = _sign_in(alfa_idp, "sub-y", email="sara.ek@alfa.se")
    assert (user.staff.first_name, user.staff.last_name) == ("Sara", "Ek")


def test_a_record_without_a_login_gets_one_at_its_first_sign_in(world, alfa_idp):
    member = StaffMemberFactory(organisation=world.org, unit=world.unit, user=None, email="olle@alfa.se")
    user = _sign_in(alfa_idp, "sub-olle", email="olle@alfa.se")
    member.refresh_from_db()
    assert member.user == user and user.username == "olle" and not user.has_usable_password()


def test_a_switched_off_login_is_refused(world, alfa_idp):
    User.objects.filter(pk=world.bob.user_id).update(is_active=False)
    assert _refused(alfa_idp, "sub-bob", email="bob@alfa.se") == Reason.LOGIN_SWITCHED_OFF


@pytest.mark.parametrize(
    ("today", "allowed"),
    [("2026-06-29", True), ("2026-06-30", True), ("2026-07-01", False)],
    ids=["day-before", "last-day", "day-after"],
)
def test_a_leaver_signs_in_on_their_last_day_and_not_the_day_after(world, alfa_idp, today, allowed):
    StaffMember.objects.filter(pk=world.bob.pk).update(employment_end=datetime.date(2026, 6, 30))
    with time_machine.travel(datetime.datetime.fromisoformat(f"{today} 12:00+02:00"), tick=False):
        if allowed:
            assert _sign_in(alfa_idp, "sub-bob", email="bob@alfa.se") == world.bob.user
        else:
            assert _refused(alfa_idp, "sub-bob", email="bob@alfa.se") == Reason.EMPLOYMENT_ENDED


def test_claims_of_both_protocols_flatten_to_one_value_a_name():
    oidc = services.claims_from("oidc", "s", {"id_token": {"email": "a@x.se", "n": 1}, "userinfo": {"email": "b@x.se"}})
    assert oidc.values == {"email": "b@x.se", "n": "1"}
    saml = services.claims_from("saml", "s", {"email": ["c@x.se", "d@x.se"], "employeeNumber": [], "x": None})
    assert saml.values == {"email": "c@x.se", "employeeNumber": "", "x": ""}


# --- the client secret --------------------------------------------------------------------------------------


def test_the_client_secret_is_stored_encrypted_and_an_empty_one_keeps_it(world):
    idp = _idp(world.org)
    idp = services.identity_provider_save(idp=idp, client_secret="s3cret-value")
    stored = IdentityProvider.objects.get(pk=idp.pk)
    assert "s3cret-value" not in stored.client_secret_encrypted
    assert services.client_secret(stored) == "s3cret-value"
    services.identity_provider_save(idp=stored, client_secret="")
    assert services.client_secret(IdentityProvider.objects.get(pk=idp.pk)) == "s3cret-value"
    assert "client_secret_encrypted" not in {f.name for f in IdentityProvider.history.model._meta.fields}


def test_a_secret_encrypted_with_another_key_is_unreadable_not_wrong():
    token = secrets.encrypt("value")
    with override_settings(SECRET_KEY="another-key-entirely-" * 3), pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(token)


# --- protocol failures are named -------------------------------------------------------------------------------


def _jwt_error(**kwargs) -> Exception:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": "https://idp", "aud": "stabil", "exp": 4_000_000_000, "sub": "s"}
    claims.update(kwargs.pop("claims", {}))
    token = jwt.encode(claims, kwargs.pop("sign_with", key), algorithm="RS256")
    try:
        jwt.decode(token, key.public_key(), algorithms=["RS256"], audience="stabil", issuer="https://idp")
    except jwt.PyJWTError as exc:
        wrapped = RuntimeError("Invalid id_token")
        wrapped.__cause__ = exc
        return wrapped
    raise AssertionError("the token verified")


def test_each_id_token_failure_is_classified_by_pyjwts_own_error():
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert classify(_jwt_error(sign_with=other)) == Reason.SIGNATURE
    assert classify(_jwt_error(claims={"aud": "someone-else"})) == Reason.AUDIENCE
    assert classify(_jwt_error(claims={"iss": "https://evil"})) == Reason.ISSUER
    assert classify(_jwt_error(claims={"exp": 1_000_000_000})) == Reason.TIME_WINDOW
    assert classify(RuntimeError("token already used")) == Reason.REPLAY


def test_saml_error_reasons_are_classified():
    def saml(reason):
        return classify(None, {"saml_errors": ["invalid_response"], "saml_last_error_reason": reason})

    assert saml("Signature validation failed. SAML Response rejected") == Reason.SIGNATURE
    assert saml("No Signature found. SAML Response rejected") == Reason.SIGNATURE
    assert saml("Invalid audience for this Response (expected 'x', got 'y')") == Reason.AUDIENCE
    assert saml("Invalid issuer in the Assertion/Response (expected 'x', got 'y')") == Reason.ISSUER
    assert saml("Could not validate timestamp: expired. Check system clock.") == Reason.TIME_WINDOW
    assert saml("The InResponseTo of the Response: x, does not match the ID of the AuthNRequest") == Reason.REPLAY
    assert classify(None, {"state_id": "abc", "callback_view": object()}) == Reason.REPLAY


# --- passwords where the organisation signs in through its provider ------------------------------------------


def _post_login(username: str, password: str) -> tuple[Client, object]:
    client = Client()
    return client, client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def sso_only(world, alfa_idp):
    type(world.org).objects.filter(pk=world.org.pk).update(sso_only=True)
    return world


def test_sso_only_refuses_the_right_password_with_a_pointer_to_the_organisations_sign_in(sso_only, password):
    _client, response = _post_login("bob", password)
    assert response.status_code == 200
    assert "Alfa kommun loggar in med sitt eget konto" in response.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_PASSWORD_REFUSED)
    assert (event.organisation_id, event.user_id) == (sso_only.org.pk, sso_only.bob.user_id)
    # A wrong password gets the ordinary answer: the message never tells a stranger about the account.
    _client, wrong = _post_login("bob", "not-the-password")
    assert "eget konto" not in wrong.content.decode()
    # Beta kommun, which has no such rule, signs in as before.
    _client, charlie = _post_login("charlie", password)
    assert charlie.status_code == 302


def test_sso_only_without_a_provider_in_use_keeps_passwords_working(sso_only, alfa_idp, password):
    IdentityProvider.objects.filter(pk=alfa_idp.pk).update(enabled=False)
    _client, response = _post_login("bob", password)
    assert response.status_code == 302


def test_a_break_glass_account_signs_in_with_its_password_and_must_do_two_step(sso_only, password):
    StaffMember.objects.filter(pk=sso_only.frank.pk).update(break_glass=True)
    client, response = _post_login("frank", password)
    assert response.status_code == 302
    start = client.get(reverse("staff:start"))
    assert start.status_code == 302 and start["Location"].startswith(reverse("mfa_setup"))


def test_a_provider_that_does_the_second_step_satisfies_the_organisations_two_step_rule(world, alfa_idp):
    type(world.org).objects.filter(pk=world.org.pk).update(mfa_required=True)
    client = Client()
    client.force_login(world.alice.user)  # a unit manager: two-step required
    asked = client.get(reverse("staff:start"))
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("mfa_setup"))
    session = client.session
    session["sso_two_step"] = True
    session.save()
    let_in = client.get(reverse("staff:start"))  # a manager's start page is their unit's page
    assert let_in.status_code == 302 and not let_in["Location"].startswith("/accounts/mfa/")


def test_a_new_user_from_the_factory_is_unaffected(world):
    """The rule reads the staff record: a login without one (e.g. django-admin's superuser) is not refused."""
    user = UserFactory(username="operator")
    assert services.password_sign_in_refused(getattr(user, "staff", None)) is False


def test_an_anonymised_person_takes_their_provider_identifiers_and_their_history_along(world, alfa_idp):
    from staff.platform.retention.services import _anonymise

    _sign_in(alfa_idp, "sub-bob", email="bob@alfa.se")
    StaffMember.objects.filter(pk=world.heidi.pk).update(email="heidi@alfa.se")
    _sign_in(alfa_idp, "sub-heidi", email="heidi@alfa.se")
    assert SsoIdentity.history.filter(staff_id=world.bob.pk).exists()
    bob = StaffMember.objects.select_related("user", "organisation").get(pk=world.bob.pk)
    _anonymise(bob, datetime.date(2030, 1, 1))
    assert not SsoIdentity.objects.filter(staff_id=world.bob.pk).exists()
    assert not SsoIdentity.history.filter(staff_id=world.bob.pk).exists()
    assert SsoIdentity.objects.filter(staff_id=world.heidi.pk).exists()


def test_sso_demo_setup_points_demo_kommun_at_the_local_providers(db, tmp_path):
    import json

    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    call_command("sso_demo_setup", out=str(tmp_path), site="http://127.0.0.1:8000", stdout=open(os.devnull, "w"))
    demo = Organisation.objects.get(slug="demo")
    providers = {idp.protocol: idp for idp in IdentityProvider.objects.filter(organisation=demo)}
    assert set(providers) == {"oidc", "saml"} and all(idp.enabled for idp in providers.values())
    oidc = json.loads((tmp_path / "oidc.json").read_text())
    assert services.client_secret(providers["oidc"]) == oidc["clients"][0]["client_secret"]
    assert oidc["clients"][0]["redirect_uris"] == ["http://127.0.0.1:8000/accounts/oidc/demo/login/callback/"]
    saml = json.loads((tmp_path / "saml.json").read_text())
    assert saml["sps"] == [
        {
            "entity_id": "http://127.0.0.1:8000/accounts/saml/demo/metadata/",
            "acs_url": "http://127.0.0.1:8000/accounts/saml/demo/acs/",
        }
    ]
    worker = StaffMember.objects.get(organisation=demo, user__username="worker")
    at_provider = {u["username"]: u for u in oidc["users"]}["worker"]
    assert (at_provider["email"], at_provider["employee_number"]) == (worker.email, worker.employee_number)
    assert services.domain_verified(demo, worker.email)
    # The provider's person is the demo's worker (matched by the verified e-mail address).
    claims = services.Claims(subject=at_provider["sub"], values={"email": worker.email})
    assert services.person_for_sign_in(idp=providers["oidc"], claims=claims) == worker.user


def test_an_address_the_provider_marks_unverified_matches_no_one(world, alfa_idp):
    """A provider's `email_verified: false` (e.g. a guest account that typed the address) never takes over the
    record with that address."""
    assert _refused(alfa_idp, "sub-guest", email="bob@alfa.se", email_verified="False") == Reason.UNKNOWN_PERSON
    assert _sign_in(alfa_idp, "sub-bob", email="bob@alfa.se", email_verified="True") == world.bob.user
