"""Sign-out after inactivity follows the organisation's setting (issue 8, sign-in hardening)."""

import datetime as dt

import time_machine
from django.urls import reverse

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _login(client, password):
    response = client.post(reverse("login"), {"username": "bob", "password": password})
    assert response.status_code == 302


def test_signed_out_after_the_organisations_idle_time(client, world, password):
    world.bob.organisation.idle_timeout_minutes = 30
    world.bob.organisation.save()
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        assert client.get(reverse("staff:my_page")).status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("staff:my_page")).status_code == 200  # renews the session
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("staff:my_page")).status_code == 200  # 29 minutes after the last use
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("staff:my_page"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_longer_setting_keeps_the_session(client, world, password):
    world.bob.organisation.idle_timeout_minutes = 120
    world.bob.organisation.save()
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        assert client.get(reverse("staff:my_page")).status_code == 200
        clock.shift(dt.timedelta(minutes=100))
        assert client.get(reverse("staff:my_page")).status_code == 200


def test_org_admin_sets_idle_time_with_bounds(world):
    client = world.client("frank")
    data = {"form": "settings", "settings-span_of_control_limit": 12, "settings-idle_timeout_minutes": 5}
    response = client.post(reverse("staff:admin_structure"), data)
    assert response.status_code == 200
    assert "Kontrollera att detta värde är större än eller lika med 10." in response.content.decode()
    world.frank.organisation.refresh_from_db()
    assert world.frank.organisation.idle_timeout_minutes == 60

    data["settings-idle_timeout_minutes"] = 20
    assert client.post(reverse("staff:admin_structure"), data).status_code == 302
    world.frank.organisation.refresh_from_db()
    assert world.frank.organisation.idle_timeout_minutes == 20
