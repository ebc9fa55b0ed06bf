"""The local SAML IdP, driven by a real service provider: python3-saml (OneLogin), the library under allauth's SAML.

No Stabil database. Each test registers its own SP at the IdP (``add_sp``) and signs in through the IdP's real
login page; the SAMLResponse is validated exactly as allauth does it, with ``strict`` and signed assertions.
"""

from __future__ import annotations

import base64
import secrets
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
import requests
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils

SP_HOST = "127.0.0.1:8000"
PASSWORD = "correct horse battery"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


class Forms(HTMLParser):
    """The forms of a page: action, method, input name -> value, submit button texts."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._button = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attrs.get("action"), "method": attrs.get("method"), "fields": {}, "buttons": []}
            )
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "button" and self.forms:
            self._button = True
            self.forms[-1]["buttons"].append("")

    def handle_endtag(self, tag):
        if tag == "button":
            self._button = False

    def handle_data(self, data):
        if self._button:
            self.forms[-1]["buttons"][-1] += data.strip()


def only_form(html: str) -> dict:
    parser = Forms()
    parser.feed(html)
    assert len(parser.forms) == 1, html
    return parser.forms[0]


class ServiceProvider:
    """One organisation's SP, laid out like allauth's: /accounts/saml/<slug>/{metadata,acs,login}/."""

    def __init__(self, idp, slug: str, register: bool = True) -> None:
        self.idp = idp
        self.entity_id = f"http://{SP_HOST}/accounts/saml/{slug}/metadata/"
        self.acs_path = f"/accounts/saml/{slug}/acs/"
        self.login_path = f"/accounts/saml/{slug}/login/"
        self.acs_url = f"http://{SP_HOST}{self.acs_path}"
        idp_settings = OneLogin_Saml2_IdPMetadataParser.parse_remote(idp.metadata_url, entity_id=idp.entity_id)
        self.settings = {
            "strict": True,
            "sp": {
                "entityId": self.entity_id,
                "assertionConsumerService": {
                    "url": self.acs_url,
                    "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                },
            },
            "idp": idp_settings["idp"],
            "security": {
                "wantAssertionsSigned": True,
                "wantAttributeStatement": True,
                "rejectDeprecatedAlgorithm": True,
                "signatureAlgorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                "digestAlgorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
            },
        }
        if register:
            idp.add_sp(self.entity_id, self.acs_url)

    def auth(self, path: str, post_data: dict | None = None) -> OneLogin_Saml2_Auth:
        request = {
            "https": "off",
            "http_host": SP_HOST,
            "script_name": "",
            "path_info": path,
            "get_data": {},
            "post_data": post_data or {},
        }
        return OneLogin_Saml2_Auth(request, self.settings)

    def start_login(self, relay_state: str = "") -> tuple[str, str]:
        """A real AuthnRequest; return (redirect URL to the IdP, request ID)."""
        auth = self.auth(self.login_path)
        return auth.login(return_to=relay_state), auth.get_last_request_id()

    def receive(self, post: dict, request_id: str | None) -> OneLogin_Saml2_Auth:
        auth = self.auth(self.acs_path, post)
        auth.process_response(request_id=request_id)
        return auth


@pytest.fixture
def person(saml_idp):
    suffix = secrets.token_hex(4)
    user = {
        "username": f"anna-{suffix}",
        "password": PASSWORD,
        "name_id": f"siths-{suffix}",
        "email": f"anna.{suffix}@test.stabil.se",
        "display_name": "Anna Lindqvist",
        "employee_number": f"1{int(suffix, 16) % 100000:05d}",
    }
    saml_idp.add_user(**user)
    return user


@pytest.fixture
def sp(saml_idp):
    return ServiceProvider(saml_idp, f"org-{secrets.token_hex(4)}")


def sign_in(sp: ServiceProvider, person: dict, relay_state: str = "state=abc") -> tuple[dict, str]:
    """Browser part: follow the redirect, fill in the login page, read the auto-submit form. Return (POST, id)."""
    redirect_url, request_id = sp.start_login(relay_state)
    assert redirect_url.startswith(sp.idp.sso_url + "?SAMLRequest=")
    page = requests.get(redirect_url, timeout=10)
    assert page.status_code == 200
    login = only_form(page.text)
    assert login["buttons"] == ["Sign in"]
    assert {"username", "password", "SAMLRequest", "RelayState"} <= set(login["fields"])
    fields = login["fields"] | {"username": person["username"], "password": person["password"]}
    answer = requests.post(sp.idp.base_url + login["action"], data=fields, timeout=10)
    assert answer.status_code == 200, answer.text
    assert 'onload="document.forms[0].submit()"' in answer.text
    form = only_form(answer.text)
    assert form["action"] == sp.acs_url and form["method"] == "post"
    assert form["buttons"] == ["Continue"]
    assert set(form["fields"]) == {"SAMLResponse", "RelayState"}
    return form["fields"], request_id


def test_metadata_names_the_sso_endpoints_and_the_signing_certificate(saml_idp):
    parsed = OneLogin_Saml2_IdPMetadataParser.parse_remote(saml_idp.metadata_url)["idp"]
    assert parsed["entityId"] == saml_idp.entity_id == f"{saml_idp.base_url}/metadata"
    assert parsed["singleSignOnService"]["url"] == saml_idp.sso_url
    assert parsed["x509cert"] == saml_idp.certificate_pem
    assert len(base64.b64decode(saml_idp.certificate_pem)) > 500  # a DER certificate, not an empty element


def test_a_signed_response_is_accepted_with_name_id_and_attributes(sp, person):
    post, request_id = sign_in(sp, person, relay_state="state=xyz")
    assert post["RelayState"] == "state=xyz"
    auth = sp.receive(post, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.is_authenticated()
    assert auth.get_nameid() == person["name_id"]
    assert auth.get_nameid_format() == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    assert auth.get_last_response_in_response_to() == request_id
    attributes = auth.get_attributes()
    assert attributes["email"] == [person["email"]]
    assert attributes["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"] == [person["email"]]
    assert attributes["employeeNumber"] == [person["employee_number"]]
    assert attributes["displayName"] == [person["display_name"]]
    response = ElementTree.fromstring(auth.get_last_response_xml())
    assert response.get("Destination") == sp.acs_url
    assert [a.text for a in response.iter(f"{{{SAML}}}Audience")] == [sp.entity_id]
    assert [c.get("Recipient") for c in response.iter(f"{{{SAML}}}SubjectConfirmationData")] == [sp.acs_url]
    assert {i.text for i in response.iter(f"{{{SAML}}}Issuer")} == {sp.idp.entity_id}


def test_an_authn_request_by_http_post_binding_is_answered_too(saml_idp, sp, person):
    settings = dict(sp.settings)
    post_binding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    settings["idp"] = OneLogin_Saml2_IdPMetadataParser.parse_remote(
        saml_idp.metadata_url, required_sso_binding=post_binding
    )["idp"]
    assert settings["idp"]["singleSignOnService"]["url"] == f"{saml_idp.base_url}/sso/post"
    authn_request = OneLogin_Saml2_Authn_Request(OneLogin_Saml2_Settings(settings))
    page = requests.post(
        settings["idp"]["singleSignOnService"]["url"],
        data={"SAMLRequest": base64.b64encode(authn_request.get_xml().encode()).decode(), "RelayState": "via-post"},
        timeout=10,
    )
    assert page.status_code == 200
    login = only_form(page.text)
    fields = login["fields"] | {"username": person["username"], "password": person["password"]}
    answer = requests.post(saml_idp.base_url + login["action"], data=fields, timeout=10)
    post = only_form(answer.text)["fields"]
    assert post["RelayState"] == "via-post"
    auth = sp.receive(post, authn_request.get_id())
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_nameid() == person["name_id"]


def test_an_empty_relay_state_like_allauths_comes_back_empty(sp, person):
    post, request_id = sign_in(sp, person, relay_state="")
    assert post["RelayState"] == ""
    assert sp.receive(post, request_id).get_errors() == []


def test_the_response_answers_only_its_own_request(sp, person):
    post, _ = sign_in(sp, person)
    _, other_request_id = sp.start_login()
    auth = sp.receive(post, other_request_id)
    assert "InResponseTo" in auth.get_last_error_reason()


def test_a_wrong_password_shows_the_login_page_again(sp, person):
    redirect_url, _ = sp.start_login()
    login = only_form(requests.get(redirect_url, timeout=10).text)
    fields = login["fields"] | {"username": person["username"], "password": "wrong"}
    answer = requests.post(sp.idp.base_url + login["action"], data=fields, timeout=10)
    assert answer.status_code == 401
    assert "Wrong username or password." in answer.text and "SAMLResponse" not in answer.text


def test_an_unknown_sp_or_garbage_request_is_a_400_not_a_500(saml_idp):
    assert requests.get(saml_idp.sso_url, params={"SAMLRequest": "not-saml"}, timeout=10).status_code == 400
    unknown = ServiceProvider(saml_idp, "never-registered", register=False)
    redirect_url, _ = unknown.start_login()
    assert requests.get(redirect_url, timeout=10).status_code == 400


REFUSALS = {
    "unsigned": "The Assertion of the Response is not signed",
    "tampered": "Signature validation failed",
    "other_key": "Signature validation failed",
    "expired": "Could not validate timestamp: expired",
    "wrong_audience": "is not a valid audience for this Response",
    "wrong_issuer": "Invalid issuer in the Assertion/Response",
}


@pytest.mark.parametrize("mode", sorted(REFUSALS))
def test_each_misbehaviour_is_refused_once_then_the_mode_resets(saml_idp, sp, person, mode):
    saml_idp.set_mode(mode)
    post, request_id = sign_in(sp, person)
    auth = sp.receive(post, request_id)
    assert auth.get_errors() == ["invalid_response"]
    assert REFUSALS[mode] in auth.get_last_error_reason()
    assert not auth.is_authenticated()
    assert saml_idp.last_response()["mode"] == mode

    post, request_id = sign_in(sp, person)
    assert sp.receive(post, request_id).get_errors() == []
    assert saml_idp.last_response()["mode"] == "normal"


@pytest.mark.parametrize("mode", ["expired", "wrong_audience", "wrong_issuer"])
def test_the_wrong_claims_are_properly_signed(saml_idp, sp, person, mode):
    """So the refusal above is for the claim, not for a broken signature."""
    saml_idp.set_mode(mode)
    post, _ = sign_in(sp, person)
    xml = base64.b64decode(post["SAMLResponse"])
    cert = OneLogin_Saml2_Utils.format_cert(saml_idp.certificate_pem)
    assert OneLogin_Saml2_Utils.validate_sign(xml, cert, xpath=OneLogin_Saml2_Utils.RESPONSE_SIGNATURE_XPATH)
    assert OneLogin_Saml2_Utils.validate_sign(xml, cert, xpath=OneLogin_Saml2_Utils.ASSERTION_SIGNATURE_XPATH)


def test_other_key_signs_validly_but_with_a_key_not_in_the_metadata(saml_idp, sp, person):
    saml_idp.set_mode("other_key")
    post, _ = sign_in(sp, person)
    xml = base64.b64decode(post["SAMLResponse"])
    xpath = OneLogin_Saml2_Utils.RESPONSE_SIGNATURE_XPATH
    metadata_cert = OneLogin_Saml2_Utils.format_cert(saml_idp.certificate_pem)
    assert not OneLogin_Saml2_Utils.validate_sign(xml, metadata_cert, xpath=xpath)
    embedded = xml.decode().split("X509Certificate>")[1].split("<")[0]
    assert embedded != saml_idp.certificate_pem
    assert OneLogin_Saml2_Utils.validate_sign(xml, OneLogin_Saml2_Utils.format_cert(embedded), xpath=xpath)


def test_a_sticky_mode_stays_until_changed(saml_idp, sp, person):
    saml_idp.set_mode("unsigned", sticky=True)
    try:
        for _ in range(2):
            post, request_id = sign_in(sp, person)
            assert sp.receive(post, request_id).get_errors() == ["invalid_response"]
    finally:
        saml_idp.set_mode("normal")
    post, request_id = sign_in(sp, person)
    assert sp.receive(post, request_id).get_errors() == []


def test_last_response_returns_the_accepted_payload_for_a_replay(saml_idp, sp, person):
    post, request_id = sign_in(sp, person)
    first = sp.receive(post, request_id)
    assert first.get_errors() == []
    last = saml_idp.last_response()
    assert last["saml_response"] == post["SAMLResponse"]
    assert last["relay_state"] == post["RelayState"]
    assert last["acs_url"] == sp.acs_url
    # python3-saml keeps no memory of used IDs: the same payload validates again. Refusing the replay is the
    # SP's job (allauth: its stashed state for InResponseTo is single-use; Stabil's own tests replay this).
    again = sp.receive({"SAMLResponse": last["saml_response"], "RelayState": last["relay_state"]}, request_id)
    assert again.get_errors() == []
    assert (again.get_last_message_id(), again.get_last_assertion_id()) == (
        first.get_last_message_id(),
        first.get_last_assertion_id(),
    )


def test_the_harness_wants_its_key_and_valid_json(saml_idp):
    url = f"{saml_idp.base_url}/_harness/mode"
    assert requests.post(url, json={"mode": "unsigned"}, timeout=10).status_code == 403
    wrong_key = {"X-Harness-Key": "wrong"}
    assert requests.post(url, json={"mode": "unsigned"}, headers=wrong_key, timeout=10).status_code == 403
    key = {"X-Harness-Key": saml_idp.harness_key}
    refused = requests.post(url, json={"mode": "nonsense"}, headers=key, timeout=10)
    assert refused.status_code == 400 and "mode must be one of" in refused.json()["error"]
    refused = requests.post(url, data=b"{", headers=key | {"Content-Type": "application/json"}, timeout=10)
    assert refused.status_code == 400 and refused.json() == {"error": "body is not JSON"}
    refused = requests.post(f"{saml_idp.base_url}/_harness/users", json={"username": "x"}, headers=key, timeout=10)
    assert refused.status_code == 400 and "password" in refused.json()["error"]
    assert urlsplit(saml_idp.base_url).hostname == "127.0.0.1"
