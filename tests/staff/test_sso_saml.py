"""Sign-in through SAML 2.0 against a real identity provider (pysaml2, a process on loopback: tests/idp/saml),
Stabil's side through Django's test client (issue 18, parts 2 and 5; docs/sso.md).

Alfa kommun trusts the provider's metadata; Beta kommun trusts the same provider for its own address. The
provider's misbehaviours (unsigned, tampered, another key, expired, another audience, another issuer) and a
replayed answer are each refused, recorded with their reason and answered with a plain page."""

from __future__ import annotations

import html
import re
import secrets
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from staff.models import SecurityEvent, StaffMember
from staff.sso import services
from staff.sso.models import EmailDomain, IdentityProvider, SsoIdentity

Reason = SecurityEvent.Reason
HOST = "http://testserver"


def _browser() -> Client:
    return Client(HTTP_HOST="testserver")  # as a browser does; python3-saml builds the addresses from it


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def provider_address(response) -> str:
    """Where the page that leads on to the provider goes (a meta refresh and a link, not a redirect: the CSP's
    form-action would stop a form's redirect to another site)."""
    assert response.status_code == 200, response.content.decode()[:500]
    page = response.content.decode()
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', page).group(1)
    link = re.search(r'<a class="btn btn-primary" href="([^"]+)">', page).group(1)
    assert refresh == link
    return html.unescape(link)


def _form(page: str) -> dict:
    parser = _Forms()
    parser.feed(page)
    assert len(parser.forms) == 1, page[:500]
    return parser.forms[0]


def _configure(saml_idp, organisation, **fields) -> IdentityProvider:
    slug = organisation.slug
    saml_idp.add_sp(f"{HOST}/accounts/saml/{slug}/metadata/", f"{HOST}/accounts/saml/{slug}/acs/")
    values = {
        "protocol": IdentityProvider.Protocol.SAML,
        "display_name": "SITHS-kort",
        "enabled": True,
        "metadata_url": saml_idp.metadata_url,
        "entity_id": saml_idp.entity_id,
        "uid_claim": "",
        "email_claim": "email",
        "employee_number_claim": "employeeNumber",
        "match_by": IdentityProvider.MatchBy.EMPLOYEE_NUMBER,
    }
    values.update(fields)
    return services.identity_provider_save(idp=IdentityProvider(organisation=organisation, **values))


@pytest.fixture
def alfa(world, saml_idp):
    idp = _configure(saml_idp, world.org)
    StaffMember.objects.filter(pk=world.bob.pk).update(employee_number="100001", email="bob@alfa.se")
    username, password = f"bob-{secrets.token_hex(4)}", "idp-pass-bob"
    name_id = f"siths-bob-{secrets.token_hex(4)}"
    saml_idp.add_user(username, password, name_id, "bob@alfa.se", "Bob Testsson", "100001")
    return {"idp": idp, "username": username, "password": password, "name_id": name_id}


def _at_provider(client: Client, slug: str, username: str, password: str) -> dict:
    """Start at Stabil, sign in at the provider's own login page; returns the form the provider posts back."""
    start = client.post(f"/accounts/saml/{slug}/login/", {"process": "login"})
    address = provider_address(start)
    login_page = requests.get(address, timeout=10)
    assert login_page.status_code == 200
    form = _form(login_page.text)
    fields = {**form["fields"], "username": username, "password": password}
    base = "{0.scheme}://{0.netloc}".format(urlparse(address))
    answer = requests.post(base + form["action"], data=fields, timeout=10)
    assert answer.status_code == 200, answer.text[:500]
    return _form(answer.text)


def _post_back(client: Client, form: dict):
    """What the browser does with the provider's auto-submitting form: POST to the ACS, then follow to finish."""
    acs = client.post(urlparse(form["action"]).path, form["fields"])
    assert acs.status_code == 302, acs.content.decode()[:500]
    return client.get(acs["Location"])


def _sign_in(client: Client, slug: str, person: dict):
    return _post_back(client, _at_provider(client, slug, person["username"], person["password"]))


def _signed_in_as(client: Client):
    return client.session.get(SESSION_KEY)


