"""Bulk writes whose unique keys and guarded claims stay the arbiter: they return the rows *this* statement won.

`bulk_create(ignore_conflicts=True)` skips rows another transaction inserted but does not say which rows it
created, and `QuerySet.update()` claims rows but does not say which. A fan-out needs both answers (e-mail only
what it created, remind only what it claimed), so these two run `INSERT ... ON CONFLICT DO NOTHING RETURNING`
and `UPDATE ... WHERE <guard> RETURNING` (PostgreSQL, and SQLite 3.35+). Values are prepared by the model's
fields, so dates and foreign keys are stored exactly as the ORM stores them. No signals are sent: use them
only for models without history or signal receivers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Model

# PostgreSQL's protocol takes at most 65 535 parameters per statement; SQLite's Django limit is lower.
_MAX_PARAMS = 65_535


_LENGTH = re.compile(r"^(varchar|character varying)\(\d+\)$")


def _cast_type(field, connection) -> str:
    """The type a parameter is cast to: the column's, but a `varchar(n)` without its length. An explicit cast to
    `varchar(n)` cuts a longer value silently; assigned to the column, a value too long is an error instead."""
    db_type = field.db_type(connection)
    return "varchar" if _LENGTH.match(db_type) else db_type


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


# -- many rows with their history ------------------------------------------------------------------------------
# simple-history's bulk_create_with_history / bulk_update_with_history build one model instance and one history
# instance per row and send them as VALUES lists; on PostgreSQL these write a model's rows with one statement per
# column array (`unnest`) and their history rows in the database from the rows just written (`INSERT INTO
# <history> SELECT ... FROM <table> WHERE id = ANY(...)`), with the columns taken from the models' _meta. Other
# databases (the SQLite test runs) use simple-history's functions. No signals are sent, as with those.

_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)
_HISTORY_VALUES = ("history_date", "history_change_reason", "history_type", "history_user")


def _array(values: Sequence) -> str:
    """A PostgreSQL array literal (`{"a","b",NULL}`) of plain values, sent as one text parameter and cast to the
    column's array type: PostgreSQL reads it far faster than the ARRAY[...] expression psycopg2 makes of a list
    (a 150 000-element expression costs seconds to parse)."""
    if all(type(value) is int for value in values):  # ids and foreign keys: most columns
        return "{" + ",".join(map(str, values)) + "}"
    if all(isinstance(value, str) and '"' not in value and "\\" not in value for value in values):
        return '{"' + '","'.join(values) + '"}' if values else "{}"
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        elif value is True or value is False:
            parts.append("t" if value else "f")
        elif isinstance(value, int):
            parts.append(str(value))
        else:
            text = value.isoformat() if hasattr(value, "isoformat") else str(value)
            parts.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def fast_path(model: type[Model]) -> bool:
    """Whether the statements below run for `model` (PostgreSQL), else simple-history's functions do."""
    return _connection(model).vendor == "postgresql"


def _column_values(field, objs: Sequence[Model], connection, now) -> list:
    """One column's values, prepared as Model.save would: auto_now(_add) is `now`, a db_default left unset is
    its literal value, anything but plain values goes through the field's get_db_prep_save."""
    from django.db.models.expressions import DatabaseDefault, Value

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        for obj in objs:
            setattr(obj, field.attname, now)
        return [now] * len(objs)
    values = [getattr(obj, field.attname) for obj in objs]
    if any(isinstance(v, DatabaseDefault) for v in values):
        default = field.db_default  # a literal, or Value(literal); an expression is for the database alone
        if hasattr(default, "resolve_expression"):
            if not isinstance(default, Value):
                raise ValueError(f"{field}: a db_default that is not a literal value")
            default = default.value
        values = [default if isinstance(v, DatabaseDefault) else v for v in values]
        for obj, value in zip(objs, values, strict=True):
            setattr(obj, field.attname, value)
    kind = field.get_internal_type()
    if kind in ("DecimalField", "UUIDField"):
        values = [field.get_db_prep_save(v, connection) for v in values]  # str() of each is what PostgreSQL reads
    elif kind not in _PLAIN:
        raise ValueError(f"{field}: a {kind}, which the array statements do not write")
    return values


