"""Pytest plugin: the session-scoped `oidc_provider` fixture, a real test identity provider process.

    def test_sign_in(oidc_provider):
        oidc_provider.add_client("alfa", "alfa-secret", ["http://127.0.0.1:8000/accounts/oidc/alfa/login/callback/"])
        oidc_provider.add_user("anna", "pw", sub="entra-1", email="anna@alfa.se", name="Anna A", employee_number="1")
        oidc_provider.set_mode("expired")  # the next token response carries an expired id_token
        ... discover through oidc_provider.discovery_url ...

One process serves the whole session: register clients and users with names of your own test, and reset a
sticky mode (`set_mode("normal")`) when done. `start_oidc_provider()` starts one outside pytest.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]


class OIDCProvider:
    def __init__(self, workdir: Path, timeout: float = 60):
        self.workdir = Path(workdir)
        self.harness_key = secrets.token_urlsafe(24)
        config = self.workdir / "config.json"
        config.write_text(json.dumps({"harness_key": self.harness_key, "clients": [], "users": []}))
        self._stderr = open(self.workdir / "stderr.log", "w+")  # closed in stop()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.idp.oidc.settings",
            "IDP_OIDC_DATA_DIR": str(self.workdir),
        }
        # --port 0: the system picks a free loopback port while the provider binds it, so no other process
        # can take it between choosing and binding; the READY line names it.
        cmd = [sys.executable, "-m", "tests.idp.oidc", "--port", "0", "--config", str(config)]
        self.proc = subprocess.Popen(  # noqa: S603
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self._stderr, text=True
        )
        self.issuer = self._wait_ready(timeout)
        self.base_url = self.issuer.rsplit("/o", 1)[0]
        self.discovery_url = f"{self.issuer}/.well-known/openid-configuration"

    def _wait_ready(self, timeout: float) -> str:
        found: list[str] = []
        ready = threading.Event()

        def pump():
            for line in self.proc.stdout:
                if line.startswith("READY ") and not ready.is_set():
                    found.append(line.split(None, 1)[1].strip())
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not ready.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                why = "exited" if self.proc.poll() is not None else f"was not ready after {timeout:.0f} s"
                self.stop()
                raise RuntimeError(f"The test OpenID Connect provider {why}. Its stderr:\n{self.stderr()}")
        return found[0]

    def stderr(self) -> str:
        return (self.workdir / "stderr.log").read_text()

    def _post(self, path: str, payload: dict) -> dict:
        response = requests.post(
            f"{self.base_url}{path}", json=payload, headers={"X-Harness-Key": self.harness_key}, timeout=10
        )
        if response.status_code != 200:
            raise RuntimeError(f"POST {path} answered {response.status_code}: {response.text}")
        return response.json()

    def add_client(self, client_id: str, secret: str, redirect_uris: list[str]) -> None:
        """Add or replace a confidential, authorization-code, RS256 client that skips the consent screen."""
        client = {"client_id": client_id, "client_secret": secret, "redirect_uris": list(redirect_uris)}
        self._post("/_harness/clients", {"clients": [client]})

    def add_user(self, username: str, password: str, sub: str, email: str, name: str, employee_number: str) -> None:
        """Add or replace a person who can sign in at the provider's login page."""
        user = {
            "username": username,
            "password": password,
            "sub": sub,
            "email": email,
            "name": name,
            "employee_number": str(employee_number),
        }
        self._post("/_harness/users", {"users": [user]})

    def set_mode(self, mode: str, sticky: bool = False, sub: str | None = None) -> None:
        """Corrupt the next token response's id_token (every one while sticky); `sub` is for mode `tampered`."""
        payload = {"mode": mode, "sticky": sticky}
        if sub is not None:
            payload["sub"] = sub
        self._post("/_harness/mode", payload)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self._stderr.close()


def start_oidc_provider(workdir: Path | None = None, timeout: float = 60) -> OIDCProvider:
    return OIDCProvider(workdir or Path(tempfile.mkdtemp(prefix="stabil-oidc-idp-")), timeout)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> OIDCProvider:
    provider = start_oidc_provider(tmp_path_factory.mktemp("oidc-idp"))
    yield provider
    provider.stop()