def _refusals():
    return list(SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_REFUSED).order_by("pk"))


def test_a_person_signs_in_through_saml_and_reaches_their_start_page(world, alfa):
    client = _browser()
    done = _sign_in(client, "alfa", alfa)
    assert done.status_code == 302 and done["Location"] == "/", done.content.decode()[:500]
    assert _signed_in_as(client) == str(world.bob.user_id)
    assert client.session["sso_two_step"] is True
    link = SsoIdentity.objects.get()
    assert (link.subject, link.staff_id, link.identity_provider_id) == (alfa["name_id"], world.bob.pk, alfa["idp"].pk)
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_SIGNED_IN)
    assert (event.organisation_id, event.user_id, event.by_label) == (world.org.pk, world.bob.user_id, "SITHS-kort")
    assert client.get("/").status_code in (200, 302)  # the start page (a worker's caseload) answers


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("unsigned", Reason.SIGNATURE),
        ("tampered", Reason.SIGNATURE),
        ("other_key", Reason.SIGNATURE),
        ("expired", Reason.TIME_WINDOW),
        ("wrong_audience", Reason.AUDIENCE),
        ("wrong_issuer", Reason.ISSUER),
    ],
)
def test_a_bad_assertion_is_refused_recorded_and_answered_plainly(world, alfa, saml_idp, mode, reason):
    saml_idp.set_mode(mode)
    client = _browser()
    refused = _sign_in(client, "alfa", alfa)
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "Inloggningen gick inte igenom" in page and "Traceback" not in page
    assert _signed_in_as(client) is None
    assert [(e.reason, e.organisation_id) for e in _refusals()] == [(reason, world.org.pk)]
    assert not SsoIdentity.objects.exists()


def test_a_replayed_answer_is_refused_in_the_same_browser_and_in_another(world, alfa, saml_idp):
    first = _browser()
    assert _sign_in(first, "alfa", alfa).status_code == 302
    captured = saml_idp.last_response()
    form = {"action": captured["acs_url"], "fields": {"SAMLResponse": captured["saml_response"], "RelayState": ""}}
    again = _post_back(first, form)
    assert again.status_code == 403
    stranger = _browser()
    stolen = _post_back(stranger, form)
    assert stolen.status_code == 403 and _signed_in_as(stranger) is None
    assert [e.reason for e in _refusals()] == [Reason.REPLAY, Reason.REPLAY]


def test_an_answer_meant_for_beta_does_not_sign_anyone_into_alfa(world, alfa, saml_idp):
    """Beta kommun trusts the same provider. An answer the provider made for Beta's address, posted to Alfa's,
    is refused: its audience and destination are Beta's, and Alfa's browser never asked for it."""
    _configure(saml_idp, world.other_org)
    client = _browser()
    for_beta = _at_provider(client, "beta", alfa["username"], alfa["password"])
    for_beta["action"] = f"{HOST}/accounts/saml/alfa/acs/"
    refused = _post_back(client, for_beta)
    assert refused.status_code == 403 and _signed_in_as(client) is None
    assert [e.organisation_id for e in _refusals()] == [world.org.pk]


def test_beta_signs_in_only_beta_people_even_when_the_provider_vouches_for_an_alfa_person(world, alfa, saml_idp):
    _configure(saml_idp, world.other_org)
    client = _browser()
    refused = _sign_in(client, "beta", alfa)  # bob's employee number exists only in Alfa
    assert refused.status_code == 403 and "har ingen personakt" in refused.content.decode()
    assert [(e.reason, e.organisation_id) for e in _refusals()] == [(Reason.UNKNOWN_PERSON, world.other_org.pk)]


def test_an_unknown_person_is_refused_with_a_clear_message(world, alfa, saml_idp):
    saml_idp.add_user("stranger", "pw-stranger", "siths-stranger", "s@alfa.se", "Sam Stranger", "999999")
    client = _browser()
    refused = _sign_in(client, "alfa", {"username": "stranger", "password": "pw-stranger"})
    assert refused.status_code == 403
    assert "har ingen personakt" in refused.content.decode()
    assert [e.reason for e in _refusals()] == [Reason.UNKNOWN_PERSON]


