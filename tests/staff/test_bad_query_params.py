"""Bad values in the query string are refused or ignored, never a server error: every URL pattern, as
every role of Alfa kommun, with each bad value on each parameter the view reads. API answers are JSON.

The parameters a view reads are found by recording the names its request's QueryDict was asked for on a
first, plain request; then each is sent alone with each bad value."""

from __future__ import annotations

import json

import time_machine
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse

from tests.staff.access_log_world import alfa_objects
from tests.staff.test_access_log_walk import VISITS
from tests.staff.test_outsider_404 import _patterns

BAD_VALUES = ["²", "99999999999999999999", "-1", "1.5", "NaN", "", "x" * 200]
# One person per role: unit manager, assistant manager, social worker, specialist, department head, HR,
# organisation admin, administrator.
ROLES = ["alice", "ivan", "bob", "carol", "dave", "erin", "frank", "grace"]


def _kwargs(world, objects, name: str, pattern) -> dict | None:
    from competence.models import LadderLevel

    if name in VISITS:
        return VISITS[name].kwargs(world, objects)
    converters = set(getattr(pattern.pattern, "converters", {}))
    if not converters:
        return {}
    if converters != {"pk"}:
        return None  # token addresses (password reset, calendar feed): not signed-in pages
    if name == "competence:level_edit":
        return {"pk": LadderLevel.objects.filter(organisation=world.org).first().pk}
    if name == "surveys:round_edit":
        return {"pk": objects.round.pk}
    return {"pk": world.unit.pk}


class _Recorder:
    """Record the names a QueryDict is asked for (get, [], in, getlist) during one request."""

    def __init__(self, monkeypatch):
        self.names: set[str] = set()
        for method in ("get", "__getitem__", "__contains__", "getlist"):
            original = getattr(QueryDict, method)
            monkeypatch.setattr(QueryDict, method, self._wrap(original))

    def _wrap(self, original):
        def recording(query, key, *args, **kwargs):
            if isinstance(key, str):
                self.names.add(key)
            return original(query, key, *args, **kwargs)

        return recording


def _check(response, url: str) -> str | None:
    if response.status_code >= 500:
        return f"{url} answered {response.status_code}"
    if url.startswith("/api/v1/") and response.status_code >= 400:  # not the schema and its docs page
        try:
            body = json.loads(response.content)
        except ValueError:
            return f"{url} answered {response.status_code} without JSON"
        if "error" not in body or "code" not in body["error"]:
            return f"{url} answered {response.status_code} without the error body: {body}"
    return None


@time_machine.travel("2026-03-18 10:00 +01:00", tick=False)
def test_no_bad_query_value_is_a_server_error(world, monkeypatch):
    """Each role in turn. A parameter of a page gets every bad value from the first role that reaches it,
    the two that broke most (a non-ASCII digit, an id past bigint) from every further role."""
    objects = alfa_objects(world)
    problems = []
    tried: set[tuple[str, str]] = set()
    for viewer in ROLES:
        client = world.client(viewer)
        client.raise_request_exception = False
        for name, pattern in _patterns():
            kwargs = _kwargs(world, objects, name, pattern)
            if kwargs is None:
                continue
            url = reverse(name, kwargs=kwargs)
            with monkeypatch.context() as patch:
                recorder = _Recorder(patch)
                plain = client.get(url)
            if plain.status_code >= 400 or plain.status_code == 302 and "/login/" in plain.get("Location", ""):
                if problem := _check(plain, url):
                    problems.append(problem)
                continue  # refused before any parameter is read
            cache.clear()  # the API's request throttle: this walk is many requests in a minute
            for param in sorted(recorder.names - {"csrfmiddlewaretoken"}):
                values = BAD_VALUES if (url, param) not in tried else BAD_VALUES[:2]
                tried.add((url, param))
                for value in values:
                    response = client.get(url, {param: value})
                    if problem := _check(response, f"{url}?{param}={value[:20]} as {viewer}"):
                        problems.append(problem)
    assert {param for _url, param in tried} >= {"unit", "group", "level", "year", "department", "historik", "round"}
    assert not problems, "\n".join(problems)


def test_the_issues_addresses_answer_without_a_server_error(world):
    erin, frank = world.client("erin"), world.client("frank")
    response = erin.get("/api/v1/reports/tertial/2026-T2/", {"department": "²"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"department": ["Ange avdelningen med dess id, ett heltal."]}
    assert frank.get(reverse("staff:admin_staff_list"), {"unit": "99999999999999999999"}).status_code == 200
    assert frank.get(reverse("staff:admin_structure"), {"historik": "99999999999999999999"}).status_code == 200
    unit_results = reverse("surveys:unit_results", args=[world.unit.pk])
    assert world.client("alice").get(unit_results, {"year": "²"}).status_code == 200


def test_an_unexpected_error_in_the_api_is_the_json_error_body(db):
    from django.test import RequestFactory

    from config.errors import server_error_or_unavailable

    request = RequestFactory().get("/api/v1/me/")
    try:
        int("²")
    except ValueError:
        response = server_error_or_unavailable(request)
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "server_error"
