"""Report stored text that already holds a personal identity number, and case numbers outside the pattern.

    python manage.py find_identity_numbers [--organisation demo]

The forms refuse such text since the check came in; this finds what was saved before. Per organisation, per
model and field: how many rows, and their ids. The strings themselves are never printed (the report may be
pasted into a ticket). Case numbers (cases, intake items) that do not match the organisation's case-number
pattern are reported the same way: they may be names. The history tables are scanned too, since a corrected
case number or reason stays in the change history. Exits with status 1 if anything is found.
"""

from __future__ import annotations

import regex
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import F, Func, TextField

from staff.models import Organisation
from staff.platform import rls
from staff.platform.identity_numbers import SQL_PREFILTER, contains_identity_number

# (model label, text fields): every stored text column that can hold case data.
COLUMNS = (
    ("caseload.Case", ("number",)),
    ("caseload.Assignment", ("reason",)),
    ("caseload.Extension", ("reason",)),
    ("caseload.CaseEvent", ("detail",)),
    ("caseload.MeetingCycle", ("wrap_up_notes",)),
    ("caseload.ReviewForm", ("comment",)),
    ("caseload.ReviewEntry", ("stands", "still_needed", "interventions", "decisions")),
    ("intake.IntakeItem", ("case_number", "decision_reason", "protection_outcome")),
    ("surveys.Answer", ("m1", "m2", "m3")),
    ("surveys.ActionPlan", ("actions", "outcome")),
    ("surveys.RhythmStep", ("note",)),
    ("surveys.ExitInterview", ("answers",)),  # JSON: each answer is checked on its own
    ("competence.Assessment", ("motivation", "override_reason")),
    ("competence.LadderLevel", ("expectations",)),
    ("competence.Training", ("description",)),
    ("competence.PlannedTraining", ("goal", "purpose")),
    ("staff.AccessReview", ("comment",)),
    # The change history of the tracked models with free text (extensions, review entries and intake items have
    # no history table).
    ("history.HistoricalCase", ("number",)),
    ("history.HistoricalAssignment", ("reason",)),
    ("history.HistoricalLadderLevel", ("expectations",)),
)
# (model label, field) of the case numbers checked against the organisation's pattern.
CASE_NUMBERS = (("caseload.Case", "number"), ("intake.IntakeItem", "case_number"))


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
    for label, fields in COLUMNS:
        model = apps.get_model(label)
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
    pattern = apps.get_model("caseload.CaseloadSettings").for_org(organisation).case_number_pattern
    found: dict[str, list[int]] = {}
    for label, field in CASE_NUMBERS:
        model = apps.get_model(label)
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