def test_just_in_time_accounts_make_the_unknown_person_with_no_role(world, alfa, saml_idp):
    IdentityProvider.objects.filter(pk=alfa["idp"].pk).update(jit_accounts=True, match_by="email")
    EmailDomain.objects.create(
        organisation=world.org, domain="alfa.se", verified_domain="alfa.se", verified_at=timezone.now()
    )
    saml_idp.add_user("nina", "pw-nina", "siths-nina", "nina.berg@alfa.se", "Nina Berg", "100777")
    client = _browser()
    assert _sign_in(client, "alfa", {"username": "nina", "password": "pw-nina"}).status_code == 302
    member = StaffMember.objects.get(email="nina.berg@alfa.se")
    assert (member.organisation_id, member.first_name, member.last_name) == (world.org.pk, "Nina", "Berg")
    assert not member.roles.exists()
    assert _signed_in_as(client) == str(member.user_id)


def test_a_provider_not_in_use_has_no_sign_in_address(world, alfa):
    IdentityProvider.objects.filter(pk=alfa["idp"].pk).update(enabled=False)
    assert _browser().post("/accounts/saml/alfa/login/", {"process": "login"}).status_code == 404
    assert _browser().get("/accounts/saml/alfa/metadata/").status_code == 404
    assert _browser().get("/accounts/sso/alfa/").status_code == 404
    assert _browser().post("/accounts/saml/nowhere/login/", {"process": "login"}).status_code == 404


def test_the_service_provider_metadata_and_the_organisations_page(world, alfa):
    metadata = _browser().get("/accounts/saml/alfa/metadata/")
    assert metadata.status_code == 200
    assert f'entityID="{HOST}/accounts/saml/alfa/metadata/"' in metadata.content.decode()
    assert f'Location="{HOST}/accounts/saml/alfa/acs/"' in metadata.content.decode()
    page = _browser().get("/accounts/sso/alfa/")
    assert page.status_code == 200 and "Logga in med SITHS-kort" in page.content.decode()
    # A GET to the sign-in address shows that page; the sign-in itself starts with a POST (CSRF-protected).
    get = _browser().get("/accounts/saml/alfa/login/")
    assert get.status_code == 302 and get["Location"] == "/accounts/sso/alfa/"
    strict = Client(enforce_csrf_checks=True, HTTP_HOST="testserver")
    assert strict.post("/accounts/saml/alfa/login/", {"process": "login"}).status_code == 403


def test_a_leaver_is_refused_the_day_after_their_last_day(world, alfa):
    StaffMember.objects.filter(pk=world.bob.pk).update(employment_end=timezone.localdate() - timezone.timedelta(1))
    client = _browser()
    refused = _sign_in(client, "alfa", alfa)
    assert refused.status_code == 403 and _signed_in_as(client) is None
    assert [e.reason for e in _refusals()] == [Reason.EMPLOYMENT_ENDED]


def test_the_acs_keeps_nothing_of_a_post_without_an_answer_or_to_an_organisation_without_saml(world, alfa):
    """allauth's ACS stores the whole request in a session row for its next step: only a sane SAML answer to an
    organisation with SAML in use gets that far."""
    from django.contrib.sessions.models import Session

    for body in ({}, {"SAMLResponse": ""}, {"SAMLResponse": "x" * (256 * 1024 + 1)}):
        refused = _browser().post("/accounts/saml/alfa/acs/", body)
        assert refused.status_code == 400 and "Inloggningen gick inte igenom" in refused.content.decode()
    assert _browser().get("/accounts/saml/alfa/acs/").status_code == 400
    assert _browser().post("/accounts/saml/beta/acs/", {"SAMLResponse": "PD94bWw="}).status_code == 404
    assert not Session.objects.exists()
    assert [e.reason for e in _refusals()] == [Reason.PROVIDER_ERROR] * 4
    # A real answer still goes through (the sign-in test above), and a garbled one is a recorded refusal.
    garbled = _post_back(_browser(), {"action": f"{HOST}/accounts/saml/alfa/acs/", "fields": {"SAMLResponse": "PD94"}})
    assert garbled.status_code in (400, 403)
