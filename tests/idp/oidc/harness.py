"""The harness around the provider: configured users and clients, and misbehaviour modes for refusal tests.

Profiles (sub, email, name, employee_number) live in this process's memory beside the Django users; the
process is the provider, so that is its store. A mode set through POST /_harness/mode corrupts the
`id_token` of the NEXT successful token-endpoint response, then falls back to `normal` unless sticky.
"""

from __future__ import annotations

import base64
import functools
import hmac
import json
import threading
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

MODES = ("normal", "wrong_audience", "wrong_issuer", "expired", "bad_signature", "unsigned", "tampered")
USER_FIELDS = ("username", "password", "sub", "email", "name", "employee_number")
LOOPBACK = ("127.0.0.1", "::1")

_lock = threading.Lock()
_profiles: dict[str, dict[str, str]] = {}
_mode = {"mode": "normal", "sticky": False, "sub": None}
_harness_key = ""


class HarnessError(ValueError):
    """Bad harness input: answered with a 400 and the message."""


# --- users and clients -------------------------------------------------------------------------------------


def configure(config: dict) -> None:
    """At process start: the harness key, then the configured clients and users."""
    global _harness_key
    if not isinstance(config, dict):
        raise HarnessError("the config must be a JSON object")
    _harness_key = str(config.get("harness_key") or "")
    add_clients(config.get("clients", []))
    add_users(config.get("users", []))


def profile_of(username: str) -> dict[str, str]:
    with _lock:
        return dict(_profiles[username])


def add_users(users: list) -> list[str]:
    if not isinstance(users, list):
        raise HarnessError("users must be a list")
    for entry in users:
        if not isinstance(entry, dict) or any(entry.get(f) in (None, "") for f in USER_FIELDS):
            raise HarnessError("each user needs " + ", ".join(USER_FIELDS))
    User = get_user_model()
    for entry in users:
        username = str(entry["username"])
        user, _ = User.objects.get_or_create(username=username)
        user.email = str(entry["email"])
        user.set_password(str(entry["password"]))
        user.save()
        with _lock:
            _profiles[username] = {k: str(entry[k]) for k in ("sub", "email", "name", "employee_number")}
    return [str(entry["username"]) for entry in users]


def add_clients(clients: list) -> list[str]:
    from oauth2_provider.models import Application

    if not isinstance(clients, list):
        raise HarnessError("clients must be a list")
    for entry in clients:
        ok = isinstance(entry, dict) and entry.get("client_id") and entry.get("client_secret")
        if not ok or not isinstance(entry.get("redirect_uris"), list) or not entry["redirect_uris"]:
            raise HarnessError("each client needs client_id, client_secret and a non-empty redirect_uris list")
    for entry in clients:
        Application.objects.update_or_create(
            client_id=str(entry["client_id"]),
            defaults={
                "name": str(entry["client_id"]),
                "client_secret": str(entry["client_secret"]),
                "redirect_uris": " ".join(str(u) for u in entry["redirect_uris"]),
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "skip_authorization": True,
                "algorithm": Application.RS256_ALGORITHM,
            },
        )
    return [str(entry["client_id"]) for entry in clients]


# --- misbehaviour ------------------------------------------------------------------------------------------


def set_mode(mode: str, sticky: bool = False, sub: str | None = None) -> dict:
    if mode not in MODES:
        raise HarnessError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
    with _lock:
        _mode.update(mode=mode, sticky=bool(sticky), sub=sub)
        return dict(_mode)


def _take_mode() -> dict:
    with _lock:
        current = dict(_mode)
        if not current["sticky"]:
            _mode.update(mode="normal", sticky=False, sub=None)
        return current


@functools.cache
def _other_key_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def corrupt(token: str, mode: str, sub: str | None = None) -> str:
    """The id_token spoiled the way `mode` says; everything else about it stays as the provider made it."""
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    real_key = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]
    sign_headers = {"kid": header["kid"], "typ": header.get("typ", "JWT")}
    now = int(time.time())
    if mode == "wrong_audience":
        claims["aud"] = "some-other-client"
    elif mode == "wrong_issuer":
        claims["iss"] = "https://wrong-issuer.invalid/o"
    elif mode == "expired":
        # issued two hours ago, expired one hour ago
        claims.update(iat=now - 7200, exp=now - 3600, auth_time=min(claims.get("auth_time", now), now - 7200))
    elif mode == "bad_signature":
        return jwt.encode(claims, _other_key_pem(), algorithm="RS256", headers=sign_headers)
    elif mode == "unsigned":
        return f"{_b64({'alg': 'none', **sign_headers})}.{_b64(claims)}."
    elif mode == "tampered":
        head, _payload, signature = token.split(".")
        claims["sub"] = sub or f"{claims['sub']}-tampered"
        return f"{head}.{_b64(claims)}.{signature}"
    else:
        return token
    return jwt.encode(claims, real_key, algorithm="RS256", headers=sign_headers)


class MisbehaviourMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 200 or request.path != reverse("oauth2_provider:token"):
            return response
        try:
            body = json.loads(response.content)
        except ValueError:
            return response
        if not isinstance(body, dict) or not body.get("id_token"):
            return response
        current = _take_mode()
        if current["mode"] == "normal":
            return response
        body["id_token"] = corrupt(body["id_token"], current["mode"], current["sub"])
        response.content = json.dumps(body).encode()
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


# --- harness endpoints (loopback only, X-Harness-Key) ------------------------------------------------------


def _harness_view(handler):
    @csrf_exempt
    def view(request):
        if request.method != "POST":
            return JsonResponse({"error": "method_not_allowed"}, status=405)
        if request.META.get("REMOTE_ADDR") not in LOOPBACK:
            return JsonResponse({"error": "forbidden", "detail": "loopback only"}, status=403)
        given = request.headers.get("X-Harness-Key", "")
        if not _harness_key or not hmac.compare_digest(given.encode(), _harness_key.encode()):
            return JsonResponse({"error": "forbidden", "detail": "wrong or missing X-Harness-Key"}, status=403)
        try:
            data = json.loads(request.body or b"{}")
            if not isinstance(data, dict):
                raise HarnessError("the body must be a JSON object")
            return JsonResponse(handler(data))
        except ValueError as exc:  # HarnessError and malformed JSON
            return JsonResponse({"error": "invalid_request", "detail": str(exc)}, status=400)

    return view


mode_view = _harness_view(lambda d: set_mode(str(d.get("mode", "")), d.get("sticky", False), d.get("sub")))
users_view = _harness_view(lambda d: {"users": add_users(d.get("users"))})
clients_view = _harness_view(lambda d: {"clients": add_clients(d.get("clients"))})
