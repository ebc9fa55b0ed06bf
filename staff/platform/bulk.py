"""Bulk writes whose unique keys and guarded claims stay the arbiter: they return the rows *this* statement won.

`bulk_create(ignore_conflicts=True)` skips rows another transaction inserted but does not say which rows it
created, and `QuerySet.update()` claims rows but does not say which. A fan-out needs both answers (e-mail only
what it created, remind only what it claimed), so these two run `INSERT ... ON CONFLICT DO NOTHING RETURNING`
and `UPDATE ... WHERE <guard> RETURNING` (PostgreSQL, and SQLite 3.35+). Values are prepared by the model's
fields, so dates and foreign keys are stored exactly as the ORM stores them. No signals are sent: use them
only for models without history or signal receivers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Model

# PostgreSQL's protocol takes at most 65 535 parameters per statement; SQLite's Django limit is lower.
_MAX_PARAMS = 65_535


def _connection(model: type[Model]):
    return connections[router.db_for_write(model)]


def _column(meta, name: str) -> str:
    return meta.pk.column if name == "pk" else meta.get_field(name).column


def _returned(cursor, sql: str, params: list, returning: Sequence[str]) -> list[tuple]:
    cursor.execute(sql, params)
    rows = cursor.fetchall()
    return [tuple(row) for row in rows] if len(returning) > 1 else [row[0] for row in rows]


def insert_new(
    model: type[Model], rows: Sequence[dict[str, Any]], *, unique: Sequence[str], returning: Sequence[str]
) -> list:
    """Insert rows, skipping those that conflict on the unique fields; return `returning` of the created ones.

    Every row has the same keys (field names or attnames, e.g. `staff_id`). One statement per
    ~65 000 parameters (SQLite: Django's max_query_params), so a chunk is one query on PostgreSQL.
    """
    if not rows:
        return []
    connection = _connection(model)
    meta, qn = model._meta, connection.ops.quote_name
    names = list(rows[0])
    fields = [meta.get_field(name) for name in names]
    table = qn(meta.db_table)
    columns = ", ".join(qn(field.column) for field in fields)
    conflict = ", ".join(qn(_column(meta, name)) for name in unique)
    back = ", ".join(qn(_column(meta, name)) for name in returning)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(connection.features.max_query_params or _MAX_PARAMS, _MAX_PARAMS) // len(fields))
    created: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            params = [
                field.get_db_prep_save(row[name], connection)
                for row in batch
                for name, field in zip(names, fields, strict=True)
            ]
            values_sql = ", ".join([placeholder] * len(batch))
            # Identifiers come from the model's meta, every value is a parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES {values_sql} ON CONFLICT ({conflict}) DO NOTHING RETURNING {back}"  # noqa: E501, S608
            created += _returned(cursor, sql, params, returning)
    return created


def claim(
    model: type[Model],
    *,
    pks: Iterable[int],
    organisation_id: int,
    values: dict[str, Any],
    guard: str,
    guard_params: Sequence[Any] = (),
    returning: Sequence[str] = ("pk",),
) -> list:
    """Set `values` on the rows of `pks` (of one organisation) that still pass `guard`; return those rows.

    `guard` is SQL on the model's own columns, e.g. `"emailed_at" IS NULL`. It is evaluated on the row being
    updated, so under concurrency PostgreSQL re-checks it after a competing claim commits: each row is
    claimed by exactly one caller.
    """
    pks = list(pks)
    if not pks:
        return []
    connection = _connection(model)
    meta, qn = model._meta, connection.ops.quote_name
    assignments, params = [], []
    for name, value in values.items():
        field = meta.get_field(name)
        assignments.append(f"{qn(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    table, set_sql, pk_column = qn(meta.db_table), ", ".join(assignments), qn(meta.pk.column)
    back = ", ".join(qn(_column(meta, name)) for name in returning)
    per_statement = max(1, min(connection.features.max_query_params or _MAX_PARAMS, _MAX_PARAMS) - 50)
    claimed: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(pks), per_statement):
            batch = pks[start : start + per_statement]
            in_sql = ", ".join(["%s"] * len(batch))
            # Identifiers come from the model's meta, `guard` from code (never input), values are parameters.
            sql = f"UPDATE {table} SET {set_sql} WHERE organisation_id = %s AND {pk_column} IN ({in_sql}) AND ({guard}) RETURNING {back}"  # noqa: E501, S608
            claimed += _returned(cursor, sql, [*params, organisation_id, *batch, *guard_params], returning)
    return claimed