def _history_insert(model: type[Model], connection) -> str:
    """`INSERT INTO <history> (...) SELECT ... FROM <table> WHERE id = ANY(%s) ORDER BY id`, with four values
    (date, reason, type, user id) before the ids: every field of the historical model is either a tracked field
    copied from the row or one of those, so a field added to either model is never forgotten."""
    history = model.history.model
    meta, qn = model._meta, connection.ops.quote_name
    tracked = {f.name: f for f in history.tracked_fields}
    into, select = [], []
    for hfield in history._meta.concrete_fields:
        if hfield.primary_key:
            continue  # history_id
        if hfield.name in tracked:
            into.append(qn(hfield.column))
            select.append(qn(meta.get_field(hfield.name).column))
        elif hfield.name in _HISTORY_VALUES:
            into.append(qn(hfield.column))
            select.append(f"%({hfield.name})s")
        else:
            raise ValueError(f"{history.__name__}.{hfield.name}: a history field the bulk writer does not fill")
    pk = qn(meta.pk.column)
    pk_type = meta.pk.rel_db_type(connection)
    # Identifiers come from the models' meta, every value is a parameter.
    return (
        f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(into)}) "  # noqa: S608
        f"SELECT {', '.join(select)} FROM {qn(meta.db_table)} "
        f"WHERE {pk} = ANY(%(ids)s::{pk_type}[]) ORDER BY {pk}"
    )


def _write_history(model, ids: list[int], *, history_type: str, user, reason: str, at, connection) -> None:
    from django.conf import settings

    if not ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    params = {
        "history_date": at,
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user": user.pk if user is not None else None,
        "ids": _array(ids),
    }
    with connection.cursor() as cursor:
        cursor.execute(_history_insert(model, connection), params)


def create_with_history(model: type[Model], objs: Sequence[Model], *, user, reason: str, batch_size: int) -> None:
    """Insert `objs` (setting their pk) and a "+" history row of each by `user` with `reason`, as
    simple_history.utils.bulk_create_with_history does (the history date is one for all: the time of the call)."""
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    if not objs:
        return
    if not fast_path(model):
        bulk_create_with_history(objs, model, default_user=user, default_change_reason=reason, batch_size=batch_size)
        return
    ids = insert_rows(model, objs)
    if hasattr(model, "history"):
        connection = _connection(model)
        _write_history(model, ids, history_type="+", user=user, reason=reason, at=timezone.now(), connection=connection)


def create_columns_with_history(
    model: type[Model], columns: dict[str, list], *, user, reason: str, batch_size: int
) -> list[int]:
    """As create_with_history for rows given as columns (attname -> one value a row, as insert_columns takes
    them), without a model instance a row on PostgreSQL; returns the new rows' ids in order. Elsewhere the rows
    become instances (the fields not given get their defaults) for simple-history's bulk_create_with_history."""
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    if not next(iter(columns.values()), []):
        return []
    if not fast_path(model):
        names = list(columns)
        objs = [model(**dict(zip(names, values, strict=True))) for values in zip(*columns.values(), strict=True)]
        bulk_create_with_history(objs, model, default_user=user, default_change_reason=reason, batch_size=batch_size)
        return [obj.pk for obj in objs]
    now = timezone.now()
    ids = insert_columns(model, columns, now=now)
    if hasattr(model, "history"):
        _write_history(model, ids, history_type="+", user=user, reason=reason, at=now, connection=_connection(model))
    return ids


def insert_rows(model: type[Model], objs: Sequence[Model]) -> list[int]:
    """PostgreSQL: insert `objs` with one statement and set their pks (see insert_columns)."""
    from django.utils import timezone

    if not objs:
        return []
    connection, now = _connection(model), timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ids = insert_columns(model, {f.attname: _column_values(f, objs, connection, now) for f in fields}, now=now)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias
    return ids


