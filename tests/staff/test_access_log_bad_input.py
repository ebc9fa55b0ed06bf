"""Bad input is refused, recorded and never a 500: a tampered session cookie, a forged CSRF token,
a deactivated person's API token, a person of another organisation guessing ids."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from staff.platform.audit.models import AccessLogEntry, AccessReview, SecurityEvent
from staff.services import api_token_create
from tests.caseload.factories import case


def test_a_tampered_session_cookie_is_treated_as_signed_out_and_recorded(world):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    client = world.client("alice")
    good = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.cookies[settings.SESSION_COOKIE_NAME] = good[:-1] + ("x" if good[-1] != "x" else "y")
    response = client.get(reverse("caseload:case_detail", args=[the_case.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    event = SecurityEvent.objects.get()
    assert (event.kind, event.organisation, event.user_id, event.status) == ("session_rejected", None, None, 302)
    assert event.url_name == "caseload:case_detail" and event.address == "127.0.0.1"
    assert not AccessLogEntry.objects.exists()


def test_signing_out_is_not_a_rejected_session(world):
    client = world.client("alice")
    client.post(reverse("logout"))
    assert not SecurityEvent.objects.exists()


def test_a_forged_csrf_token_gets_a_swedish_403_and_is_recorded(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    client.get(reverse("staff:access_review"))  # sets the CSRF cookie
    response = client.post(
        reverse("staff:access_review"), {"csrfmiddlewaretoken": "forged" * 8, "key": "x", "comment": "y"}
    )
    assert response.status_code == 403
    assert "Formuläret kunde inte skickas" in response.content.decode()
    event = SecurityEvent.objects.get()
    assert (event.kind, event.organisation, event.user_id) == ("csrf_failure", world.org, world.alice.user_id)
    assert event.url_name == "staff:access_review" and event.method == "POST"
    assert not AccessReview.objects.exists()


def test_a_deactivated_persons_token_is_401_with_the_stable_body_and_recorded(world):
    _token, key = api_token_create(organisation=world.org, staff=world.erin, name="Statistik")
    world.erin.user.is_active = False
    world.erin.user.save()
    response = Client().get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == "authentication_failed"
    assert body["error"]["message"] == "Tokenens användare är avstängd." and body["error"]["fields"] == {}
    event = SecurityEvent.objects.get()
    assert (event.kind, event.organisation, event.user_id, event.status) == (
        "token_refused",
        world.org,
        world.erin.user_id,
        401,
    )
    assert event.url_name == "api-me"
    assert not AccessLogEntry.objects.exists()


def test_a_made_up_token_is_recorded_without_an_organisation(world):
    response = Client().get(reverse("api-me"), HTTP_AUTHORIZATION="Token stb_deadbeef_forged")
    assert response.status_code == 401
    event = SecurityEvent.objects.get()
    assert (event.kind, event.organisation) == ("token_refused", None)


def test_guessed_ids_of_another_organisation_are_404_and_logged_with_the_ids_tried(world):
    alfa_case = case(world.unit, "ALFA-1", main=world.bob)
    client = world.client("charlie")
    for pk in (alfa_case.pk, alfa_case.pk + 1000):
        assert client.get(reverse("caseload:case_detail", args=[pk])).status_code == 404
    api = client.get(reverse("caseload_api:unit_overview", args=[world.unit.pk]))
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    rows = AccessLogEntry.objects.order_by("pk")
    assert [(r.organisation, r.actor, r.url_name, r.url_ids, r.object_id, r.status) for r in rows] == [
        (world.other_org, world.charlie, "caseload:case_detail", f"pk={alfa_case.pk}", alfa_case.pk, 404),
        (world.other_org, world.charlie, "caseload:case_detail", f"pk={alfa_case.pk + 1000}", alfa_case.pk + 1000, 404),
        (world.other_org, world.charlie, "caseload_api:unit_overview", f"pk={world.unit.pk}", world.unit.pk, 404),
    ]
    assert [r.channel for r in rows] == ["page", "page", "api"]
    assert not AccessLogEntry.objects.filter(organisation=world.org).exists()  # not in Alfa's log
