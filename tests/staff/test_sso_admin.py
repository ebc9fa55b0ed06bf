"""The organisation admin's page for sign-in through the identity provider (issue 18): the OpenID Connect and
SAML configuration (the client secret never shown again), "sign in only through the identity provider" with its
break-glass people, and the e-mail domains with their verification link. Run also under row-level security:
`-p tests.staff.rls_plugin`."""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import re
import zoneinfo

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from staff.models import Organisation, Role, StaffMember
from staff.platform import secrets
from staff.platform.audit.models import SecurityEvent
from staff.sso.models import EmailDomain, IdentityProvider
from tests.factories import RoleAssignmentFactory, StaffMemberFactory, UserFactory

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
SENT = datetime.datetime(2026, 12, 1, 11, 0, tzinfo=STOCKHOLM)  # 7 days: the link works through 8 December
SECRET = "Hemlig-klientnyckel-9f8e7d6c5b4a"
DISCOVERY = "https://login.alfa.example/.well-known/openid-configuration"
IDP_ENTITY = "https://idp.alfa.example/saml"
LINK = re.compile(r"http://testserver/accounts/sso/domain/(?P<token>[^/\s]+)/")
PAGE = "/admin/sso/"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def bea(world):
    """Beta kommun's organisation admin."""
    member = StaffMemberFactory(
        organisation=world.other_org, unit=None, user=UserFactory(username="bea"), first_name="Bea", last_name="Beta"
    )
    RoleAssignmentFactory(staff=member, organisation=world.other_org, role=Role.ORG_ADMIN)
    client = Client()
    client.force_login(member.user)
    return client


def _oidc(**overrides):
    data = {
        "action": "oidc",
        "oidc-display_name": "Alfa kommun (Entra ID)",
        "oidc-enabled": "on",
        "oidc-metadata_url": DISCOVERY,
        "oidc-client_id": "stabil-alfa",
        "oidc-client_secret": SECRET,
        "oidc-uid_claim": "oid",
        "oidc-email_claim": "email",
        "oidc-match_by": "email",
        "oidc-provider_two_step": "on",
    }
    data.update({f"oidc-{k}": v for k, v in overrides.items()})
    return {k: v for k, v in data.items() if v is not None}


