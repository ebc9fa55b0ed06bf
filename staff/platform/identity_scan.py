"""What `find_identity_numbers` scans: each app names, in its `trust.py`, its stored texts that can hold case data
and its case-number fields, so the command in staff never names a model of the apps built on it.

    # caseload/trust.py
    identity_scan.texts(Assignment, "reason")
    identity_scan.case_numbers(Case, "number")
    identity_scan.case_number_pattern(lambda organisation: CaseloadSettings.for_org(organisation).case_number_pattern)

A scanned model that keeps change history has its historical table scanned too, for the same fields: a
corrected text stays in the history.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

from staff.platform.history import registry as history_registry

_texts: list[tuple[type[models.Model], tuple[str, ...]]] = []
_case_numbers: list[tuple[type[models.Model], str]] = []
_pattern: dict[str, Callable] = {}


def texts(model: type[models.Model], *fields: str) -> None:
    _texts.append((model, fields))


def case_numbers(model: type[models.Model], field: str) -> None:
    """A case-number field: checked against the organisation's pattern, and scanned as text."""
    _case_numbers.append((model, field))
    texts(model, field)


def case_number_pattern(pattern_of: Callable) -> None:
    """`pattern_of(organisation)` -> the organisation's case-number pattern (PostgreSQL regular expression)."""
    _pattern["of"] = pattern_of


def scanned_texts() -> list[tuple[type[models.Model], tuple[str, ...]]]:
    """(model, fields) of every scanned text, each model's fields together, then the historical tables."""
    merged: dict[type[models.Model], dict[str, None]] = {}
    for model, fields in _texts:
        merged.setdefault(model, {}).update(dict.fromkeys(fields))  # each field once, in declared order
    found = [(model, tuple(fields)) for model, fields in merged.items()]
    tracked = set(history_registry.tracked())
    for model, fields in list(found):
        if model in tracked:
            historical = model.history.model
            names = {f.name for f in historical._meta.fields}
            kept = tuple(f for f in fields if f in names)
            if kept:
                found.append((historical, kept))
    return found


def scanned_case_numbers() -> list[tuple[type[models.Model], str]]:
    return list(_case_numbers)


def pattern_for(organisation) -> str | None:
    """The organisation's case-number pattern; None when no app declares one."""
    return _pattern["of"](organisation) if _pattern else None
