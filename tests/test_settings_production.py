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
    ],
)
def test_production_refuses_missing_or_malformed_setting(name, value, message):
    result = _check({name: value})
    assert result.returncode != 0
    assert message in result.stderr