@functools.cache
def _certificate() -> str:
    """A self-signed certificate, base64 DER as in SAML metadata."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.alfa.example")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def _metadata(*, entity_id=IDP_ENTITY, cert=True, sso=True, role="IDPSSODescriptor") -> bytes:
    key = (
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{_certificate()}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        if cert
        else ""
    )
    service = (
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        'Location="https://idp.alfa.example/sso"/>'
        if sso
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">'
        f'<md:{role} protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{key}{service}</md:{role}>'
        "</md:EntityDescriptor>"
    ).encode()


def _saml(upload: bytes | None = None, **overrides):
    data = {
        "action": "saml",
        "saml-display_name": "SITHS-kort",
        "saml-enabled": "on",
        "saml-email_claim": "mail",
        "saml-match_by": "email",
        "saml-provider_two_step": "on",
    }
    data.update({f"saml-{k}": v for k, v in overrides.items()})
    if upload is not None:
        data["saml-metadata_file"] = SimpleUploadedFile("idp.xml", upload, content_type="application/xml")
    return data


def _html(response) -> str:
    return response.content.decode()


# --- who has the page --------------------------------------------------------------------------------------


def test_only_the_organisation_admin_has_the_page(world):
    for name in ("erin", "alice", "bob", "charlie"):
        client = world.client(name)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, _oidc()).status_code == 403
        assert (
            client.post(reverse("staff:admin_staff_break_glass", args=[world.bob.pk]), {"break_glass": "1"}).status_code
            == 403
        )
    assert Client().get(PAGE).status_code == 302
    assert not IdentityProvider.objects.exists() and not StaffMember.objects.filter(break_glass=True).exists()


def test_the_page_is_linked_from_the_people_list_and_shows_the_addresses_for_the_provider(world):
    frank = world.client("frank")
    assert f'href="{PAGE}"' in _html(frank.get(reverse("staff:admin_staff_list")))
    page = _html(frank.get(PAGE))
    assert "Inloggning via identitetsleverantör" in page
    for address in (
        "http://testserver/accounts/oidc/alfa/login/callback/",
        "http://testserver/accounts/saml/alfa/metadata/",
        "http://testserver/accounts/saml/alfa/acs/",
        "http://testserver/accounts/sso/alfa/",
    ):
        assert f'value="{address}"' in page


def test_another_organisations_admin_never_sees_or_changes_this_ones(world, bea):
    frank = world.client("frank")
    assert frank.post(PAGE, _oidc()).status_code == 302
    assert frank.post(PAGE, {"action": "domain_add", "domain-domain": "alfa.example"}).status_code == 302
    StaffMember.objects.filter(pk=world.frank.pk).update(break_glass=True)
    alfa_domain = EmailDomain.objects.get(organisation=world.org)

    page = _html(bea.get(PAGE))
    for alfa in ("Alfa kommun (Entra ID)", "stabil-alfa", "alfa.example", "Frank", "/accounts/oidc/alfa/"):
        assert alfa not in page
    assert "/accounts/oidc/beta/login/callback/" in page
    # Beta's own configuration is Beta's row; Alfa's stays as it was.
    saved = bea.post(PAGE, _oidc(display_name="Beta (Entra ID)", client_id="stabil-beta", client_secret="beta-hemlis"))
    assert saved.status_code == 302
    alfa_idp = IdentityProvider.objects.get(organisation=world.org)
    assert (alfa_idp.display_name, alfa_idp.client_id) == ("Alfa kommun (Entra ID)", "stabil-alfa")
    assert secrets.decrypt(alfa_idp.client_secret_encrypted) == SECRET
    assert IdentityProvider.objects.get(organisation=world.other_org).client_id == "stabil-beta"
    # Alfa's domain and people are not Beta's to remove, verify or name.
    assert (
        bea.post(reverse("staff:admin_sso_domain_remove", args=[alfa_domain.pk]), {"confirm": "1"}).status_code == 404
    )
    mail.outbox.clear()
    sent = bea.post(PAGE, {"action": "domain_send", "verify-domain": alfa_domain.pk, "verify-email": "it@alfa.example"})
    assert sent.status_code == 400 and sent.context["verification_form"].errors["domain"] and not mail.outbox
    url = reverse("staff:admin_staff_break_glass", args=[world.bob.pk])
    assert bea.post(url, {"break_glass": "1"}).status_code == 404
    assert bea.post(PAGE, {"action": "sso_only", "sso-sso_only": "on"}).status_code == 400  # Beta has no break-glass
    assert EmailDomain.objects.filter(organisation=world.org).count() == 1
    assert not StaffMember.objects.get(pk=world.bob.pk).break_glass
    assert not Organisation.objects.get(pk=world.org.pk).sso_only


# --- OpenID Connect and the client secret ------------------------------------------------------------------


def test_the_secret_is_stored_encrypted_and_never_shown_again(world):
    frank = world.client("frank")
    saved = frank.post(PAGE, _oidc())
    assert saved.status_code == 302 and SECRET not in _html(saved)
    idp = IdentityProvider.objects.get(organisation=world.org, protocol="oidc")
    assert secrets.decrypt(idp.client_secret_encrypted) == SECRET and SECRET not in idp.client_secret_encrypted
    assert (idp.display_name, idp.enabled, idp.metadata_url, idp.client_id, idp.uid_claim) == (
        "Alfa kommun (Entra ID)",
        True,
        DISCOVERY,
        "stabil-alfa",
        "oid",
    )
    assert idp.client_secret_changed_at is not None
    page = frank.get(PAGE)
    html = _html(page)
    assert SECRET not in html
    assert "En hemlighet är sparad." in html and "Senast ändrad" in html
    assert 'name="oidc-client_secret"' in html and 'type="password"' in html
    # A form error with a secret typed: the secret is not rendered back either, and nothing is saved.
    refused = frank.post(PAGE, _oidc(client_secret="Ny-hemlighet-1234567", metadata_url="inte en adress"))
    assert refused.status_code == 400 and "Ny-hemlighet-1234567" not in _html(refused)
    assert refused.context["oidc_form"].errors["metadata_url"]
    idp.refresh_from_db()
    assert secrets.decrypt(idp.client_secret_encrypted) == SECRET and idp.metadata_url == DISCOVERY
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_CONFIGURED)
    assert [(e.organisation_id, e.user_id, e.status) for e in events] == [(world.org.pk, world.frank.user_id, 200)]


def test_an_empty_secret_keeps_the_stored_one_and_a_new_one_replaces_it(world):
    with time_machine.travel(SENT, tick=False):
        assert world.client("frank").post(PAGE, _oidc()).status_code == 302
    with time_machine.travel(SENT + datetime.timedelta(days=1), tick=False):
        frank = world.client("frank")  # signed in anew: a day later the idle timeout has ended the first session
        assert frank.post(PAGE, _oidc(client_secret="", display_name="Entra ID")).status_code == 302
        idp = IdentityProvider.objects.get(organisation=world.org)
        assert idp.display_name == "Entra ID" and secrets.decrypt(idp.client_secret_encrypted) == SECRET
        assert idp.client_secret_changed_at == SENT
        assert "Senast ändrad 2026-12-01 11:00." in _html(frank.get(PAGE))
        assert frank.post(PAGE, _oidc(client_secret="Helt-ny-hemlighet-42")).status_code == 302
    idp.refresh_from_db()
    assert secrets.decrypt(idp.client_secret_encrypted) == "Helt-ny-hemlighet-42"
    assert idp.client_secret_changed_at == SENT + datetime.timedelta(days=1)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_CONFIGURED).count() == 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"client_secret": ""}, "client_secret"),  # a new set-up needs the secret
        ({"metadata_url": ""}, "metadata_url"),
        ({"metadata_url": "ftp://x"}, "metadata_url"),
        ({"client_id": ""}, "client_id"),
        ({"display_name": ""}, "display_name"),
        ({"email_claim": ""}, "email_claim"),
        ({"match_by": "personnummer"}, "match_by"),
        ({"display_name": "x" * 101}, "display_name"),
    ],
)
def test_a_bad_oidc_setting_is_refused_at_the_field_and_nothing_is_saved(world, overrides, field):
    response = world.client("frank").post(PAGE, _oidc(**overrides))
    assert response.status_code == 400
    assert response.context["oidc_form"].errors[field]
    assert not IdentityProvider.objects.exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_CONFIGURED).exists()


# --- SAML and the metadata file -----------------------------------------------------------------------------


def test_a_saml_metadata_file_fills_the_entity_id(world):
    from staff.sso.adapter import social_app

    frank = world.client("frank")
    assert frank.post(PAGE, _saml(_metadata(), entity_id="ignored")).status_code == 302
    idp = IdentityProvider.objects.get(organisation=world.org, protocol="saml")
    assert idp.entity_id == IDP_ENTITY and "IDPSSODescriptor" in idp.metadata_xml
    assert social_app(idp).settings["idp"]["sso_url"] == "https://idp.alfa.example/sso"  # usable for sign-in
    assert IDP_ENTITY in _html(frank.get(PAGE))
    # Saved again without a file: the stored metadata stays.
    assert frank.post(PAGE, _saml(display_name="SITHS")).status_code == 302
    idp.refresh_from_db()
    assert (idp.display_name, idp.entity_id) == ("SITHS", IDP_ENTITY) and idp.metadata_xml


BILLION_LAUGHS = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>'


@pytest.mark.parametrize(
    "upload",
    [b"this is not xml", b"", BILLION_LAUGHS, b"<html><body>Inloggning</body></html>"],
)
def test_a_file_that_is_not_xml_metadata_is_refused_at_the_field(world, upload):
    response = world.client("frank").post(PAGE, _saml(upload))
    assert response.status_code == 400
    assert response.context["saml_form"].errors["metadata_file"]
    assert not IdentityProvider.objects.exists()


@pytest.mark.parametrize(
    "metadata",
    [
        {"cert": False},  # no signing certificate: responses could not be checked
        {"sso": False},  # no sign-in address
        {"role": "SPSSODescriptor"},  # a service provider's metadata, not an identity provider's
    ],
)
def test_metadata_missing_what_sign_in_needs_is_refused_with_a_clear_message(world, metadata):
    response = world.client("frank").post(PAGE, _saml(_metadata(**metadata)))
    assert response.status_code == 400
    assert "inte en identitetsleverantörs SAML-metadata" in response.context["saml_form"].errors["metadata_file"][0]
    assert not IdentityProvider.objects.exists()


def test_a_metadata_file_over_one_megabyte_is_refused(world):
    big = _metadata().replace(b"</md:EntityDescriptor>", b"<!--" + b"x" * (1024 * 1024) + b"--></md:EntityDescriptor>")
    response = world.client("frank").post(PAGE, _saml(big))
    assert response.status_code == 400
    assert "1 MB" in response.context["saml_form"].errors["metadata_file"][0]
    assert not IdentityProvider.objects.exists()


def test_saml_with_a_metadata_address_needs_the_entity_id_typed(world):
    frank = world.client("frank")
    url = "https://idp.alfa.example/metadata"
    refused = frank.post(PAGE, _saml(metadata_url=url))
    assert refused.status_code == 400 and refused.context["saml_form"].errors["entity_id"]
    assert not IdentityProvider.objects.exists()
    assert frank.post(PAGE, _saml(metadata_url=url, entity_id=IDP_ENTITY)).status_code == 302
    idp = IdentityProvider.objects.get()
    assert (idp.metadata_url, idp.entity_id, idp.metadata_xml) == (url, IDP_ENTITY, "")
    none = frank.post(PAGE, _saml(display_name="Utan metadata", metadata_url=""))
    assert none.status_code == 400 and none.context["saml_form"].errors["metadata_url"]


# --- sign in only through the provider, break-glass ----------------------------------------------------------


def _two_step_client(world, name):
    """Signed in with the second step done: a break-glass person needs it once the organisation is sso_only."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=world.people[name].user, name="app", confirmed=True)
    client = world.client(name)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("mfa_verify"), {"token": code}).status_code == 302
    return client


