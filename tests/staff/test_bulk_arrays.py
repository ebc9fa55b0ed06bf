"""staff.platform.bulk's array literals: what PostgreSQL reads back is exactly what was sent."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from staff.platform.bulk import _array

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's array literals")

TEXTS = ["plain", "", "NULL", 'a "quoted" word', "back\\slash\\", "comma, {brace}", "tab\tnew\nline", "å ä ö – €", None]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "cast"),
    [
        (TEXTS, "text"),
        (["plain", "comma, {brace}", "", "NULL", "å ä ö – €", "tab\tnew\nline"], "text"),  # no quote, backslash, None
        ([1, 2**40, 3], "bigint"),  # ints only
        ([1, None, 2**40], "bigint"),
        ([True, False, None], "boolean"),
        ([datetime.date(2026, 3, 2), None], "date"),
        ([datetime.datetime(2026, 3, 2, 10, 30, 5, 123456, tzinfo=datetime.UTC)], "timestamptz"),
        ([], "text"),
    ],
)
def test_an_array_literal_reads_back_as_the_values_sent(values, cast):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{cast}[]", [_array(values)])
        assert cursor.fetchone()[0] == values