def insert_columns(model: type[Model], columns: dict[str, list], *, now=None) -> list[int]:
    """PostgreSQL: insert rows given as columns (attname -> one value a row, each as the database takes it) with
    one statement, a column array each, and return their ids in order: they are taken from the table's sequence
    first, so each row has its own whatever order the database writes them in. A field not given gets what
    Model.save gives it: `now` for auto_now(_add), else its default."""
    from django.utils import timezone

    count = len(next(iter(columns.values()), []))
    if not count:
        return []
    connection = _connection(model)
    meta, qn = model._meta, connection.ops.quote_name
    now = now or timezone.now()
    values = dict(columns)
    for f in meta.concrete_fields:
        if f.primary_key or f.attname in values:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            values[f.attname] = [now] * count
        elif f.has_db_default() and not f.has_default():
            continue  # the database's own default
        elif callable(f.default):  # a new value a row (a uuid4, a list)
            values[f.attname] = [f.get_db_prep_save(f.get_default(), connection) for _ in range(count)]
        else:
            values[f.attname] = [f.get_db_prep_save(f.get_default(), connection)] * count
    if any(len(v) != count for v in values.values()):
        raise ValueError("every column needs a value for each row")
    fields = [meta.pk, *(meta.get_field(name) for name in values)]
    with connection.cursor() as cursor:
        # The sequence's name once (OFFSET 0 keeps the planner from calling pg_get_serial_sequence a row).
        cursor.execute(
            "SELECT nextval(q.seq) FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq OFFSET 0) AS q,"
            " generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # A column with one value for every row (the organisation, most defaults) is one parameter, not an array.
        select, names, arrays, constants, params = [], [], [], [], []
        for n, (f, column) in enumerate(zip(fields, [ids, *values.values()], strict=True)):
            db_type = _cast_type(f, connection)
            if n and column.count(column[0]) == count:
                select.append(f"%s::{db_type}")
                constants.append(column[0])
            else:
                select.append(f"u.c{n}")
                names.append(f"c{n}")
                arrays.append(f"%s::{db_type}[]")
                params.append(_array(column))
        columns_sql = ", ".join(qn(f.column) for f in fields)
        # Identifiers and types come from the model's meta, every value is a parameter.
        cursor.execute(
            f"INSERT INTO {qn(meta.db_table)} ({columns_sql}) SELECT {', '.join(select)}"  # noqa: S608
            f" FROM unnest({', '.join(arrays)}) AS u({', '.join(names)})",
            [*constants, *params],
        )
    return ids


def update_with_history(
    model: type[Model], objs: Sequence[Model], fields: Sequence[str], *, user, reason: str, batch_size: int
) -> None:
    """Write `fields` of `objs` and a "~" history row of each, as simple_history.utils.bulk_update_with_history
    does (the history row copies the row as it now stands in the table)."""
    from django.utils import timezone
    from simple_history.utils import bulk_update_with_history

    if not objs:
        return
    if not fast_path(model):
        bulk_update_with_history(
            objs, model, list(fields), default_user=user, default_change_reason=reason, batch_size=batch_size
        )
        return
    connection = _connection(model)
    meta, qn = model._meta, connection.ops.quote_name
    now = timezone.now()
    pk = meta.pk
    changed = [meta.get_field(name) for name in fields]
    ids = [obj.pk for obj in objs]
    names = ["pk", *(f"v{i}" for i in range(len(changed)))]
    arrays = ", ".join(f"%s::{_cast_type(f, connection)}[]" for f in (pk, *changed))
    sets = ", ".join(f"{qn(f.column)} = v.{name}" for f, name in zip(changed, names[1:], strict=True))
    params = [_array(ids), *(_array(_column_values(f, objs, connection, now)) for f in changed)]
    with connection.cursor() as cursor:
        # Identifiers and types come from the model's meta, every value is a parameter.
        cursor.execute(
            f"UPDATE {qn(meta.db_table)} AS t SET {sets} FROM unnest({arrays}) AS v({', '.join(names)})"  # noqa: S608
            f" WHERE t.{qn(pk.column)} = v.pk",
            params,
        )
    if hasattr(model, "history"):
        _write_history(model, ids, history_type="~", user=user, reason=reason, at=now, connection=connection)