def _sso_only(client, on=True):
    return client.post(PAGE, {"action": "sso_only", **({"sso-sso_only": "on"} if on else {})})


def _enabled_provider(world, enabled=True):
    IdentityProvider.objects.create(
        organisation=world.org,
        protocol="oidc",
        display_name="Entra ID",
        enabled=enabled,
        metadata_url=DISCOVERY,
        client_id="x",
    )


def _break_glass(member, on=True):
    StaffMember.objects.filter(pk=member.pk).update(break_glass=on)


def test_sso_only_is_refused_without_a_provider_in_use(world):
    _break_glass(world.frank)
    _enabled_provider(world, enabled=False)
    response = _sso_only(world.client("frank"))
    assert response.status_code == 400
    assert "identitetsleverantör" in response.context["sso_only_form"].errors["sso_only"][0]
    assert not Organisation.objects.get(pk=world.org.pk).sso_only


@pytest.mark.parametrize("who", ["nobody", "not_admin", "login_off"])
def test_sso_only_is_refused_without_a_break_glass_admin_who_can_sign_in(world, who):
    _enabled_provider(world)
    if who == "not_admin":
        _break_glass(world.erin)  # HR, not organisation admin
    elif who == "login_off":
        second = StaffMemberFactory(
            organisation=world.org, unit=None, user=UserFactory(username="olle", is_active=False)
        )
        RoleAssignmentFactory(staff=second, organisation=world.org, role=Role.ORG_ADMIN)
        _break_glass(second)
    response = _sso_only(world.client("frank"))
    assert response.status_code == 400
    assert "nödkonto" in " ".join(response.context["sso_only_form"].errors["sso_only"])
    assert not Organisation.objects.get(pk=world.org.pk).sso_only


