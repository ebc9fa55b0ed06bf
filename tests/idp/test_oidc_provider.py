"""The test OpenID Connect provider, driven as a relying party would drive it, over real HTTP.

Sign-in through the login form, code for tokens, the id_token verified against the published JWKS; then
each misbehaviour mode spoils exactly one thing about the next id_token, and only the next one.
"""

from __future__ import annotations

import html
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests

REDIRECT_URI = "http://127.0.0.1:8000/accounts/oidc/idp-test/login/callback/"


@dataclass
class Party:
    client_id: str
    secret: str
    username: str
    password: str
    sub: str
    email: str
    name: str
    employee_number: str


@pytest.fixture(scope="module")
def party(oidc_provider) -> Party:
    tag = secrets.token_hex(4)
    p = Party(
        client_id=f"idp-test-{tag}",
        secret=secrets.token_urlsafe(16),
        username=f"lena.{tag}",
        password=secrets.token_urlsafe(12),
        sub=f"entra-lena-{tag}",
        email=f"lena.{tag}@alfa.example",
        name="Lena Berg",
        employee_number="204517",
    )
    oidc_provider.add_client(p.client_id, p.secret, [REDIRECT_URI])
    oidc_provider.add_user(p.username, p.password, p.sub, p.email, p.name, p.employee_number)
    return p


@pytest.fixture(scope="module")
def discovery(oidc_provider) -> dict:
    response = requests.get(oidc_provider.discovery_url, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="module")
def jwks(discovery) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=False, cache_jwk_set=False)


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden field {name} in the login page"
    return html.unescape(match.group(1))


