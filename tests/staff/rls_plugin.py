"""Run a test suite with every request and every Celery task under the application role.

    DATABASE_URL=postgres://... pytest -p tests.staff.rls_plugin -m "not browser"

Test data is still made as the owner (factories, fixtures), but each request the Django test client
makes switches the connection to the app role (`SET ROLE`) for its duration, so row-level security
applies to everything a page or an API does; the real Celery worker connects with SET ROLE too.
On SQLite this plugin does nothing. See docs/trust-rls.md.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection


def _switch(sql: str) -> None:
    # The driver's own cursor: not counted by django_assert_num_queries, so counts stay those of production.
    if connection.vendor == "postgresql" and connection.connection is not None:
        with connection.connection.cursor() as cursor:
            cursor.execute(sql)


def _as_app_role(**kwargs) -> None:
    _switch(f"SET ROLE {connection.ops.quote_name(settings.DATABASE_APP_ROLE)}")


def _as_owner(**kwargs) -> None:
    _switch("RESET ROLE")


@pytest.fixture(scope="session", autouse=True)
def _app_role_everywhere():
    if connection.vendor != "postgresql":
        yield
        return
    os.environ["DATABASE_ASSUME_ROLE"] = settings.DATABASE_APP_ROLE  # the worker subprocesses
    request_started.connect(_as_app_role, dispatch_uid="rls-plugin-start")
    request_finished.connect(_as_owner, dispatch_uid="rls-plugin-finish")
    yield
    request_started.disconnect(dispatch_uid="rls-plugin-start")
    request_finished.disconnect(dispatch_uid="rls-plugin-finish")
    os.environ.pop("DATABASE_ASSUME_ROLE", None)