def test_sso_only_with_a_provider_and_a_break_glass_admin_and_off_again(world):
    _enabled_provider(world)
    _break_glass(world.frank)
    frank = _two_step_client(world, "frank")
    assert _sso_only(frank).status_code == 302
    org = Organisation.objects.get(pk=world.org.pk)
    assert org.sso_only and org.history.first().sso_only  # the change is in the organisation's history
    page = _html(frank.get(PAGE))
    assert "Frank Testsson" in page and 'data-testid="sso-only-state">På:' in page
    assert _sso_only(frank, on=False).status_code == 302
    assert not Organisation.objects.get(pk=world.org.pk).sso_only
    labels = list(SecurityEvent.objects.filter(kind="sso_configured").order_by("pk").values_list("by_label", flat=True))
    assert labels == ["sso_only: on", "sso_only: off"]


def _has_device(member):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)


def test_only_a_person_with_two_step_sign_in_can_be_named_break_glass(world):
    """Else a stolen break-glass password would be enough: the first two-step set-up needs only it."""
    frank = world.client("frank")
    url = reverse("staff:admin_staff_break_glass", args=[world.bob.pk])
    refused = frank.post(url, {"break_glass": "1"}, follow=True)
    assert "tvåstegsinloggning" in _html(refused)
    assert not StaffMember.objects.get(pk=world.bob.pk).break_glass
    _has_device(world.bob)
    assert frank.post(url, {"break_glass": "1"}).status_code == 302
    assert StaffMember.objects.get(pk=world.bob.pk).break_glass


