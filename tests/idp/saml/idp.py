"""A real SAML 2.0 identity provider for tests and the demo, built on pysaml2's ``saml2.server.Server``.

Plain WSGI, no Django. It signs with xmlsec1 through pysaml2. Misbehaviour modes (``/_harness/mode``) make the
next response faulty in one precise way, so a service provider's refusal can be tested against real signed XML.
"""

from __future__ import annotations

import base64
import datetime
import hmac
import html
import json
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name, saml
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_UNSPECIFIED, NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
from saml2.server import Server
from saml2.sigver import SigverError, get_xmlsec_binary, pre_signature_part
from saml2.time_util import in_a_while
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

MODES = ("normal", "unsigned", "tampered", "expired", "wrong_audience", "wrong_issuer", "other_key")
WRONG_ENTITY = "https://wrong-entity.invalid/saml/metadata"
EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
USER_FIELDS = ("username", "password", "name_id", "email", "display_name", "employee_number")
SP_FIELDS = ("entity_id", "acs_url")


class BadInput(ValueError):
    """The caller sent something this IdP refuses; the message is safe to show."""


def make_key_pair(directory: Path, name: str, common_name: str) -> tuple[Path, Path, str]:
    """Write a self-signed RSA certificate and key; return (cert path, key path, base64 DER body of the cert)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    body = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    return cert_path, key_path, body


def sp_metadata_xml(entity_id: str, acs_url: str) -> str:
    """Minimal SP metadata, enough for pysaml2 to trust the SP and know its ACS."""
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="{html.escape(entity_id, quote=True)}">'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"<md:NameIDFormat>{NAMEID_FORMAT_PERSISTENT}</md:NameIDFormat>"
        f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" '
        f'Location="{html.escape(acs_url, quote=True)}" index="0" isDefault="true"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )


def _fields(data: object, names: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(data, dict):
        raise BadInput("expected a JSON object")
    missing = [name for name in names if not isinstance(data.get(name), str) or not data[name]]
    if missing:
        raise BadInput("missing or empty: " + ", ".join(missing))
    return {name: data[name] for name in names}


@dataclass
class Harness:
    """Mutable test state: users, SPs, the misbehaviour mode and the last response sent."""

    users: dict[str, dict[str, str]] = field(default_factory=dict)
    sps: dict[str, str] = field(default_factory=dict)  # entity_id -> acs_url
    mode: str = "normal"
    sticky: bool = False
    last: dict[str, str] | None = None


class IdentityProvider:
    def __init__(self, base_url: str, config: dict) -> None:
        self.base_url = base_url.rstrip("/")
        self.entity_id = f"{self.base_url}/metadata"
        self.harness_key = config["harness_key"]
        self.lock = threading.Lock()
        self.harness = Harness()
        for sp in config.get("sps", []):
            fields = _fields(sp, SP_FIELDS)
            self.harness.sps[fields["entity_id"]] = fields["acs_url"]
        for user in config.get("users", []):
            fields = _fields(user, USER_FIELDS)
            self.harness.users[fields["username"]] = fields
        self.tmp = tempfile.TemporaryDirectory(prefix="stabil-saml-idp-")
        tmp = Path(self.tmp.name)
        self.cert_file, self.key_file, self.certificate_body = make_key_pair(tmp, "idp", "Stabil test SAML IdP")
        self.other_cert_file, self.other_key_file, self.other_certificate_body = make_key_pair(
            tmp, "other", "Not the metadata's key"
        )
        self.server = self._build_server()
        self.metadata = create_metadata_string(None, config=self.server.config).decode()

    # --- pysaml2 configuration -------------------------------------------------------------------------------

    def _config_dict(self) -> dict:
        return {
            "entityid": self.entity_id,
            "name": "Stabil test SAML IdP",
            "key_file": str(self.key_file),
            "cert_file": str(self.cert_file),
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{self.base_url}/sso/redirect", BINDING_HTTP_REDIRECT),
                            (f"{self.base_url}/sso/post", BINDING_HTTP_POST),
                        ]
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "sign_response": True,
                    "sign_assertion": True,
                    "want_authn_requests_signed": False,
                    "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                }
            },
            "metadata": {"inline": [sp_metadata_xml(e, a) for e, a in self.harness.sps.items()]},
            "xmlsec_binary": find_xmlsec(),
        }

    def _build_server(self) -> Server:
        config = IdPConfig()
        config.load(self._config_dict())
        return Server(config=config)

    # --- building the response ---------------------------------------------------------------------------------

    def build_response(self, authn_request, user: dict[str, str], relay_state: str) -> tuple[str, str]:
        """Return (ACS URL, base64 SAMLResponse) for a parsed AuthnRequest, applying the harness mode once.

        pysaml2 builds the Response unsigned; ``_sign`` then signs Assertion and Response with pysaml2's xmlsec1
        backend after the mode's change, so a wrong audience, issuer or time is still properly signed.
        """
        with self.lock:
            mode = self.harness.mode
            if not self.harness.sticky:
                self.harness.mode = "normal"
            server = self.server
        args = server.response_args(authn_request.message, [BINDING_HTTP_POST])
        acs_url, sp_entity_id = args["destination"], args["sp_entity_id"]
        name_id = saml.NameID(format=NAMEID_FORMAT_PERSISTENT, text=user["name_id"])
        response = server.create_authn_response(
            identity={},
            in_response_to=args["in_response_to"],
            destination=acs_url,
            sp_entity_id=sp_entity_id,
            name_id=name_id,
            authn={"class_ref": saml.AUTHN_PASSWORD_PROTECTED, "authn_auth": self.entity_id},
            sign_response=False,
            sign_assertion=False,
        )
        assertion = response.assertion
        assertion.attribute_statement = [self._attributes(user)]
        if mode == "expired":
            assertion.conditions.not_before = in_a_while(minutes=-65)
            assertion.conditions.not_on_or_after = in_a_while(hours=-1)
            for confirmation in assertion.subject.subject_confirmation:
                confirmation.subject_confirmation_data.not_on_or_after = in_a_while(hours=-1)
        elif mode == "wrong_audience":
            assertion.conditions.audience_restriction[0].audience[0].text = WRONG_ENTITY
        elif mode == "wrong_issuer":
            response.issuer.text = WRONG_ENTITY
            assertion.issuer.text = WRONG_ENTITY
        xml = self._sign(server, response, mode)
        if mode == "tampered":
            signed_name_id = f">{html.escape(user['name_id'], quote=False)}</"
            if signed_name_id not in xml:
                raise RuntimeError("tampered mode: NameID not found in the signed XML")
            xml = xml.replace(signed_name_id, signed_name_id.replace("</", "-tampered</"), 1)
        encoded = base64.b64encode(xml.encode()).decode()
        with self.lock:
            self.harness.last = {
                "saml_response": encoded,
                "relay_state": relay_state,
                "acs_url": acs_url,
                "mode": mode,
            }
        return acs_url, encoded

    @staticmethod
    def _attributes(user: dict[str, str]) -> saml.AttributeStatement:
        def attribute(name: str, value: str, name_format: str = NAME_FORMAT_UNSPECIFIED) -> saml.Attribute:
            return saml.Attribute(
                name=name,
                name_format=name_format,
                attribute_value=[saml.AttributeValue(text=value)],
            )

        return saml.AttributeStatement(
            attribute=[
                attribute("email", user["email"]),
                attribute(EMAIL_CLAIM, user["email"], NAME_FORMAT_URI),
                attribute("employeeNumber", user["employee_number"]),
                attribute("displayName", user["display_name"]),
            ]
        )

    def _sign(self, server: Server, response, mode: str) -> str:
        """Sign the assertion, then the response (inner first), with pysaml2's xmlsec1 backend."""
        if mode == "unsigned":
            return str(response)
        if mode == "other_key":
            key_file, cert_body = str(self.other_key_file), self.other_certificate_body
        else:
            key_file, cert_body = str(self.key_file), self.certificate_body
        assertion = response.assertion
        for element in (assertion, response):
            element.signature = pre_signature_part(
                element.id, cert_body, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
            )
        xml = str(response)
        for element in (assertion, response):
            xml = server.sec.sign_statement(xml, node_name=class_name(element), key_file=key_file, node_id=element.id)
        return xml

    # --- harness changes ---------------------------------------------------------------------------------------

    def set_mode(self, data: object) -> dict:
        if not isinstance(data, dict) or data.get("mode") not in MODES:
            raise BadInput("mode must be one of: " + ", ".join(MODES))
        sticky = data.get("sticky", False)
        if not isinstance(sticky, bool):
            raise BadInput("sticky must be true or false")
        with self.lock:
            self.harness.mode, self.harness.sticky = data["mode"], sticky
        return {"mode": data["mode"], "sticky": sticky}

    def add_user(self, data: object) -> dict:
        fields = _fields(data, USER_FIELDS)
        with self.lock:
            self.harness.users[fields["username"]] = fields
        return {"username": fields["username"]}

    def add_sp(self, data: object) -> dict:
        fields = _fields(data, SP_FIELDS)
        with self.lock:
            self.harness.sps[fields["entity_id"]] = fields["acs_url"]
            self.server = self._build_server()
        return fields

    def check_password(self, username: str, password: str) -> dict[str, str] | None:
        with self.lock:
            user = self.harness.users.get(username)
        if user and hmac.compare_digest(user["password"].encode(), password.encode()):
            return user
        return None


