"""The kinds of file import (issue 19): what a file's columns may map to, how its rows are planned and applied.

The framework in this package reads an uploaded CSV or xlsx file, keeps each organisation's column mapping
per kind, runs the preview and the apply in a Celery task with progress, and offers the same over the REST
API. A kind lives in the app whose data it writes and registers itself in that app's `ready()` (the staff
kinds here, the case kind in caseload), so that the layering holds: staff never imports caseload.

A kind sees only mapped columns (the framework drops every other column of the file) and only after
`screen`, which may refuse a row outright: the framework then keeps the row's number and error and nothing of
its values (a case row carrying a name or a personal identity number is named by its row number only).

Optional: a kind with `applies_with_errors = True` is applied although some rows are errors (its `apply` gets
the rows `screen` let through with their plans and must leave the rows in error unwritten); without it, a
row in error stops the apply. `by` is None for the drop folder's runs (staff.imports.drop), which no person
uploaded or applied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from staff.models import Organisation, StaffMember

Row = Mapping[str, str]  # field key -> the cell's text, stripped ("" when empty)
Progress = Callable[[int], None]  # called with the number of rows done so far


class Action(models.TextChoices):
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    UNCHANGED = "unchanged", _("unchanged")
    END = "end", _("end")
    CONFLICT = "conflict", _("conflict")
    ERROR = "error", _("error")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool = False
    help_text: str = ""
    # Headers the HR and case-management systems' exports use for this field, matched without regard to case,
    # spaces and punctuation, to propose a first mapping.
    aliases: tuple[str, ...] = ()


@dataclass
class RowPlan:
    row: int  # the row's number in the file, the header row being 1
    action: str  # an Action value
    key: str = ""  # what the row is matched by: an employee number or a case number, never a name
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # field key -> (held now, in the file)
    errors: list[str] = field(default_factory=list)  # in the user's language, at most a field label and a value


class ImportKind(Protocol):
    key: str  # "staff", "absences", "cases"
    label: str
    fields: tuple[Field, ...]

    def may_import(self, staff: StaffMember) -> bool: ...

    def screen(self, row: Row) -> str | None:
        """A reason to refuse the row before anything of it is kept, or None."""

    def plan(self, *, organisation: Organisation, rows: Sequence[tuple[int, Row]], progress: Progress) -> list[RowPlan]:
        """One plan per (row number, row), in order; reads, never writes."""

    def apply(
        self, *, organisation: Organisation, rows: Sequence[tuple[int, Row]], plans: Sequence[RowPlan], by: StaffMember
    ) -> dict[str, int]:
        """Writes the planned changes (the framework holds the transaction: raising undoes all of it) and returns
        the counts per action. Applying a plan of a file already applied changes nothing."""


def action_counts(plans: Sequence[RowPlan]) -> dict[str, int]:
    """Rows per action, as `apply` returns them."""
    counts: dict[str, int] = {}
    for plan in plans:
        counts[str(plan.action)] = counts.get(str(plan.action), 0) + 1
    return counts


def history_args(by: StaffMember | None) -> dict:
    """simple-history's bulk helpers' arguments for an import's writes: the person (none for the drop folder)
    and the reason "import"."""
    return {"default_user": by.user if by is not None and by.user_id else None, "default_change_reason": "import"}


def bulk_args(by: StaffMember | None, batch_size: int) -> dict:
    """The same for staff.platform.bulk's writers (create_with_history and the rest)."""
    args = history_args(by)
    return {"user": args["default_user"], "reason": args["default_change_reason"], "batch_size": batch_size}


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> ImportKind | None:
    return _KINDS.get(key)


def all_kinds() -> list[ImportKind]:
    return list(_KINDS.values())
