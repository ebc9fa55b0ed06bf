"""A database that does not answer gives a clear Swedish 503 page (or JSON 503), and the app recovers by itself."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from config.errors import database_unavailable

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_down():
    """Point the connection at a database that is not there (SQLite: a missing directory; PostgreSQL: a closed
    port), as when PostgreSQL restarts; the old settings come back afterwards."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-directory/stabil.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_pages_answer_503_in_swedish_while_the_database_is_down_and_work_again_after(world):
    client = world.client("bob")
    client.raise_request_exception = False
    assert client.get("/caseload/mine/").status_code == 200

    with database_down():
        response = client.get("/caseload/mine/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Tjänsten är tillfälligt otillgänglig" in response.content.decode()
    assert client.get("/caseload/mine/").status_code == 200  # no restart needed


def test_the_api_answers_503_with_the_stable_error_body(world):
    client = world.client("erin")
    client.raise_request_exception = False
    with database_down():
        response = client.get("/api/v1/tertials/")
    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "code": "unavailable",
            "message": "Tjänsten är tillfälligt otillgänglig. Försök igen om en liten stund.",
            "fields": {},
        }
    }


def test_the_login_page_answers_503_too():
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.post("/accounts/login/", {"username": "bob", "password": "x"})
    assert response.status_code == 503


def test_only_a_database_that_does_not_answer_is_a_503():
    assert not database_unavailable(ValueError("x"))
    assert database_unavailable(InterfaceError("connection already closed"))
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as wrapped:
        assert database_unavailable(wrapped)
