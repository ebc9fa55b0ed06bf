"""Pages, downloads and API answers that show personal data are never kept by a browser or a proxy
(`Cache-Control: private, no-store`): on a shared computer the back button after signing out must not
show a case, a survey answer or a person's record."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from staff.platform.audit.registry import LOGGED
from tests.staff.access_log_world import alfa_objects
from tests.staff.test_access_log_walk import VISITS, _viewer


def _no_store(response) -> bool:
    parts = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= parts and not any(p.startswith("max-age") and p != "max-age=0" for p in parts)


@pytest.mark.parametrize("url_name", sorted(LOGGED))
@time_machine.travel("2026-03-18 10:00 +01:00", tick=False)
def test_every_page_with_personal_data_is_not_stored(world, url_name):
    """Every URL pattern the access log classifies as showing personal or case data, as the person
    allowed to see it: case, survey, staff pages, CSV downloads and the API."""
    objects = alfa_objects(world)
    visit = VISITS[url_name]
    client, *_ids = _viewer(world, visit.viewer)  # a person, or the directory with its SCIM token
    response = getattr(client, visit.method)(
        reverse(url_name, kwargs=visit.kwargs(world, objects)),
        data=visit.data(world, objects) if visit.data else {},
    )
    assert _no_store(response), f"{url_name} answered Cache-Control: {response.get('Cache-Control')!r}"


@time_machine.travel("2026-03-18 10:00 +01:00", tick=False)
def test_the_signed_in_calendar_feed_is_not_stored_but_the_token_feed_may_be_cached(world):
    from caseload.models import CycleSettings

    alfa_objects(world)
    signed_in = world.client("alice").get(reverse("caseload:unit_feed", args=[world.unit.pk]))
    assert signed_in.status_code == 200 and _no_store(signed_in)
    settings = CycleSettings.objects.get(unit=world.unit)
    by_token = Client().get(reverse("caseload:token_feed", args=[world.unit.pk, settings.feed_token]))
    assert by_token.status_code == 200
    assert by_token["Cache-Control"] == "private, max-age=3600"  # meeting times only, for calendar apps


def test_an_api_token_answer_is_not_stored(world):
    from staff.services import api_token_create

    _token, key = api_token_create(organisation=world.org, staff=world.erin, name="t")
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and _no_store(response)