def test_the_admin_names_and_unnames_a_break_glass_person_on_their_page(world):
    _has_device(world.bob)
    frank = world.client("frank")
    url = reverse("staff:admin_staff_break_glass", args=[world.bob.pk])
    person_page = reverse("staff:admin_staff_edit", args=[world.bob.pk])
    assert "Gör till nödkonto" in _html(frank.get(person_page))
    assert frank.post(url, {"break_glass": "1"}).status_code == 302
    bob = StaffMember.objects.get(pk=world.bob.pk)
    assert bob.break_glass and bob.history.first().break_glass  # saved through the model: in the history
    assert bob.history.first().history_user_id == world.frank.user_id
    assert "Bob Testsson" in _html(frank.get(PAGE))
    assert "Ta bort nödkonto" in _html(frank.get(person_page))
    assert frank.post(url, {"break_glass": "0"}).status_code == 302
    assert not StaffMember.objects.get(pk=world.bob.pk).break_glass
    assert [h.break_glass for h in bob.history.all()[:2]] == [False, True]


def test_the_last_break_glass_admin_cannot_be_unnamed_while_sso_only_is_on(world):
    _enabled_provider(world)
    _break_glass(world.frank)
    frank = _two_step_client(world, "frank")
    assert _sso_only(frank).status_code == 302
    url = reverse("staff:admin_staff_break_glass", args=[world.frank.pk])
    refused = frank.post(url, {"break_glass": "0"}, follow=True)
    assert "sista" in _html(refused) and StaffMember.objects.get(pk=world.frank.pk).break_glass
    second = StaffMemberFactory(organisation=world.org, unit=None, user=UserFactory(username="olga"))
    RoleAssignmentFactory(staff=second, organisation=world.org, role=Role.ORG_ADMIN)
    _has_device(second)
    assert (
        frank.post(reverse("staff:admin_staff_break_glass", args=[second.pk]), {"break_glass": "1"}).status_code == 302
    )
    assert frank.post(url, {"break_glass": "0"}).status_code == 302
    assert not StaffMember.objects.get(pk=world.frank.pk).break_glass


# --- e-mail domains and their verification -------------------------------------------------------------------


def _add(client, domain):
    return client.post(PAGE, {"action": "domain_add", "domain-domain": domain})


def _send(client, domain: EmailDomain, email: str):
    mail.outbox.clear()
    return client.post(PAGE, {"action": "domain_send", "verify-domain": domain.pk, "verify-email": email})


def _path_in_mail() -> str:
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return f"/accounts/sso/domain/{match['token']}/"


@pytest.mark.parametrize(
    "bad",
    [
        "it@alfa.example",
        "localhost",
        "-alfa.example",
        "alfa-.example",
        "alfa..example",
        "alfa example",
        "alfa.123",
        ("a" * 60 + ".") * 5 + "example",
        "a" * 64 + ".example",
        "",
    ],
)
def test_a_bad_domain_is_refused_at_the_field(world, bad):
    response = _add(world.client("frank"), bad)
    assert response.status_code == 400 and response.context["domain_form"].errors["domain"]
    assert not EmailDomain.objects.exists()


