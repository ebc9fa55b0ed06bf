"""The sign-in lockout behind the municipality's reverse proxy: the client's address is the one the
proxy put in X-Forwarded-For only when the request comes from a configured proxy (TRUSTED_PROXIES), so
people behind one proxy do not share one lockout, and nobody can pick an address by sending the header."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from staff.audit.models import AccessLogEntry

PROXY = "10.0.0.1"
LIMIT = 5


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def _sign_in(username: str, password: str, *, remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(reverse("login"), {"username": username, "password": password}, **headers)


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_behind_a_trusted_proxy_one_client_cannot_lock_out_another(world, password):
    for _ in range(LIMIT - 1):
        assert _sign_in("bob", "fel", remote=PROXY, forwarded="203.0.113.5").status_code == 200
    assert _sign_in("bob", "fel", remote=PROXY, forwarded="203.0.113.5").status_code == 429
    # The attacker's own address is locked for bob ...
    assert _sign_in("bob", password, remote=PROXY, forwarded="203.0.113.5").status_code == 429
    # ... bob at his own desk, behind the same proxy, is not.
    assert _sign_in("bob", password, remote=PROXY, forwarded="198.51.100.9").status_code == 302


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_a_client_not_behind_a_trusted_proxy_cannot_choose_its_address(world, password):
    """X-Forwarded-For from anyone else is ignored: a new made-up address per try does not help."""
    for n in range(LIMIT):
        _sign_in("bob", "fel", remote="192.0.2.66", forwarded=f"198.51.100.{n}")
    assert _sign_in("bob", password, remote="192.0.2.66", forwarded="198.51.100.200").status_code == 429


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_the_proxy_chain_is_walked_only_through_trusted_proxies(world, password):
    """'spoofed, client, inner proxy': the right-most address that is not a trusted proxy counts."""
    for n in range(LIMIT):
        _sign_in("bob", "fel", remote=PROXY, forwarded=f"192.0.2.{n}, 203.0.113.5, 10.0.0.2")
    assert _sign_in("bob", password, remote=PROXY, forwarded="192.0.2.99, 203.0.113.5, 10.0.0.2").status_code == 429
    assert _sign_in("bob", password, remote=PROXY, forwarded="203.0.113.6").status_code == 302


def test_without_trusted_proxies_the_header_is_ignored(world, password):
    for n in range(LIMIT):
        _sign_in("bob", "fel", remote=PROXY, forwarded=f"203.0.113.{n}")
    assert _sign_in("bob", password, remote=PROXY, forwarded="203.0.113.99").status_code == 429


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_the_access_log_records_the_same_address_as_the_lockout(world):
    client = world.client("bob")
    url = reverse("staff:my_page")
    client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    client.get(url, REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR="203.0.113.5")
    client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    assert [r.address for r in AccessLogEntry.objects.order_by("pk")] == ["203.0.113.5", "192.0.2.66", PROXY]


def test_a_malformed_trusted_proxy_stops_the_start(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings.base as base

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/33")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        importlib.reload(base)
    monkeypatch.delenv("TRUSTED_PROXIES")
    importlib.reload(base)
