"""The sign-in limits (staff/platform/signin_limits.py) and the lockout behind the municipality's reverse proxy:
the client's address is the one the proxy put in X-Forwarded-For only when the request comes from a
configured proxy (TRUSTED_PROXIES), so people behind one proxy do not share one lockout, and nobody can
pick an address by sending the header."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from staff.platform.audit.models import AccessLogEntry

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


# Issue 15, finding 12: a delay that doubles per username and address, and a rate per address across
# usernames. The clock is time-machine's; the limits are small here so the edges are quick to reach.

ATTACKER = "203.0.113.5"
VICTIM = "198.51.100.9"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _wrong(username: str, remote: str = ATTACKER) -> int:
    return _sign_in(username, "fel", remote=remote).status_code


def test_the_delay_doubles_from_the_last_failure_and_a_correct_password_resets_it(world, password):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(LIMIT - 1):
            assert _wrong("bob") == 200
        assert _wrong("bob") == 429  # the LIMIT-th failure: from now on, wait 1 minute
        clock.move_to(T0 + dt.timedelta(seconds=59))
        assert _sign_in("bob", password, remote=ATTACKER).status_code == 429
        clock.move_to(T0 + dt.timedelta(minutes=1))
        assert _wrong("bob") == 429  # one more failure, checked and counted: now 2 minutes from here
        clock.move_to(T0 + dt.timedelta(minutes=3, seconds=-1))
        assert _sign_in("bob", password, remote=ATTACKER).status_code == 429
        clock.move_to(T0 + dt.timedelta(minutes=3))
        assert _wrong("bob") == 429  # and 4 minutes
        clock.move_to(T0 + dt.timedelta(minutes=7, seconds=-1))
        assert _sign_in("bob", password, remote=ATTACKER).status_code == 429
        clock.move_to(T0 + dt.timedelta(minutes=7))
        assert _sign_in("bob", password, remote=ATTACKER).status_code == 302
        # Signed in: the count starts again, LIMIT - 1 failures cost nothing.
        for _ in range(LIMIT - 1):
            assert _wrong("bob") == 200
        assert _sign_in("bob", password, remote=ATTACKER).status_code == 302


def test_failures_during_the_wait_do_not_extend_it(world, password):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(LIMIT):
            _wrong("bob")
        for second in (1, 20, 40, 59):
            clock.move_to(T0 + dt.timedelta(seconds=second))
            assert _wrong("bob") == 429
        clock.move_to(T0 + dt.timedelta(minutes=1))
        assert _sign_in("bob", password, remote=ATTACKER).status_code == 302


def test_the_delay_stops_growing_at_the_maximum(world, password, settings):
    settings.LOGIN_DELAY_MAX_MINUTES = 4
    with time_machine.travel(T0, tick=False) as clock:
        at = T0
        for wait in (0, 1, 2, 4, 4):  # failures LIMIT .. LIMIT+3; the last would be 8 minutes uncapped
            at += dt.timedelta(minutes=wait)
            clock.move_to(at)
            for _ in range(LIMIT - 1 if wait == 0 else 0):
                assert _wrong("bob") == 200
            assert _wrong("bob") == 429
        clock.move_to(at + dt.timedelta(minutes=4, seconds=-1))
        assert _sign_in("bob", password, remote=ATTACKER).status_code == 429
        clock.move_to(at + dt.timedelta(minutes=4))
        assert _sign_in("bob", password, remote=ATTACKER).status_code == 302


def test_an_address_is_limited_across_usernames_and_the_window_slides(world, password, settings):
    settings.LOGIN_ADDRESS_FAILURES = 4
    settings.LOGIN_ADDRESS_WINDOW_MINUTES = 15
    with time_machine.travel(T0, tick=False) as clock:
        for name in ("alice", "carol", "dave"):  # N - 1 usernames, one password each
            assert _wrong(name) == 200
        assert _sign_in("bob", password, remote=ATTACKER).status_code == 302  # N - 1: still allowed
        clock.move_to(T0 + dt.timedelta(minutes=5))
        assert _wrong("erin") == 429  # the N-th failure: from now on the address waits
        assert _wrong("frank") == 429  # the N+1-th attempt is refused, whoever it is for
        assert _sign_in("heidi", password, remote=ATTACKER).status_code == 429
        # ... but only at this address: the same people elsewhere sign in.
        assert _sign_in("heidi", password, remote=VICTIM).status_code == 302
        clock.move_to(T0 + dt.timedelta(minutes=15, seconds=-1))
        assert _sign_in("heidi", password, remote=ATTACKER).status_code == 429
        clock.move_to(T0 + dt.timedelta(minutes=15))  # the first three have left the window
        assert _sign_in("heidi", password, remote=ATTACKER).status_code == 302


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_one_address_cannot_lock_anyone_out_at_another(world, password, settings):
    """An attacker behind the proxy hammers bob and sprays every username: bob at his own desk behind the
    same proxy, and everyone else, still sign in; only the attacker's address is refused."""
    settings.LOGIN_ADDRESS_FAILURES = 10  # bob's LIMIT failures count, his refused attempts do not
    names = ["alice", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"]
    for _ in range(3 * LIMIT):
        _sign_in("bob", "fel", remote=PROXY, forwarded=ATTACKER)
    for name in names:
        _sign_in(name, "fel", remote=PROXY, forwarded=ATTACKER)
    assert _sign_in("ivan", password, remote=PROXY, forwarded=ATTACKER).status_code == 429
    assert _sign_in("bob", password, remote=PROXY, forwarded=VICTIM).status_code == 302
    for name in names:
        assert _sign_in(name, password, remote=PROXY, forwarded="198.51.100.10").status_code == 302


def test_failures_are_forgotten_a_day_after_the_last_one(world):
    with time_machine.travel(T0, tick=False) as clock:
        for name in ("bob", "carol"):
            for _ in range(LIMIT):
                _wrong(name)
        clock.move_to(T0 + dt.timedelta(hours=24, seconds=-1))
        assert _wrong("carol") == 429  # remembered: a 6th failure, now 2 minutes
        clock.move_to(T0 + dt.timedelta(hours=24))
        assert _wrong("bob") == 200  # forgotten: a first failure again


def test_typed_usernames_are_kept_only_as_long_as_they_count(world, password):
    from staff.platform.signin_limits import SignInFailure

    with time_machine.travel(T0, tick=False) as clock:
        _wrong("olle.typo")
        clock.move_to(T0 + dt.timedelta(hours=24, seconds=-1))
        assert _sign_in("bob", password, remote=VICTIM).status_code == 302
        assert list(SignInFailure.objects.values_list("username", flat=True)) == ["olle.typo"]
        clock.move_to(T0 + dt.timedelta(hours=24))
        assert _sign_in("carol", password, remote=VICTIM).status_code == 302
        assert not SignInFailure.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_attempts_cannot_slip_past_the_limit(world):
    """Eight wrong passwords at once (eight threads, eight connections) after LIMIT - 1 failures: one is
    checked and starts the wait, the others wait their turn and are then refused unchecked."""
    from django.db import connection, connections

    from staff.platform.signin_limits import SignInFailure

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers on the file; the PostgreSQL run checks the race")
    for _ in range(LIMIT - 1):
        _wrong("bob")
    barrier = threading.Barrier(8)
    answers: list[int] = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            answers.append(_wrong("bob"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert answers == [429] * 8
    assert SignInFailure.objects.filter(username="bob").count() == LIMIT
