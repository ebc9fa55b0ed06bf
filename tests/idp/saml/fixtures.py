"""Pytest plugin: ``saml_idp``, a real SAML 2.0 identity provider process on loopback for the whole session."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[3]
READY_TIMEOUT = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SamlIdP:
    base_url: str
    harness_key: str
    process: subprocess.Popen

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/metadata"

    @property
    def entity_id(self) -> str:
        return self.metadata_url

    @property
    def sso_url(self) -> str:
        """The SingleSignOnService for the HTTP-Redirect binding."""
        return f"{self.base_url}/sso/redirect"

    @cached_property
    def certificate_pem(self) -> str:
        """The signing certificate's base64 body, exactly as in the metadata's X509Certificate."""
        from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

        metadata = requests.get(self.metadata_url, timeout=10)
        metadata.raise_for_status()
        return OneLogin_Saml2_IdPMetadataParser.parse(metadata.content)["idp"]["x509cert"]

    def _post(self, path: str, data: dict) -> dict:
        response = requests.post(
            f"{self.base_url}{path}", json=data, headers={"X-Harness-Key": self.harness_key}, timeout=10
        )
        if response.status_code != 200:
            raise AssertionError(f"SAML IdP harness {path}: {response.status_code} {response.text}")
        return response.json()

    def add_sp(self, entity_id: str, acs_url: str) -> None:
        self._post("/_harness/sps", {"entity_id": entity_id, "acs_url": acs_url})

    def add_user(
        self, username: str, password: str, name_id: str, email: str, display_name: str, employee_number: str
    ) -> None:
        self._post(
            "/_harness/users",
            {
                "username": username,
                "password": password,
                "name_id": name_id,
                "email": email,
                "display_name": display_name,
                "employee_number": employee_number,
            },
        )

    def set_mode(self, mode: str, sticky: bool = False) -> None:
        self._post("/_harness/mode", {"mode": mode, "sticky": sticky})

    def last_response(self) -> dict | None:
        """{"saml_response": base64, "relay_state", "acs_url", "mode"} of the last response built, or None."""
        response = requests.get(
            f"{self.base_url}/_harness/last_response", headers={"X-Harness-Key": self.harness_key}, timeout=10
        )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()


def start_saml_idp(workdir: Path) -> SamlIdP:
    port = free_port()
    harness_key = secrets.token_urlsafe(24)
    config_path = workdir / "saml-idp.json"
    config_path.write_text(json.dumps({"harness_key": harness_key, "sps": [], "users": []}))
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    stdout, stderr = workdir / "saml-idp.out", workdir / "saml-idp.err"
    # Files, not pipes: nobody reads the pipes after READY, and a full pipe would block the IdP.
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.idp.saml", "--port", str(port), "--config", str(config_path)],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        for line in stdout.read_text().splitlines():
            if line.startswith("READY "):
                return SamlIdP(base_url=line.split(" ", 1)[1].strip(), harness_key=harness_key, process=process)
        if process.poll() is not None:
            pytest.fail(f"the SAML IdP exited with {process.returncode}:\n{stderr.read_text()}")
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"the SAML IdP did not print READY within {READY_TIMEOUT} s:\n{stderr.read_text()}")


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory):
    idp = start_saml_idp(tmp_path_factory.mktemp("saml-idp"))
    yield idp
    idp.process.terminate()
    try:
        idp.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        idp.process.kill()
        idp.process.wait()