def sign_in(discovery: dict, party: Party, nonce: str, password: str | None = None) -> str:
    """Browser part of the flow: authorize, the login form, back to the redirect_uri; returns the code."""
    browser = requests.Session()
    state = secrets.token_urlsafe(8)
    params = {
        "response_type": "code",
        "client_id": party.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
    }
    authorize = discovery["authorization_endpoint"]
    response = browser.get(authorize, params=params, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    login_url = urljoin(authorize, response.headers["Location"])
    page = browser.get(login_url, timeout=10)
    assert page.status_code == 200
    assert re.search(r"<button[^>]*>Sign in</button>", page.text)
    form = {
        "csrfmiddlewaretoken": _hidden(page.text, "csrfmiddlewaretoken"),
        "next": _hidden(page.text, "next"),
        "username": party.username,
        "password": party.password if password is None else password,
    }
    response = browser.post(login_url, data=form, allow_redirects=False, timeout=10)
    if password is not None:
        assert response.status_code == 200 and "Wrong username or password" in response.text
        return ""
    assert response.status_code == 302, response.text
    response = browser.get(urljoin(login_url, response.headers["Location"]), allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [state]
    return query["code"][0]


def tokens(discovery: dict, party: Party, nonce: str, basic: bool = False) -> dict:
    code = sign_in(discovery, party, nonce)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    if basic:
        response = requests.post(
            discovery["token_endpoint"], data=data, auth=(party.client_id, party.secret), timeout=10
        )
    else:
        data |= {"client_id": party.client_id, "client_secret": party.secret}
        response = requests.post(discovery["token_endpoint"], data=data, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def verify(id_token: str, jwks: jwt.PyJWKClient, discovery: dict, party: Party, **options) -> dict:
    key = jwks.get_signing_key_from_jwt(id_token)
    return jwt.decode(
        id_token,
        key.key,
        algorithms=["RS256"],
        audience=party.client_id,
        issuer=discovery["issuer"],
        options={"require": ["exp", "iat", "iss", "aud", "sub"], **options},
    )


def assert_next_token_is_sound(discovery, jwks, party) -> dict:
    """The mode lasted for one token response only."""
    nonce = secrets.token_urlsafe(8)
    claims = verify(tokens(discovery, party, nonce)["id_token"], jwks, discovery, party)
    assert claims["sub"] == party.sub and claims["nonce"] == nonce
    return claims


def test_discovery_names_the_issuer_and_its_endpoints(oidc_provider, discovery):
    assert discovery["issuer"] == oidc_provider.issuer
    assert oidc_provider.issuer.startswith("http://127.0.0.1:")
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert discovery[endpoint].startswith(oidc_provider.issuer + "/")
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert {"client_secret_post", "client_secret_basic"} <= set(discovery["token_endpoint_auth_methods_supported"])
    assert "employee_number" in discovery["claims_supported"]


def test_sign_in_gives_an_id_token_with_the_configured_claims(discovery, jwks, party):
    nonce = secrets.token_urlsafe(8)
    body = tokens(discovery, party, nonce)
    claims = verify(body["id_token"], jwks, discovery, party)
    assert claims["iss"] == discovery["issuer"]
    assert claims["aud"] == party.client_id
    assert claims["sub"] == party.sub  # the configured sub, not the provider's user pk
    assert claims["email"] == party.email
    assert claims["name"] == party.name
    assert claims["employee_number"] == party.employee_number
    assert claims["nonce"] == nonce
    assert claims["jti"]
    assert claims["iat"] <= time.time() + 5 < claims["exp"]
    header = jwt.get_unverified_header(body["id_token"])
    assert header["alg"] == "RS256"
    assert header["kid"] == jwks.get_jwk_set().keys[0].key_id

    userinfo = requests.get(
        discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=10
    )
    assert userinfo.status_code == 200
    assert userinfo.json()["sub"] == party.sub
    assert userinfo.json()["employee_number"] == party.employee_number
    assert userinfo.json()["email"] == party.email


def test_client_secret_basic_is_accepted_too(discovery, jwks, party):
    nonce = secrets.token_urlsafe(8)
    claims = verify(tokens(discovery, party, nonce, basic=True)["id_token"], jwks, discovery, party)
    assert claims["sub"] == party.sub and claims["nonce"] == nonce


def test_a_wrong_password_shows_the_form_again(discovery, party):
    sign_in(discovery, party, "n", password="not-the-password")


def test_a_wrong_client_secret_gets_no_tokens(discovery, party):
    code = sign_in(discovery, party, "n")
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": party.client_id,
        "client_secret": "wrong",
    }
    response = requests.post(discovery["token_endpoint"], data=data, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_replacing_a_user_changes_the_claims(oidc_provider, discovery, jwks):
    tag = secrets.token_hex(4)
    p = Party(f"idp-replace-{tag}", f"s3cret-{tag}", f"olle.{tag}", f"pw-{tag}", f"sub-{tag}", "a@x.example", "O", "1")
    oidc_provider.add_client(p.client_id, p.secret, [REDIRECT_URI])
    oidc_provider.add_user(p.username, p.password, p.sub, p.email, p.name, p.employee_number)
    oidc_provider.add_user(p.username, p.password, p.sub, "b@x.example", "Olle Nilsson", "2")
    claims = verify(tokens(discovery, p, "n")["id_token"], jwks, discovery, p)
    assert (claims["email"], claims["name"], claims["employee_number"]) == ("b@x.example", "Olle Nilsson", "2")


@pytest.mark.parametrize(
    ("mode", "error", "unchecked", "claim"),
    [
        ("wrong_audience", jwt.InvalidAudienceError, "verify_aud", "aud"),
        ("wrong_issuer", jwt.InvalidIssuerError, "verify_iss", "iss"),
        ("expired", jwt.ExpiredSignatureError, "verify_exp", "exp"),
    ],
)
def test_a_re_signed_token_spoils_one_claim(oidc_provider, discovery, jwks, party, mode, error, unchecked, claim):
    oidc_provider.set_mode(mode)
    token = tokens(discovery, party, "n")["id_token"]
    with pytest.raises(error):
        verify(token, jwks, discovery, party)
    spoiled = verify(token, jwks, discovery, party, **{unchecked: False})  # the real key signed it
    sound = assert_next_token_is_sound(discovery, jwks, party)
    assert spoiled[claim] != sound[claim]
    for same in {"iss", "aud", "sub", "email", "employee_number"} - {claim}:
        assert spoiled[same] == sound[same]
    if mode == "expired":
        assert spoiled["exp"] <= time.time() - 3500 and spoiled["iat"] < spoiled["exp"]


def test_bad_signature_keeps_the_real_kid(oidc_provider, discovery, jwks, party):
    oidc_provider.set_mode("bad_signature")
    token = tokens(discovery, party, "n")["id_token"]
    assert jwt.get_unverified_header(token)["kid"] == jwks.get_jwk_set().keys[0].key_id
    with pytest.raises(jwt.InvalidSignatureError):
        verify(token, jwks, discovery, party)
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == party.sub
    assert_next_token_is_sound(discovery, jwks, party)


def test_unsigned(oidc_provider, discovery, jwks, party):
    oidc_provider.set_mode("unsigned")
    token = tokens(discovery, party, "n")["id_token"]
    assert jwt.get_unverified_header(token)["alg"] == "none"
    assert token.endswith(".") and token.count(".") == 2
    with pytest.raises(jwt.InvalidAlgorithmError):
        verify(token, jwks, discovery, party)
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == party.sub
    assert_next_token_is_sound(discovery, jwks, party)


def test_tampered(oidc_provider, discovery, jwks, party):
    oidc_provider.set_mode("tampered", sub="entra-someone-else")
    token = tokens(discovery, party, "n")["id_token"]
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == "entra-someone-else"
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    with pytest.raises(jwt.InvalidSignatureError):
        verify(token, jwks, discovery, party)
    assert_next_token_is_sound(discovery, jwks, party)


def test_a_sticky_mode_lasts_until_reset(oidc_provider, discovery, jwks, party):
    oidc_provider.set_mode("expired", sticky=True)
    try:
        for _ in range(2):
            with pytest.raises(jwt.ExpiredSignatureError):
                verify(tokens(discovery, party, "n")["id_token"], jwks, discovery, party)
    finally:
        oidc_provider.set_mode("normal")
    assert_next_token_is_sound(discovery, jwks, party)


def test_the_harness_wants_its_key_and_a_known_mode(oidc_provider):
    url = f"{oidc_provider.base_url}/_harness/mode"
    assert requests.post(url, json={"mode": "expired"}, timeout=10).status_code == 403
    wrong = requests.post(url, json={"mode": "expired"}, headers={"X-Harness-Key": "guess"}, timeout=10)
    assert wrong.status_code == 403 and wrong.json()["error"] == "forbidden"
    key = {"X-Harness-Key": oidc_provider.harness_key}
    unknown = requests.post(url, json={"mode": "sideways"}, headers=key, timeout=10)
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_request"
    broken = requests.post(url, data=b"{not json", headers=key, timeout=10)
    assert broken.status_code == 400
    bad_user = requests.post(f"{oidc_provider.base_url}/_harness/users", json={"users": [{}]}, headers=key, timeout=10)
    assert bad_user.status_code == 400
