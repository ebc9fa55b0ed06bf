"""Sign-in through OpenID Connect against a real provider (django-oauth-toolkit, a process on loopback:
tests/idp/oidc), Stabil's side through Django's test client (issue 18, parts 2 and 5; docs/sso.md).

The provider's misbehaving ID tokens (another audience, another issuer, expired, signed with another key,
unsigned, tampered) and a replayed callback are each refused, recorded with their reason and answered with
a plain page. Beta kommun's client at the same provider signs no one into Alfa kommun."""

from __future__ import annotations

import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client

from staff.models import SecurityEvent, StaffMember
from staff.scim.services import scim_token_create
from staff.sso import services
from staff.sso.models import IdentityProvider, SsoIdentity
from tests.staff.test_scim import Scim, entra_user
from tests.staff.test_sso_saml import provider_address

Reason = SecurityEvent.Reason
HOST = "http://testserver"


def _browser() -> Client:
    return Client(HTTP_HOST="testserver")


class _LoginForm(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action, self.fields = None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action") or ""
        elif tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


def _configure(oidc_provider, organisation, **fields) -> IdentityProvider:
    slug = organisation.slug
    client_id, secret = f"{slug}-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    oidc_provider.add_client(client_id, secret, [f"{HOST}/accounts/oidc/{slug}/login/callback/"])
    values = {
        "protocol": IdentityProvider.Protocol.OIDC,
        "display_name": "Entra ID",
        "enabled": True,
        "metadata_url": oidc_provider.discovery_url,
        "client_id": client_id,
        "employee_number_claim": "employee_number",
        "match_by": IdentityProvider.MatchBy.EMPLOYEE_NUMBER,
    }
    values.update(fields)
    idp = IdentityProvider(organisation=organisation, **values)
    return services.identity_provider_save(idp=idp, client_secret=secret)


@pytest.fixture
def alfa(world, oidc_provider):
    idp = _configure(oidc_provider, world.org)
    StaffMember.objects.filter(pk=world.bob.pk).update(employee_number="200001")
    person = {"username": f"bob-{secrets.token_hex(3)}", "password": "idp-pass-bob", "sub": secrets.token_hex(8)}
    oidc_provider.add_user(person["username"], person["password"], person["sub"], "bob@alfa.se", "Bob T", "200001")
    return {"idp": idp, **person}


def _callback_from_provider(client: Client, slug: str, person: dict) -> str:
    """Start at Stabil, sign in at the provider's own login page; returns the callback address it sends the
    browser back to (with the code and the state)."""
    address = provider_address(client.post(f"/accounts/oidc/{slug}/login/", {"process": "login"}))
    at_provider = requests.Session()
    response = at_provider.get(address, allow_redirects=False, timeout=10)
    for _hop in range(6):
        location = response.headers.get("Location", "")
        if response.status_code in (301, 302) and location.startswith(HOST):
            return location
        if response.status_code in (301, 302):
            response = at_provider.get(urljoin(response.url, location), allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, response.text[:500]
        form = _LoginForm()
        form.feed(response.text)
        fields = {**form.fields, "username": person["username"], "password": person["password"]}
        response = at_provider.post(
            urljoin(response.url, form.action or response.url), data=fields, allow_redirects=False, timeout=10
        )
    raise AssertionError("the provider never sent the browser back")


def _back(client: Client, callback: str):
    return client.get(urlparse(callback).path, parse_qs(urlparse(callback).query))


def _sign_in(client: Client, slug: str, person: dict):
    return _back(client, _callback_from_provider(client, slug, person))


def _refusals():
    return list(SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_REFUSED).order_by("pk"))


def test_a_person_signs_in_through_openid_connect_and_reaches_their_start_page(world, alfa):
    client = _browser()
    done = _sign_in(client, "alfa", alfa)
    assert done.status_code == 302 and done["Location"] == "/", done.content.decode()[:500]
    assert client.session[SESSION_KEY] == str(world.bob.user_id)
    link = SsoIdentity.objects.get()
    assert (link.subject, link.staff_id) == (alfa["sub"], world.bob.pk)
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_SIGNED_IN)
    assert (event.organisation_id, event.user_id, event.by_label) == (world.org.pk, world.bob.user_id, "Entra ID")


def test_the_authorisation_request_carries_state_and_pkce_and_stabils_own_callback(world, alfa):
    address = provider_address(_browser().post("/accounts/oidc/alfa/login/", {"process": "login"}))
    query = parse_qs(urlparse(address).query)
    assert query["client_id"] == [alfa["idp"].client_id]
    assert query["redirect_uri"] == [f"{HOST}/accounts/oidc/alfa/login/callback/"]
    assert query["code_challenge_method"] == ["S256"] and query["state"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("wrong_audience", Reason.AUDIENCE),
        ("wrong_issuer", Reason.ISSUER),
        ("expired", Reason.TIME_WINDOW),
        ("bad_signature", Reason.SIGNATURE),
        ("unsigned", Reason.SIGNATURE),
        ("tampered", Reason.SIGNATURE),
    ],
)
def test_a_bad_id_token_is_refused_recorded_and_answered_plainly(world, alfa, oidc_provider, mode, reason):
    client = _browser()
    callback = _callback_from_provider(client, "alfa", alfa)
    oidc_provider.set_mode(mode)  # the token endpoint's next answer
    refused = _back(client, callback)
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "Inloggningen gick inte igenom" in page and "Traceback" not in page
    assert SESSION_KEY not in client.session
    assert [(e.reason, e.organisation_id) for e in _refusals()] == [(reason, world.org.pk)]
    assert not SsoIdentity.objects.exists()