def test_the_domain_is_added_verified_by_the_link_once_and_removed(world):
    frank = world.client("frank")
    assert _add(frank, "  Alfa.Example. ").status_code == 302
    domain = EmailDomain.objects.get(organisation=world.org)
    assert (domain.domain, domain.verified_domain) == ("alfa.example", None)
    again = _add(frank, "alfa.example")
    assert again.status_code == 400 and again.context["domain_form"].errors["domain"]

    wrong = _send(frank, domain, "it@beta.example")
    assert wrong.status_code == 400 and wrong.context["verification_form"].errors["email"] and not mail.outbox
    assert _send(frank, domain, "it@alfa.example").status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["it@alfa.example"] and "alfa.example" in message.subject
    assert "Bekräfta" in message.subject and "Alfa kommun" in message.body
    path = _path_in_mail()
    token = path.split("/")[-2]
    domain.refresh_from_db()
    assert domain.verification_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(EmailDomain.objects.filter(pk=domain.pk).values().get())
    assert "Länk skickad till it@alfa.example" in _html(frank.get(PAGE))

    anyone = Client()
    confirm = anyone.get(path)
    assert confirm.status_code == 200 and "alfa.example" in _html(confirm) and "<form" in _html(confirm)
    assert EmailDomain.objects.get(pk=domain.pk).verified_at is None  # opening is not confirming
    done = anyone.post(path)
    assert done.status_code == 200 and "verifierad" in _html(done)
    domain.refresh_from_db()
    assert domain.verified_at is not None and domain.verified_domain == "alfa.example"
    assert anyone.get(path).status_code == 410 and anyone.post(path).status_code == 410
    assert "Verifierad" in _html(frank.get(PAGE))
    assert SecurityEvent.objects.filter(kind="sso_configured", by_label="e-mail domain verified: alfa.example").exists()

    remove = reverse("staff:admin_sso_domain_remove", args=[domain.pk])
    assert frank.post(remove).status_code == 200 and EmailDomain.objects.exists()  # asked first
    assert frank.post(remove, {"confirm": "1"}).status_code == 302
    assert not EmailDomain.objects.exists()


def test_a_new_link_replaces_the_earlier_one(world):
    frank = world.client("frank")
    _add(frank, "alfa.example")
    domain = EmailDomain.objects.get()
    _send(frank, domain, "it@alfa.example")
    first = _path_in_mail()
    _send(frank, domain, "registrator@alfa.example")
    second = _path_in_mail()
    assert Client().get(first).status_code == 404 and Client().get(second).status_code == 200


@pytest.mark.parametrize(
    ("moment", "works"),
    [
        (datetime.datetime(2026, 12, 8, 23, 59, 0, tzinfo=STOCKHOLM), True),  # the last day, a minute before its end
        (datetime.datetime(2026, 12, 9, 0, 0, 1, tzinfo=STOCKHOLM), False),  # the day after
    ],
)
def test_the_link_works_until_the_end_of_its_last_day(world, moment, works):
    frank = world.client("frank")
    _add(frank, "alfa.example")
    with time_machine.travel(SENT, tick=False):
        _send(frank, EmailDomain.objects.get(), "it@alfa.example")
    assert "8 december 2026" in mail.outbox[-1].body
    path = _path_in_mail()
    with time_machine.travel(moment, tick=False):
        client = Client()
        assert client.get(path).status_code == (200 if works else 410)
        assert client.post(path).status_code == (200 if works else 410)
    assert (EmailDomain.objects.get().verified_at is not None) is works


@pytest.mark.parametrize("token", ["inte-en-länk", "x" * 500])
def test_an_unknown_link_is_a_plain_404(world, token):
    response = Client().get(f"/accounts/sso/domain/{token}/")
    assert response.status_code == 404 and "Verifieringslänken fungerar inte" in _html(response)


def test_a_domain_another_organisation_verified_is_refused(world, bea):
    frank = world.client("frank")
    # Beta adds the domain and sends a link first; Alfa verifies it first.
    _add(bea, "alfa.example")
    _send(bea, EmailDomain.objects.get(organisation=world.other_org), "it@alfa.example")
    beta_path = _path_in_mail()
    _add(frank, "alfa.example")
    _send(frank, EmailDomain.objects.get(organisation=world.org), "it@alfa.example")
    assert Client().post(_path_in_mail()).status_code == 200
    # Beta's link now fails plainly, and Beta's row stays unverified.
    assert Client().get(beta_path).status_code == 200  # the link itself is still Beta's
    taken = Client().post(beta_path)
    assert taken.status_code == 409 and "används redan" in _html(taken)
    beta_row = EmailDomain.objects.get(organisation=world.other_org)
    assert beta_row.verified_at is None and beta_row.verified_domain is None
    # Neither adding it anew nor sending a new link works for Beta: a neutral message, no mail.
    EmailDomain.objects.filter(pk=beta_row.pk).delete()
    refused = _add(bea, "alfa.example")
    assert refused.status_code == 400
    assert refused.context["domain_form"].errors["domain"] == ["Den domänen används redan."]
    assert not EmailDomain.objects.filter(organisation=world.other_org).exists()
    beta_row = EmailDomain.objects.create(organisation=world.other_org, domain="alfa.example")
    sent = _send(bea, beta_row, "it@alfa.example")
    assert sent.status_code == 400 and sent.context["verification_form"].errors["domain"] and not mail.outbox
