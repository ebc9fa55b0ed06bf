"""Two-step sign-in: set up with an authenticator app, enforced by organisation setting, recovery codes work once."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


def _login(world, name, password):
    client = Client()
    response = client.post(reverse("login"), {"username": name, "password": password})
    assert response.status_code == 302
    return client


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def required(world):
    world.org.mfa_required = True
    world.org.save()


def test_not_required_by_default(world, password):
    client = _login(world, "alice", password)
    assert client.get(reverse("staff:my_page")).status_code == 200


def test_required_manager_must_set_up_then_gets_in(world, password, required):
    client = _login(world, "alice", password)
    response = client.get(reverse("staff:my_page"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_setup"))
    page = client.get(response["Location"])
    assert "<svg" in page.content.decode()  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=world.alice.user)
    # A wrong code is refused with a message at the field; nothing is confirmed.
    wrong = client.post(reverse("mfa_setup"), {"token": "000000" if _code(device) != "000000" else "111111"})
    assert "Koden är fel eller för gammal" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    # Right after a wrong code the device is throttled (django-otp): the person is told to wait.
    device.refresh_from_db()
    throttled = client.post(reverse("mfa_setup"), {"token": _code(device)})
    assert "Vänta en stund" in throttled.content.decode()
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=30)):
        done = client.post(reverse("mfa_setup"), {"token": _code(device), "next": reverse("staff:my_page")})
    assert "Dina återställningskoder" in done.content.decode()
    assert StaticToken.objects.filter(device__user=world.alice.user).count() == 10
    assert client.get(reverse("staff:my_page")).status_code == 200


def test_social_worker_is_not_forced(world, password, required):
    client = _login(world, "bob", password)
    assert client.get(reverse("staff:my_page")).status_code == 200


def test_enrolled_user_must_verify_at_next_sign_in_and_recovery_code_works_once(world, password):
    device = TOTPDevice.objects.create(user=world.erin.user, name="Stabil", confirmed=True)
    client = _login(world, "erin", password)
    response = client.get(reverse("staff:organisation_overview"))
    assert response["Location"].startswith(reverse("mfa_verify"))
    # The session API is refused with the stable error body until verified.
    api = client.get(reverse("api-me"))
    assert api.status_code == 403 and api.json()["error"]["code"] == "mfa_required"
    from staff.mfa import _recovery_codes

    code = _recovery_codes(world.erin.user)[0]
    ok = client.post(reverse("mfa_verify"), {"token": code, "next": reverse("staff:organisation_overview")})
    assert ok.status_code == 302 and ok["Location"] == reverse("staff:organisation_overview")
    assert client.get(reverse("staff:organisation_overview")).status_code == 200
    # The same recovery code does not work a second time.
    again = _login(world, "erin", password)
    refused = again.post(reverse("mfa_verify"), {"token": code})
    assert refused.status_code == 200 and "Koden är fel eller för gammal" in refused.content.decode()
    assert device.pk


def test_verify_refuses_open_redirect(world, password):
    device = TOTPDevice.objects.create(user=world.erin.user, name="Stabil", confirmed=True)
    client = _login(world, "erin", password)
    response = client.post(reverse("mfa_verify"), {"token": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("staff:start")


def test_cannot_switch_off_when_required(world, password, required):
    device = TOTPDevice.objects.create(user=world.alice.user, name="Stabil", confirmed=True)
    client = _login(world, "alice", password)
    client.post(reverse("mfa_verify"), {"token": _code(device)})
    client.post(reverse("mfa_manage"), {"action": "disable"})
    assert TOTPDevice.objects.filter(user=world.alice.user, confirmed=True).exists()


def test_voluntary_user_can_switch_off(world, password):
    device = TOTPDevice.objects.create(user=world.bob.user, name="Stabil", confirmed=True)
    client = _login(world, "bob", password)
    client.post(reverse("mfa_verify"), {"token": _code(device)})
    client.post(reverse("mfa_manage"), {"action": "disable"})
    assert not TOTPDevice.objects.filter(user=world.bob.user).exists()
    assert client.get(reverse("staff:my_page")).status_code == 200


def test_no_two_step_queries_for_users_without_it(world, password):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _login(world, "bob", password)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("staff:my_page")).status_code == 200
    assert not [q["sql"] for q in queries if "otp_" in q["sql"]]


def test_idle_session_is_renewed_at_most_every_few_minutes(world, password):
    import time_machine

    client = _login(world, "bob", password)
    client.get(reverse("staff:my_page"))
    first = client.session["renewed_at"]
    client.get(reverse("staff:my_page"))
    assert client.session["renewed_at"] == first
    with time_machine.travel(first + 400, tick=False):
        client.get(reverse("staff:my_page"))
        assert client.session["renewed_at"] == first + 400
