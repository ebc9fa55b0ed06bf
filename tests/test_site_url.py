"""Links in e-mails use SITE_URL; without one set, it follows the PORT `make run` serves on (issue 16)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"


def _site_url(**changes) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    env.update({k: v for k, v in changes.items() if v is not None})
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("port", "site_url", "expected"),
    [
        ("8080", None, "http://127.0.0.1:8080"),
        (None, None, "http://127.0.0.1:8000"),
        ("8080", "https://stabil.example", "https://stabil.example"),  # an explicit SITE_URL wins
    ],
)
def test_site_url_follows_port_unless_set(port, site_url, expected):
    assert _site_url(PORT=port, SITE_URL=site_url) == expected