def find_xmlsec() -> str:
    try:
        return get_xmlsec_binary()
    except SigverError:
        message = "xmlsec1 not found: the SAML test IdP signs with it. Install it: apt-get install xmlsec1"
        raise SystemExit(message) from None


# --- WSGI ----------------------------------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body{onload}>
<main>
<h1>{title}</h1>
{body}
</main>
</body></html>
"""


def _page(title: str, body: str, onload: bool = False) -> bytes:
    onload_attr = ' onload="document.forms[0].submit()"' if onload else ""
    return PAGE.format(title=html.escape(title), body=body, onload=onload_attr).encode()


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{html.escape(value, quote=True)}">'


def login_form(saml_request: str, relay_state: str, binding: str, error: str = "") -> bytes:
    message = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    body = (
        f"{message}"
        '<form method="post" action="/sso/login">'
        f"{_hidden('SAMLRequest', saml_request)}{_hidden('RelayState', relay_state)}{_hidden('binding', binding)}"
        '<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>'
        '<p><label for="password">Password</label> '
        '<input id="password" name="password" type="password" autocomplete="current-password"></p>'
        '<p><button type="submit">Sign in</button></p>'
        "</form>"
    )
    return _page("Sign in to the test identity provider", body)


def post_form(acs_url: str, saml_response: str, relay_state: str) -> bytes:
    body = (
        f'<form method="post" action="{html.escape(acs_url, quote=True)}">'
        f"{_hidden('SAMLResponse', saml_response)}{_hidden('RelayState', relay_state)}"
        "<noscript><p>JavaScript is off: press Continue.</p></noscript>"
        '<p><button type="submit">Continue</button></p>'
        "</form>"
    )
    return _page("Signing you in", body, onload=True)


class Application:
    def __init__(self, idp: IdentityProvider) -> None:
        self.idp = idp

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        try:
            if path.startswith("/_harness/"):
                status, headers, body = self.harness(environ, method, path)
            else:
                status, headers, body = self.route(environ, method, path)
        except BadInput as exc:
            status, headers, body = _json("400 Bad Request", {"error": str(exc)})
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]

    def route(self, environ, method, path):
        if method == "GET" and path == "/metadata":
            return "200 OK", [("Content-Type", "application/samlmetadata+xml")], self.idp.metadata.encode()
        if path == "/sso/redirect" and method == "GET":
            params = _single(parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True))
            return self.show_login(params, BINDING_HTTP_REDIRECT)
        if path == "/sso/post" and method == "POST":
            return self.show_login(_form(environ), BINDING_HTTP_POST)
        if path == "/sso/login" and method == "POST":
            return self.sign_in(_form(environ))
        return _html("404 Not Found", _page("Not found", "<p>No such page.</p>"))

    def _parse(self, saml_request: str, relay_state: str, binding: str):
        if binding not in (BINDING_HTTP_REDIRECT, BINDING_HTTP_POST):
            raise BadInput("unknown binding")
        if not saml_request:
            raise BadInput("SAMLRequest is missing")
        try:
            request = self.idp.server.parse_authn_request(saml_request, binding, relay_state=relay_state)
        except Exception as exc:  # pysaml2 raises many kinds for a malformed or unexpected request
            raise BadInput(f"the AuthnRequest was refused: {type(exc).__name__}") from exc
        if request is None:
            raise BadInput("the AuthnRequest was refused")
        try:  # the SP must be one this IdP trusts, asking for an ACS its metadata names
            self.idp.server.response_args(request.message, [BINDING_HTTP_POST])
        except Exception as exc:
            raise BadInput(f"unknown service provider or ACS: {type(exc).__name__}") from exc
        return request

    def show_login(self, params: dict[str, str], binding: str):
        saml_request, relay_state = params.get("SAMLRequest", ""), params.get("RelayState", "")
        self._parse(saml_request, relay_state, binding)
        return _html("200 OK", login_form(saml_request, relay_state, binding))

    def sign_in(self, params: dict[str, str]):
        saml_request, relay_state = params.get("SAMLRequest", ""), params.get("RelayState", "")
        binding = params.get("binding", BINDING_HTTP_REDIRECT)
        request = self._parse(saml_request, relay_state, binding)
        user = self.idp.check_password(params.get("username", ""), params.get("password", ""))
        if user is None:
            form = login_form(saml_request, relay_state, binding, error="Wrong username or password.")
            return _html("401 Unauthorized", form)
        acs_url, saml_response = self.idp.build_response(request, user, relay_state)
        return _html("200 OK", post_form(acs_url, saml_response, relay_state))

    def harness(self, environ, method, path):
        if environ.get("REMOTE_ADDR") not in ("127.0.0.1", "::1"):
            return _json("403 Forbidden", {"error": "loopback only"})
        key = environ.get("HTTP_X_HARNESS_KEY", "")
        if not hmac.compare_digest(key.encode(), self.idp.harness_key.encode()):
            return _json("403 Forbidden", {"error": "wrong or missing X-Harness-Key"})
        if method == "GET" and path == "/_harness/last_response":
            last = self.idp.harness.last
            if last is None:
                return _json("404 Not Found", {"error": "no response built yet"})
            return _json("200 OK", last)
        actions = {
            "/_harness/mode": self.idp.set_mode,
            "/_harness/users": self.idp.add_user,
            "/_harness/sps": self.idp.add_sp,
        }
        if method == "POST" and path in actions:
            return _json("200 OK", actions[path](_json_body(environ)))
        return _json("404 Not Found", {"error": "no such harness endpoint"})


def _read_body(environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise BadInput("bad Content-Length") from exc
    if length > 1_000_000:
        raise BadInput("body too large")
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _form(environ) -> dict[str, str]:
    return _single(parse_qs(_read_body(environ).decode("utf-8", "replace"), keep_blank_values=True))


def _json_body(environ) -> object:
    try:
        return json.loads(_read_body(environ) or b"null")
    except ValueError as exc:
        raise BadInput("body is not JSON") from exc


def _single(params: dict[str, list[str]]) -> dict[str, str]:
    return {name: values[0] for name, values in params.items()}


def _html(status: str, body: bytes):
    return status, [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")], body


def _json(status: str, data: dict):
    return status, [("Content-Type", "application/json")], json.dumps(data).encode()