def test_a_replayed_callback_is_refused_in_the_same_browser_and_in_another(world, alfa):
    first = _browser()
    callback = _callback_from_provider(first, "alfa", alfa)
    assert _back(first, callback).status_code == 302
    assert _back(first, callback).status_code == 403
    stranger = _browser()
    assert _back(stranger, callback).status_code == 403 and SESSION_KEY not in stranger.session
    assert [e.reason for e in _refusals()] == [Reason.REPLAY, Reason.REPLAY]


def test_betas_client_at_the_same_provider_signs_no_one_into_alfa(world, alfa, oidc_provider):
    _configure(oidc_provider, world.other_org)
    client = _browser()
    for_beta = _callback_from_provider(client, "beta", alfa)
    to_alfa = for_beta.replace("/accounts/oidc/beta/", "/accounts/oidc/alfa/")
    refused = _back(client, to_alfa)
    assert refused.status_code == 403 and SESSION_KEY not in client.session
    # And at Beta's own address the provider's person is no one of Beta's.
    client = _browser()
    at_beta = _sign_in(client, "beta", alfa)
    assert at_beta.status_code == 403 and "har ingen personakt" in at_beta.content.decode()
    assert [(e.reason, e.organisation_id) for e in _refusals()] == [
        (Reason.REPLAY, world.org.pk),
        (Reason.UNKNOWN_PERSON, world.other_org.pk),
    ]


def test_a_wrong_client_secret_is_a_refusal_not_an_error(world, alfa):
    services.identity_provider_save(idp=alfa["idp"], client_secret="not-the-secret")
    client = _browser()
    refused = _sign_in(client, "alfa", alfa)
    assert refused.status_code == 403 and SESSION_KEY not in client.session
    assert [e.reason for e in _refusals()] == [Reason.PROVIDER_ERROR]


def test_a_provider_that_cannot_be_reached_is_a_refusal_not_an_error(world, alfa):
    IdentityProvider.objects.filter(pk=alfa["idp"].pk).update(
        metadata_url="http://127.0.0.1:9/.well-known/openid-configuration"
    )
    refused = _browser().post("/accounts/oidc/alfa/login/", {"process": "login"})
    assert refused.status_code in (400, 403) and "Inloggningen gick inte igenom" in refused.content.decode()
    assert [e.reason for e in _refusals()] == [Reason.PROVIDER_ERROR]


def test_scim_creates_the_person_oidc_signs_them_in_and_a_scim_deactivation_ends_it(world, oidc_provider):
    """Entra ID's whole cycle: provisioning creates the person (externalId = Entra's object id), the first
    OpenID Connect sign-in finds them by it, an update renames them, a deactivation ends the live session and
    the next sign-in through the provider is refused."""
    idp = _configure(oidc_provider, world.org, match_by=IdentityProvider.MatchBy.EXTERNAL_ID)
    _token, key = scim_token_create(organisation=world.org, by=world.frank, name="Entra ID")
    scim = Scim(key)
    object_id = secrets.token_hex(8)
    created = scim.post("Users", entra_user("anna.andersson@alfa.se", externalId=object_id))
    assert created.status_code == 201, created.content.decode()
    member = StaffMember.objects.get(pk=created.json()["id"])
    person = {"username": f"anna-{secrets.token_hex(3)}", "password": "idp-pass-anna"}
    oidc_provider.add_user(person["username"], person["password"], object_id, "anna.andersson@alfa.se", "Anna", "1")

    anna = _browser()
    assert _sign_in(anna, "alfa", person).status_code == 302
    assert anna.session[SESSION_KEY] == str(member.user_id)
    assert SsoIdentity.objects.get(identity_provider=idp).staff_id == member.pk

    renamed = scim.patch(f"Users/{member.pk}", {"op": "Replace", "path": "name.familyName", "value": "Berg"})
    assert renamed.status_code == 200
    assert anna.get("/").status_code in (200, 302) and SESSION_KEY in anna.session

    off = scim.patch(f"Users/{member.pk}", {"op": "Replace", "path": "active", "value": "False"})
    assert off.status_code == 200
    after = anna.get("/caseload/mine/")
    assert after.status_code == 302 and after["Location"].startswith("/accounts/login/")
    again = _browser()
    refused = _sign_in(again, "alfa", person)
    assert refused.status_code == 403 and SESSION_KEY not in again.session
    assert "Din åtkomst till Stabil har upphört" in refused.content.decode()
    assert [e.reason for e in _refusals()] == [Reason.LOGIN_SWITCHED_OFF]
