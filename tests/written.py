"""Two ways of writing the same rows compared: what simple-history's bulk functions write (as on SQLite) and what
staff.platform.bulk's fast path writes (PostgreSQL), all fields but ids and times."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from django.db import transaction


class _Undo(Exception):
    pass


def rows(queryset, *, drop: Iterable[str] = (), named: Mapping[str, Mapping] | None = None) -> list:
    """The queryset's rows as sorted lists of (field, value), without the fields in `drop` (ids, times) and with
    the foreign keys in `named` (field -> {id: name}) given by a name that stays the same from one write to the
    other (a case's number, a person's employee number), in an order that does not depend on the ids."""
    out = []
    for values in queryset.values():
        for key in drop:
            values.pop(key)
        for key, names in (named or {}).items():
            if values.get(key) is not None:
                values[key] = names[values[key]]
        out.append(sorted(values.items(), key=lambda item: item[0]))
    return sorted(out, key=repr)


def by_simple_history_then_fast_path(monkeypatch, write: Callable[[], dict], modules: Iterable = ()) -> tuple:
    """(what `write()` returns with the fast path off, the same with it on). With it off (`fast_path` answering
    False in staff.platform.bulk and in `modules`, which call it too) the writes go through simple-history's bulk
    functions, in a transaction undone afterwards; then the monkeypatch is undone and `write()` runs again."""
    from staff.platform import bulk

    for module in (bulk, *modules):
        monkeypatch.setattr(module, "fast_path", lambda model: False)
    try:
        with transaction.atomic():
            by_simple_history = write()
            raise _Undo
    except _Undo:
        pass
    monkeypatch.undo()
    return by_simple_history, write()
