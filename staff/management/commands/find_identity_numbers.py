"""Report stored text that already holds a personal identity number, and case numbers outside the pattern.

    python manage.py find_identity_numbers [--organisation demo]

The forms refuse such text since the check came in; this finds what was saved before. Per organisation, per
model and field: how many rows, and their ids. The strings themselves are never printed (the report may be
pasted into a ticket). Case numbers (cases, intake items) that do not match the organisation's case-number
pattern are reported the same way: they may be names. The history tables are scanned too, since a corrected
case number or reason stays in the change history. Each app names what is scanned, in its trust.py
(staff.platform.identity_scan). Exits with status 1 if anything is found.
"""

from __future__ import annotations

import regex
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import F, Func, TextField

from staff.models import Organisation
from staff.platform import identity_scan, rls
from staff.platform.identity_numbers import SQL_PREFILTER, contains_identity_number


class _Nfkc(Func):
    """PostgreSQL's `normalize(text, NFKC)`: the same normalisation as the finder's."""

    template = "normalize(%(expressions)s::text, NFKC)"
    output_field = TextField()


def _whole_match(pattern: str, value: str) -> bool:
    try:
        return regex.fullmatch(pattern, value, timeout=0.2) is not None
    except (regex.error, TimeoutError):
        return False


def _texts(value) -> list:
    """The texts of a stored value: a JSON object's (or list's) string values one by one, else the value itself."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return [value] if isinstance(value, str) else []


def identity_number_rows(organisation: Organisation) -> dict[str, list[int]]:
    """'app.Model.field' -> ids of the organisation's rows whose text holds an identity number."""
    found: dict[str, list[int]] = {}
    for model, fields in identity_scan.scanned_texts():
        label = model._meta.label
        for field in fields:
            # PostgreSQL narrows the rows to those with ten digits close together once normalised (full-width
            # digits count); Python decides. `id` is the row's own id, also in a history table (whose primary
            # key is history_id): the row to open.
            candidates = model._default_manager.filter(organisation=organisation)
            if connection.vendor == "postgresql":  # elsewhere (SQLite in development) Python reads every row
                candidates = candidates.annotate(_normal=_Nfkc(F(field))).filter(_normal__regex=SQL_PREFILTER)
            candidates = candidates.values_list("id", field)
            ids = sorted(
                {pk for pk, value in candidates.iterator() if any(map(contains_identity_number, _texts(value)))}
            )
            if ids:
                found[f"{label}.{field}"] = ids
    return found


def outside_pattern_rows(organisation: Organisation) -> dict[str, list[int]]:
    """'app.Model.field' -> ids of the organisation's case numbers that do not match its pattern."""
    pattern = identity_scan.pattern_for(organisation)
    found: dict[str, list[int]] = {}
    if pattern is None:
        return found
    for model, field in identity_scan.scanned_case_numbers():
        label = model._meta.label
        rows = model._default_manager.filter(organisation=organisation).order_by("id")
        if connection.vendor == "postgresql":  # the pattern is PostgreSQL's syntax, matched there
            ids = list(rows.exclude(**{f"{field}__regex": f"^(?:{pattern})$"}).values_list("id", flat=True))
        else:  # SQLite: the regex module with a time limit, as the forms' fallback
            ids = [pk for pk, number in rows.values_list("id", field) if not _whole_match(pattern, number)]
        if ids:
            found[f"{label}.{field}"] = ids
    return found


class Command(BaseCommand):
    help = "Report rows whose text holds a personal identity number or whose case number is outside the pattern."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Short name (slug); default: every organisation")

    def handle(self, *args, **options):
        organisations = Organisation.objects.order_by("pk")
        if options["organisation"]:
            organisations = organisations.filter(slug=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"No organisation with short name {options['organisation']!r}.")
        total = 0
        for organisation in organisations:
            rls.activate(organisation.pk)
            try:
                report = (
                    ("an identity number", identity_number_rows(organisation)),
                    ("a case number outside the pattern", outside_pattern_rows(organisation)),
                )
            finally:
                rls.deactivate()
            lines = [
                f"  {column}: {len(ids)} row(s) with {what} (ids {', '.join(map(str, ids))})"
                for what, found in report
                for column, ids in found.items()
            ]
            total += sum(len(ids) for _what, found in report for ids in found.values())
            self.stdout.write(f"{organisation.name} (organisation {organisation.pk}): {'found' if lines else 'none'}")
            for line in lines:
                self.stdout.write(line)
        if total:
            raise CommandError(f"{total} row(s) to correct: open them by id and remove the identity number or name.")
        self.stdout.write("No identity numbers and no case numbers outside the pattern.")
