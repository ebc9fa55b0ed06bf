"""Production settings refuse to start without their secrets, and say which setting is wrong."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "stabil.example",
    "DATABASE_URL": "postgres://stabil@localhost/stabil",
    "CELERY_BROKER_URL": "redis://localhost:6379/0",
}


def _check(env_changes):
    env = {k: v for k, v in os.environ.items() if k not in GOOD}
    env.update({k: v for k, v in {**GOOD, **env_changes}.items() if v is not None})
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_starts_with_all_settings():
    result = _check({})
    assert result.returncode == 0, result.stderr


def test_production_takes_a_fernet_key_for_the_secrets_in_the_database():
    from cryptography.fernet import Fernet

    result = _check({"FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode()})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECRET_KEY", None, "Setting SECRET_KEY is required"),
        ("SECRET_KEY", "short", "SECRET_KEY must be a random value"),
        ("ALLOWED_HOSTS", None, "Setting ALLOWED_HOSTS is required"),
        ("DATABASE_URL", None, "Setting DATABASE_URL is required"),
        ("DATABASE_URL", "sqlite:///x.db", "DATABASE_URL must point at PostgreSQL"),
        ("CELERY_BROKER_URL", None, "Setting CELERY_BROKER_URL is required"),
        ("DATABASE_URL", "not a url", "DATABASE_URL"),
        ("FIELD_ENCRYPTION_KEY", "not-a-fernet-key", "FIELD_ENCRYPTION_KEY must be a Fernet key"),
    ],
)
def test_production_refuses_missing_or_malformed_setting(name, value, message):
    result = _check({name: value})
    assert result.returncode != 0
    assert message in result.stderr


HEADERS_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client
connection.settings_dict["ATOMIC_REQUESTS"] = False  # no database here: the sign-in page needs none
response = Client(SERVER_NAME="stabil.example").get("/accounts/login/", secure=True)
csrf = response.cookies[settings.CSRF_COOKIE_NAME]
insecure = Client(SERVER_NAME="stabil.example").get("/accounts/login/")
print(json.dumps({
    "status": response.status_code,
    "hsts": response.get("Strict-Transport-Security"),
    "csp": response.get("Content-Security-Policy"),
    "frame": response.get("X-Frame-Options"),
    "csrf_secure": csrf["secure"], "csrf_samesite": csrf["samesite"],
    "session": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_SAMESITE],
    "redirect": [insecure.status_code, insecure.get("Location")],
}))
"""


def test_production_responses_carry_the_safe_defaults():
    """HSTS, a CSP without inline scripts, Secure/HttpOnly/SameSite cookies, HTTPS redirect (issue 8, part 5)."""
    import json

    env = {k: v for k, v in os.environ.items() if k not in GOOD}
    env.update(GOOD)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", HEADERS_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    script_src = seen["csp"].split("script-src")[1].split(";")[0]
    assert script_src.strip() == "'self'"
    assert seen["frame"] == "DENY"
    assert seen["csrf_secure"] is True and seen["csrf_samesite"] == "Lax"
    assert seen["session"] == [True, True, "Lax"]
    assert seen["redirect"] == [301, "https://stabil.example/accounts/login/"]
