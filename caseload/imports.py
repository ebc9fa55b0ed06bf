"""The case kind of file import (issue 19, part 4): the case-management system's report export becomes cases.

Rows are matched by case number (without regard to letter case). A row creates a case, updates one, leaves it
unchanged, ends it (a closing date for a case open in Stabil), is a conflict, or is an error. Cases carry
numbers, never names: `screen` refuses a row that holds a personal identity number or something that looks
like a name, and the framework then keeps its row number only.

Who owns what (a conflict is shown, never overwritten, and `apply` skips it):
- The case-management system owns the case's kind, its received date (Case.opened_on), the investigation's
  start and the closing: a difference is an update, and the investigation's target date and legal deadline
  are recomputed from the new start (caseload.rules).
- Stabil owns what a person decided in Stabil: a case closed in Stabil, an extension decision on an
  investigation's clock, and a handler a manager assigned in Stabil. A file that says otherwise is a
  conflict: a case closed in Stabil but open in the file (or closed on another date or with another outcome),
  another investigation start where an extension was decided, another handler where the current one was
  assigned in Stabil (not by an import). A handler the import assigned itself (its reason is IMPORT_REASON)
  follows the file.
- An empty cell says nothing: it never removes a handler, a date or a kind. Only the closing date is read as
  a status: empty means the case is open.
- A row that ends a case closes the case, its running investigation (with the outcome) and its assignments,
  as `investigation_close` does; its handler columns are not read.

The checks of the services are made once for the whole file (constant queries, whatever the row count): the
organisation's case-number pattern is compiled once in Python; the cases, investigations and current
assignments of the file's numbers, the people of its employee numbers, their case-worker roles and their
ladder levels are one query each.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex
from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competence.selectors import levels_on
from staff.imports.kinds import Action, Field, Progress, Row, RowPlan
from staff.models import CASE_WORKER_ROLES, MANAGER_ROLES, Organisation, Role, RoleAssignment, StaffMember
from staff.platform.bulk import create_with_history, fast_path, insert_columns, update_with_history
from staff.platform.history.reasons import change_reason, current_reason
from staff.platform.identity_numbers import contains_identity_number

from . import rules
from .case_numbers import TIMEOUT_MS
from .models import Assignment, Case, CaseEvent, CaseloadSettings, Investigation

IMPORT_REASON = "Import"  # the reason of the assignments an import makes: a later import tells them from Stabil's
HISTORY_REASON = "import"
BATCH = 2000  # rows per INSERT / UPDATE statement of apply (history rows: ~15 columns, under 65 535 parameters)
PROGRESS_EVERY = 500

DATE_FIELDS = ("received", "opened", "closed")
EMPLOYEE_FIELDS = ("main", "co")
# Cells that always hold digits: one without any is refused by screen (it may be a name).
DIGIT_FIELDS = ("number", *DATE_FIELDS, *EMPLOYEE_FIELDS)


def _word(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


# The words of the case systems' exports (Swedish first) for the kinds and outcomes the models name.
KIND_WORDS: dict[str, str] = {
    **{
        _word(w): Case.Kind.INVESTIGATION
        for w in ("utredning", "barnavårdsutredning", "utredning enligt 11 kap 1 §", "investigation", "utr")
    },
    **{
        _word(w): Case.Kind.FOLLOW_UP
        for w in (
            "uppföljning",
            "insatsuppföljning",
            "uppföljning av insats",
            "pågående insats",
            "follow up",
            "ongoing intervention follow up",
        )
    },
    **{_word(w): Case.Kind.OTHER for w in ("övrigt", "annat", "other", "övrigt ärende")},
}
OUTCOME_WORDS: dict[str, str] = {
    **{
        _word(w): Investigation.Outcome.INTERVENTION
        for w in ("insats beviljad", "beviljad insats", "insats", "beviljad", "bifall", "intervention", "granted")
    },
    **{
        _word(w): Investigation.Outcome.NO_INTERVENTION
        for w in (
            "ingen insats",
            "utan insats",
            "avslutad utan insats",
            "utan åtgärd",
            "avslag",
            "no intervention",
            "closed without intervention",
        )
    },
    **{
        _word(w): Investigation.Outcome.REFERRED
        for w in ("hänvisad", "hänvisning", "överlämnad", "överflyttad", "referred", "referred elsewhere")
    },
    **{_word(w): Investigation.Outcome.OTHER for w in ("annat", "övrigt", "annat utfall", "other", "other outcome")},
}
for _choices, _words in ((Case.Kind, KIND_WORDS), (Investigation.Outcome, OUTCOME_WORDS)):
    for _value in _choices.values:
        _words.setdefault(_word(_value), _value)
KNOWN_PHRASES = frozenset(KIND_WORDS) | frozenset(OUTCOME_WORDS)
# Translated when a row needs them (a lookup per row costs more than the rest of most rows' plans).
UNKNOWN_KIND = gettext_lazy("The kind is not one Stabil knows: write utredning, uppföljning or övrigt.")
UNKNOWN_OUTCOME = gettext_lazy(
    "The outcome is not one Stabil knows: write insats beviljad, ingen insats, hänvisad or annat."
)

# Two or more words of letters (a hyphen or an apostrophe inside a word): the shape of "Anna Svensson".
_LETTER_WORDS = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*(?:\s+[^\W\d_]+(?:['’\-][^\W\d_]+)*)+")
_DIGIT = re.compile(r"\d")


_COMPACT_DATE = re.compile(r"\d{8}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|[ T])")


@functools.lru_cache(maxsize=8192)  # a file's dates repeat: a few hundred days for tens of thousands of rows
def _parse_date(text: str) -> datetime.date | None:
    """ISO dates (2026-01-15), also with a time (an xlsx date-time as the reader hands it on) or compact
    (20260115). Raises ValueError for anything else."""
    text = text.strip()
    if _COMPACT_DATE.fullmatch(text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if not _ISO_DATE.match(text):
        raise ValueError(text)
    return datetime.date.fromisoformat(text[:10])


@dataclass
class _Person:
    pk: int
    number: str
    unit_id: int | None
    employment_end: datetime.date | None
    name: str


@dataclass
class _Work:
    """What apply writes for one row (built by the planner next to the row's plan)."""

    case: Case
    new_case: bool = False
    case_fields: set[str] = field(default_factory=set)
    investigation: Investigation | None = None
    new_investigation: bool = False
    investigation_fields: set[str] = field(default_factory=set)
    end_assignments: list[Assignment] = field(default_factory=list)
    new_assignments: list[Assignment] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _State:
    """Everything the plan reads, loaded once for the file."""

    settings: CaseloadSettings
    today: datetime.date
    number_ok: Callable[[str], bool]
    numbers_checked: bool  # the case numbers passed the checks in the preview (apply, the digest unchanged)
    cases: dict[str, Case]  # upper-case number -> case
    investigations: dict[int, Investigation]  # case id -> its running investigation, else its latest
    current: dict[int, dict[str, Assignment]]  # case id -> role -> current assignment (with .employee_number)
    people: dict[str, list[_Person]]  # employee number -> people with it (more than one: ambiguous)
    names: dict[int, str]  # staff id -> name, for the timeline as the services write it
    case_workers: set[tuple[int, int]]  # (staff id, unit id) with a case-worker role in the unit
    levels: dict[int, object]  # staff id -> LadderLevel today
    allowed_units: frozenset[int] | None  # units the importer manages; None: all (organisation admin)
    build: bool  # make the objects apply writes (plan alone needs the actions and changes only)
    texts: dict[str, str] = field(default_factory=dict)  # the timeline's texts, translated once per file
    make: dict[type, _Instances] = field(default_factory=dict)  # model -> its instance maker
    digest: str = ""  # of every input read (plan_with_digest), "" when not asked for


def _texts() -> dict[str, str]:
    """The texts written on each row's timeline, looked up once (a lookup per row and event costs more than the
    rest of the row's plan)."""
    return {
        "opened": _("Target date %(target)s, legal deadline %(legal)s."),
        "assigned": _("Main handler: %(main)s. Co-handler: %(co)s."),
        "reason": _("Reason: %(reason)s") % {"reason": IMPORT_REASON},
        "none": _("none"),
        "closed": _("Closed %(date)s: %(outcome)s."),
        "overrun": _("Closed past the legal deadline in the case-management system (import)."),
        **{f"outcome:{value}": str(label) for value, label in Investigation.Outcome.choices},
    }


NUMBER_MAX = Case._meta.get_field("number").max_length


def _number_matcher(pattern: str, numbers: list[str]) -> Callable[[str], bool]:
    """The organisation's pattern, compiled once. PostgreSQL syntax that Python's `regex` cannot read is
    matched by PostgreSQL in one statement for all the file's numbers (under the same short timeout)."""
    try:
        compiled = regex.compile(f"(?:{pattern})")
    except regex.error:
        compiled = None
    if compiled is not None:

        def ok(number: str) -> bool:
            try:
                return compiled.fullmatch(number, timeout=TIMEOUT_MS / 1000) is not None
            except TimeoutError:
                return False

        return ok
    matched: set[str] = set()
    if connection.vendor == "postgresql" and numbers:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # The limit is for this statement only: set for the transaction (a savepoint that succeeds keeps
                # it), so it is put back after it, or the import's writes would run under it.
                cursor.execute("SELECT current_setting('statement_timeout')")
                before = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(TIMEOUT_MS * 10)])
                cursor.execute("SELECT n FROM unnest(%s::text[]) AS n WHERE n ~ %s", [numbers, f"^(?:{pattern})$"])
                matched = {row[0] for row in cursor.fetchall()}
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
        except DatabaseError:
            matched = set()
    return matched.__contains__


class _Instances:
    """Model instances made without Model.__init__ (its descriptors and defaults cost more than the rest of a
    row's plan): what `from_db` and `Model(**values)` make, with every concrete field's attribute set."""

    def __init__(self, model) -> None:
        fields = model._meta.concrete_fields
        if any(f.has_default() and callable(f.default) for f in fields):
            raise ValueError(f"{model.__name__}: a callable default, made once per instance by Model(...) only")
        self.model, self.attnames = model, [f.attname for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields}

    def _made(self, values: dict, *, db: str | None):
        obj = self.model.__new__(self.model)
        state = ModelState()
        state.adding, state.db = db is None, db
        values["_state"] = state
        obj.__dict__ = values
        return obj

    def new(self, **values):
        """As Model(**values), with attnames only (organisation_id, not organisation)."""
        unknown = set(values) - set(self.defaults)
        if unknown:
            raise TypeError(f"{self.model.__name__}: not attnames: {sorted(unknown)}")
        return self._made({**self.defaults, **values}, db=None)

    def loaded(self, queryset, fingerprints: list[str] | None = None) -> list:
        """The queryset's rows, as iterating it would make them; with `fingerprints`, each row's fingerprint
        (read in the same statement) is appended to it."""
        attnames, db, made = self.attnames, queryset.db, self._made
        if fingerprints is None:
            return [made(dict(zip(attnames, row, strict=True)), db=db) for row in queryset.values_list(*attnames)]
        out = []
        for *row, fingerprint in queryset.annotate(row_fingerprint=_fingerprint(self.model)).values_list(
            *attnames, "row_fingerprint"
        ):
            fingerprints.append(fingerprint)
            out.append(made(dict(zip(attnames, row, strict=True)), db=db))
        return out


def _any(column: str, values: list, of: str = "text") -> RawSQL:
    """`column = ANY(array)`: one parameter for a list of any length (a 50 000-row file). Elsewhere (SQLite, the
    test runs) `column IN (...)`, a parameter a value, which SQLite limits (32 766 in its recent versions)."""
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s::{of}[])", (values,), output_field=BooleanField())  # noqa: S611
    marks = ", ".join(["%s"] * len(values)) or "NULL"
    return RawSQL(f"{column} IN ({marks})", tuple(values), output_field=BooleanField())  # noqa: S611


WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.END})


def fingerprints() -> bool:
    """Whether the database makes the rows' fingerprints (sha256 of a row's text): PostgreSQL. Elsewhere there
    is no digest and apply plans every row again."""
    return connection.vendor == "postgresql"


def _fingerprint(model) -> RawSQL:
    """A row's fingerprint, made by PostgreSQL in the statement that reads the row: the sha256 of the whole
    row's text (every column, so any change of the row changes it)."""
    table = connection.ops.quote_name(model._meta.db_table)
    return RawSQL(f"encode(sha256(convert_to({table}::text, 'UTF8')), 'hex')", ())  # noqa: S611


@functools.cache
def _code_digest() -> str:
    """The planning code itself: a preview made by another version of it is planned again."""
    from competence.selectors import ladder

    digest = hashlib.sha256()
    for module in (sys.modules[__name__], rules, ladder, sys.modules[contains_identity_number.__module__]):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


@dataclass
class _Small:
    """The plan's inputs that are a few hundred rows at most (see CaseImport._small)."""

    settings: CaseloadSettings
    today: datetime.date
    holders: list[tuple]
    people: list[tuple]
    case_workers: set[tuple[int, int]]
    levels: dict[int, object]
    allowed_units: frozenset[int] | None


def _digest(small: _Small, rows, tables: list[list[str]]) -> str:
    """The digest of every input of a plan: the planning code, the rows (numbers and cells), today, the
    settings, who imports (their units), the few-hundred-row inputs as read, and the big tables (cases,
    investigations, current assignments) as the sorted fingerprints of their rows."""
    keys = [f.key for f in CaseImport.fields]
    settings = small.settings
    parts = [
        _code_digest(),
        small.today.isoformat(),
        repr([(f.attname, getattr(settings, f.attname)) for f in settings._meta.concrete_fields]),
        repr(None if small.allowed_units is None else sorted(small.allowed_units)),
        repr(sorted(small.holders, key=repr)),
        repr(sorted(small.people, key=repr)),
        repr(sorted(small.case_workers, key=repr)),
        repr(
            sorted(
                (staff_id, [(f.attname, getattr(level, f.attname)) for f in level._meta.concrete_fields])
                for staff_id, level in small.levels.items()
            )
        ),
        json.dumps([[n, [r.get(k) for k in keys], sorted(set(r) - set(keys))] for n, r in rows]),
        *("".join(sorted(fps)) for fps in tables),
    ]
    digest = hashlib.sha256()
    for part in parts:  # each part's length first: the parts cannot run into one another
        data = part.encode()
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


class CaseImport:
    key = "cases"
    # The case system's export always holds a few rows Stabil refuses (a name in a cell, an unknown employee
    # number): the good rows are applied and the refused ones stay in the run's plan, named by row number.
    applies_with_errors = True
    # apply reuses the preview's plans when their inputs' digest is unchanged (plan_with_digest, apply's digest).
    reuses_preview = True
    label = gettext_lazy("Cases")
    fields = (
        Field(
            "number",
            gettext_lazy("case number"),
            required=True,
            help_text=gettext_lazy("Rows are matched by it. Never a name or a personal identity number."),
            aliases=("ärendenummer", "ärendenr", "ärende nr", "ärende", "diarienummer", "dnr", "case number"),
        ),
        Field(
            "kind",
            gettext_lazy("kind"),
            help_text=gettext_lazy("Utredning, uppföljning or övrigt; empty: investigation for a new case."),
            aliases=("ärendetyp", "typ", "ärendeslag", "kind"),
        ),
        Field(
            "received",
            gettext_lazy("received date"),
            help_text=gettext_lazy("The date the case was received (registered); needed for a new case."),
            aliases=("inkommet", "inkom", "inkommen", "mottaget", "registrerat", "received"),
        ),
        Field(
            "opened",
            gettext_lazy("investigation start"),
            help_text=gettext_lazy("The decision to open an investigation: the legal clocks run from it."),
            aliases=("utredning inledd", "inledd", "beslut att inleda", "startdatum", "opened"),
        ),
        Field(
            "main",
            gettext_lazy("main handler's employee number"),
            help_text=gettext_lazy("Needed for a new case: the case belongs to the main handler's unit."),
            aliases=("handläggare", "handläggare anstnr", "ansvarig handläggare", "main handler"),
        ),
        Field(
            "co",
            gettext_lazy("co-handler's employee number"),
            aliases=("medhandläggare", "medhandläggare anstnr", "co-handler"),
        ),
        Field(
            "closed",
            gettext_lazy("closed"),
            help_text=gettext_lazy("Empty: the case is open."),
            aliases=("avslutat", "avslutad", "avslutsdatum", "closed"),
        ),
        Field(
            "outcome",
            gettext_lazy("outcome"),
            help_text=gettext_lazy("Needed when an investigation closes."),
            aliases=("utfall", "resultat", "beslut", "avslutsorsak", "outcome"),
        ),
    )

    # -- who ----------------------------------------------------------------------------------------------------
    def may_import(self, staff: StaffMember) -> bool:
        """A unit manager or assistant manager (of any unit: each row is then held to the units they manage),
        or an organisation admin."""
        return RoleAssignment.objects.filter(
            organisation_id=staff.organisation_id, staff=staff, role__in=[*MANAGER_ROLES, Role.ORG_ADMIN]
        ).exists()

    def _allowed_units(self, by: StaffMember | None) -> frozenset[int] | None:
        if by is None:
            return None
        roles = list(
            RoleAssignment.objects.filter(organisation_id=by.organisation_id, staff=by).values_list("role", "unit_id")
        )
        if any(role == Role.ORG_ADMIN for role, _unit in roles):
            return None
        return frozenset(unit for role, unit in roles if role in MANAGER_ROLES and unit)

    # -- screen -------------------------------------------------------------------------------------------------
    def screen(self, row: Row) -> str | None:
        """Refuse a row that holds a personal identity number in any cell, or something that looks like a name:
        two or more words of letters that are not a kind or outcome word (`Anna Svensson`), or no digit at all in
        a cell that always has digits (case number, dates, employee numbers: `Svensson`). The reasons name no
        value. The case-number pattern itself is the organisation's, checked by plan (which names no value
        either when it fails)."""
        for key, text in row.items():
            if not text:
                continue
            if contains_identity_number(text):
                return _(
                    "The row holds a personal identity number. Stabil keeps nothing of it: remove it from the file."
                )
            if _LETTER_WORDS.fullmatch(text.strip()) and _word(text) not in KNOWN_PHRASES:
                return _("The row seems to hold a name. Stabil keeps nothing of it: cases carry case numbers only.")
            if key in DIGIT_FIELDS and not _DIGIT.search(text):
                return _("The row seems to hold a name. Stabil keeps nothing of it: cases carry case numbers only.")
        return None

    # -- plan ---------------------------------------------------------------------------------------------------
    def plan(
        self,
        *,
        organisation: Organisation,
        rows: Sequence[tuple[int, Row]],
        progress: Progress,
        by: StaffMember | None = None,
    ) -> list[RowPlan]:
        """Reads only. With `by`, rows of units `by` does not manage are errors (apply always holds to that)."""
        return [plan for plan, _work in self._plan(organisation, rows, progress, by=by, lock=False)]

    def plan_with_digest(
        self,
        *,
        organisation: Organisation,
        rows: Sequence[tuple[int, Row]],
        progress: Progress,
        by: StaffMember | None = None,
    ) -> tuple[list[RowPlan], str]:
        """The plans, and the digest of every input they were made from ("" where the database cannot tell: then
        apply plans again). apply given that digest reuses these plans when its own reading, under its locks,
        has the same digest."""
        state = self._load(organisation, rows, by, lock=False, fingerprint=fingerprints())
        return [plan for plan, _work in self._plan_rows(organisation, state, rows, progress)], state.digest

    def _querysets(self, organisation: Organisation, rows, *, lock: bool):
        """The cases of the file's numbers (locked for apply), their investigations and current assignments."""
        upper = sorted({r.get("number", "").strip().upper() for _n, r in rows} - {""})
        cases = Case.objects.filter(organisation=organisation).filter(_any("upper(number)", upper)).order_by()
        case_ids = cases.values("pk")
        if lock:
            cases = cases.select_for_update(of=("self",))
        # unordered: the plan orders what it needs to (the investigations), a digest sorts the fingerprints
        investigations = Investigation.objects.filter(organisation=organisation, case_id__in=case_ids).order_by()
        current = Assignment.objects.filter(organisation=organisation, case_id__in=case_ids, end__isnull=True)
        return cases, investigations, current.order_by()

    def _small(self, organisation: Organisation, rows, by, current) -> _Small:
        """The inputs of a few hundred rows at most, whatever the file's length: the settings, the handlers of
        the current assignments, the people of the file's employee numbers, their roles and levels."""
        employee_numbers = sorted({r.get(k, "").strip() for _n, r in rows for k in EMPLOYEE_FIELDS} - {""})
        holders = list(  # one query, also for none; not a StaffMember object per assignment
            StaffMember.objects.filter(organisation=organisation, pk__in=current.values("staff_id")).values_list(
                "pk", "employee_number", "first_name", "last_name"
            )
        )
        people = list(
            StaffMember.objects.filter(organisation=organisation)
            .filter(_any("employee_number", employee_numbers))
            .values_list("pk", "employee_number", "unit_id", "employment_end", "first_name", "last_name")
        )
        staff_ids = sorted({row[0] for row in people})
        case_workers = set(
            RoleAssignment.objects.filter(
                organisation=organisation, staff_id__in=staff_ids, role__in=CASE_WORKER_ROLES
            ).values_list("staff_id", "unit_id")
        )
        today = timezone.localdate()
        return _Small(
            settings=CaseloadSettings.for_org(organisation),
            today=today,
            holders=holders,
            people=people,
            case_workers=case_workers,
            levels=levels_on(organisation=organisation, on=today, staff_ids=staff_ids),
            allowed_units=self._allowed_units(by),
        )

    def inputs_digest(self, organisation: Organisation, rows, by, *, lock: bool) -> str:
        """The digest `plan_with_digest` gives, read again (with `lock`, under apply's row locks) without
        planning: the three tables of the file's numbers as one fingerprint a row each, made by the database."""
        if not fingerprints():
            return ""
        cases, investigations, current = self._querysets(organisation, rows, lock=lock)
        tables = [
            list(qs.annotate(row_fingerprint=_fingerprint(model)).values_list("row_fingerprint", flat=True))
            for qs, model in ((cases, Case), (investigations, Investigation), (current, Assignment))
        ]
        return _digest(self._small(organisation, rows, by, current), rows, tables)

    def _load(
        self, organisation: Organisation, rows, by, lock: bool, fingerprint: bool = False, numbers_checked: bool = False
    ) -> _State:
        """lock: apply's reading, which locks the cases of the file's numbers and makes the objects to write.
        fingerprint: also the digest of everything read (PostgreSQL only). numbers_checked: the rows' case numbers
        are known to pass the pattern and the identity-number scan (apply's rows to write, the digest unchanged)."""
        case_qs, inv_qs, current_qs = self._querysets(organisation, rows, lock=lock)
        tables: list[list[str]] = [[], [], []]
        loaded = [
            _Instances(model).loaded(qs, fingerprints=tables[i] if fingerprint else None)
            for i, (qs, model) in enumerate(
                (
                    (case_qs, Case),
                    (inv_qs.order_by("case_id", "start_date", "pk"), Investigation),
                    (current_qs, Assignment),
                )
            )
        ]
        cases = {c.number.upper(): c for c in loaded[0]}
        investigations: dict[int, Investigation] = {}
        for inv in loaded[1]:
            held = investigations.get(inv.case_id)
            if held is None or held.closed_on is not None:  # the running one wins, else the latest
                investigations[inv.case_id] = inv
        small = self._small(organisation, rows, by, current_qs)
        holders = {pk: (number, f"{first} {last}") for pk, number, first, last in small.holders}
        current: dict[int, dict[str, Assignment]] = {}
        for a in loaded[2]:
            a.employee_number = holders[a.staff_id][0]
            current.setdefault(a.case_id, {})[a.role] = a
        people: dict[str, list[_Person]] = {}
        names: dict[int, str] = {}
        for pk, number, unit_id, end, first, last in small.people:
            people.setdefault(number, []).append(_Person(pk, number, unit_id, end, f"{first} {last}"))
            names[pk] = f"{first} {last}"
        for pk, (_number, name) in holders.items():
            names[pk] = name
        settings = small.settings
        numbers = sorted({r.get("number", "").strip() for _n, r in rows} - {""})
        return _State(
            settings=settings,
            today=small.today,
            number_ok=_number_matcher(settings.case_number_pattern, numbers) if not numbers_checked else bool,
            numbers_checked=numbers_checked,
            cases=cases,
            investigations=investigations,
            current=current,
            people=people,
            names=names,
            case_workers=small.case_workers,
            levels=small.levels,
            allowed_units=small.allowed_units,
            build=lock,
            texts=_texts() if lock else {},
            make={model: _Instances(model) for model in (Case, Investigation, Assignment)},
            digest=_digest(small, rows, tables) if fingerprint else "",
        )

    def _plan(
        self, organisation, rows, progress=None, *, by, lock, numbers_checked=False
    ) -> list[tuple[RowPlan, _Work | None]]:
        state = self._load(organisation, rows, by, lock, numbers_checked=numbers_checked)
        return self._plan_rows(organisation, state, rows, progress)

    def _plan_rows(self, organisation, state: _State, rows, progress=None) -> list[tuple[RowPlan, _Work | None]]:
        seen: dict[str, int] = {}
        out: list[tuple[RowPlan, _Work | None]] = []
        for index, (number, row) in enumerate(rows, start=1):
            out.append(_RowPlanner(organisation, state, seen, number, row).run())
            if progress is not None and index % PROGRESS_EVERY == 0:
                progress(index)
        if progress is not None:
            progress(len(rows))
        return out

    # -- apply --------------------------------------------------------------------------------------------------
    def apply(
        self,
        *,
        organisation: Organisation,
        rows: Sequence[tuple[int, Row]],
        plans: Sequence[RowPlan],
        by: StaffMember,
        digest: str = "",
        replanned: dict | None = None,
    ) -> dict[str, int]:
        """Plan again under row locks (the cases of the file's numbers) and write each row whose action and changed
        fields are still what the preview showed; a row that changed since is counted as `skipped`, a conflict
        and an error are never written. History rows name `by` and the reason "import".

        With the preview's `digest` (plan_with_digest): when what apply reads under its locks has the same digest,
        every input of the preview's plans is what it was, so they are the plans: only the rows to write are
        planned again (to make what they write, and checked against the preview as above), the others are
        counted as the preview planned them. Any other digest: every row is planned again. `plans` must then be
        the ones plan_with_digest returned with `digest` (the framework keeps both on the run). Each skipped row's
        plan as it is now goes into `replanned` (row number -> RowPlan), so that the run can show what was not
        written and why."""
        if len(plans) != len(rows):
            raise ValueError("one plan per row")
        counts: Counter[str] = Counter({str(a): 0 for a in Action})
        counts["skipped"] = 0
        todo, trusted = range(len(rows)), False
        if digest and self.inputs_digest(organisation, rows, by, lock=True) == digest:
            trusted = True
            todo = [i for i, p in enumerate(plans) if str(p.action) in WRITES]
            for i in sorted(set(range(len(rows))) - set(todo)):
                counts[str(plans[i].action)] += 1
        # A row the preview planned to write passed the number checks, and with the same digest it has the same
        # number and the organisation the same pattern: they are not made again (the pattern's match under its
        # timeout and the identity-number scan are a large part of a new row's plan).
        subset = [rows[i] for i in todo]
        fresh = self._plan(organisation, subset, by=by, lock=True, numbers_checked=trusted) if todo else []
        works: list[_Work] = []
        for given, (plan, work) in zip((plans[i] for i in todo), fresh, strict=True):
            if str(given.action) != plan.action or sorted(given.changes) != sorted(plan.changes):
                counts["skipped"] += 1
                if replanned is not None:
                    replanned[given.row] = plan
                continue
            counts[plan.action] += 1
            if work is not None and plan.action in WRITES:
                works.append(work)
        if works:
            with change_reason(HISTORY_REASON):
                _write(organisation, works, by, current_reason())
        return dict(counts)


def _write(organisation: Organisation, works: list[_Work], by: StaffMember, reason: str) -> None:
    """The rows of `works` with a history row each (by `by`'s user, with `reason`) and the timeline's events.
    On PostgreSQL one statement per table and kind of write (staff.platform.bulk), elsewhere simple-history's
    bulk functions."""
    history = {"user": by.user, "reason": reason, "batch_size": BATCH}
    create_with_history(Case, [w.case for w in works if w.new_case], **history)
    for w in works:  # the new cases have their ids now
        for obj in (w.investigation, *w.new_assignments):
            if obj is not None:
                obj.case_id = w.case.pk
    case_fields = sorted({f for w in works if not w.new_case for f in w.case_fields})
    if case_fields:
        update_with_history(Case, [w.case for w in works if not w.new_case and w.case_fields], case_fields, **history)
    create_with_history(Investigation, [w.investigation for w in works if w.new_investigation], **history)
    inv_fields = sorted({f for w in works if not w.new_investigation for f in w.investigation_fields})
    if inv_fields:
        changed = [w.investigation for w in works if not w.new_investigation and w.investigation_fields]
        update_with_history(Investigation, changed, inv_fields, **history)
    ended = [a for w in works for a in w.end_assignments]
    if ended:  # before the new ones: one current assignment per case and role
        update_with_history(Assignment, ended, ["end"], **history)
    new_assignments = [a for w in works for a in w.new_assignments]
    for a in new_assignments:
        a.assigned_by_id = by.pk
    create_with_history(Assignment, new_assignments, **history)
    if fast_path(CaseEvent):  # columns, not instances: about three events a row
        events = [(w.case.pk, kind, detail) for w in works for kind, detail in w.events]
        insert_columns(
            CaseEvent,
            {
                "organisation_id": [organisation.pk] * len(events),
                "case_id": [case_id for case_id, _kind, _detail in events],
                "actor_id": [by.pk] * len(events),
                "kind": [kind for _case_id, kind, _detail in events],
                "detail": [detail for _case_id, _kind, detail in events],
            },
        )
    else:
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(organisation=organisation, case_id=w.case.pk, actor=by, kind=kind, detail=detail)
                for w in works
                for kind, detail in w.events
            ],
            batch_size=BATCH,
        )


def _label(key: str) -> str:
    return str(next(f.label for f in CaseImport.fields if f.key == key))


class _Label:
    """A field's label for a message, looked up only when the message is made (most rows have none)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __str__(self) -> str:
        return _label(self.key)


class _RowPlanner:
    """One row against what Stabil holds: its plan, and what apply would write."""

    def __init__(self, organisation, state: _State, seen: dict[str, int], number: int, row: Row) -> None:
        self.org, self.s, self.seen, self.row_number = organisation, state, seen, number
        self.row = {k: (v or "").strip() for k, v in row.items()}
        self.errors: list[str] = []
        self.conflicts: list[str] = []
        self.changes: dict[str, tuple[str, str]] = {}

    # parsing --------------------------------------------------------------------------------------------------
    def _label(self, key: str) -> str:
        return _label(key)

    def _date(self, key: str) -> datetime.date | None:
        text = self.row.get(key, "")
        if not text:
            return None
        try:
            return _parse_date(text)
        except ValueError:
            self.errors.append(
                _("%(field)s: %(value)s is not a date; write it as 2026-01-15.")
                % {"field": self._label(key), "value": text}
            )
            return None

    def _person(self, key: str, unit_id: int | None, *, closed: bool) -> _Person | None:
        number = self.row.get(key, "")
        if not number:
            return None
        found = self.s.people.get(number, [])
        field_label = _Label(key)  # translated only for a message
        if not found:
            self.errors.append(
                _("%(field)s: no one in the organisation has the employee number %(value)s.")
                % {"field": field_label, "value": number}
            )
            return None
        if len(found) > 1:
            self.errors.append(
                _("%(field)s: more than one person has the employee number %(value)s.")
                % {"field": field_label, "value": number}
            )
            return None
        person = found[0]
        if unit_id is not None and (person.unit_id != unit_id or (person.pk, unit_id) not in self.s.case_workers):
            self.errors.append(
                _("%(field)s: %(value)s is not a social worker in the case's unit.")
                % {"field": field_label, "value": number}
            )
            return None
        if not closed and person.employment_end is not None and person.employment_end < self.s.today:
            self.errors.append(
                _("%(field)s: %(value)s has left the organisation.") % {"field": field_label, "value": number}
            )
            return None
        return person

    def _levels_check(self, main: _Person, co_present: bool, weight: int) -> None:
        level = self.s.levels.get(main.pk)
        if level is not None and level.is_specialist and self.s.settings.specialists_hold_no_cases:
            self.errors.append(_("A specialist holds no own cases: choose the specialist as co-handler instead."))
        elif rules.is_new(level):
            if weight >= self.s.settings.top_weight:
                self.errors.append(_("A level-1 worker cannot be main handler of a case of the highest weight."))
            if not co_present:
                self.errors.append(_("A level-1 worker always has a co-handler: choose one."))

    def _choice(self, key: str, words: dict[str, str], message) -> str | None:
        text = self.row.get(key, "")
        if not text:
            return None
        value = words.get(_word(text))
        if value is None:
            self.errors.append(str(message))  # names no value: an unknown word may be free text
        return value

    # the row --------------------------------------------------------------------------------------------------
    def run(self) -> tuple[RowPlan, _Work | None]:
        plan, work = self._run()
        plan.action = str(plan.action)  # the value ("create"), as the framework stores it
        return plan, work

    def _run(self) -> tuple[RowPlan, _Work | None]:
        number = self.row.get("number", "")
        if not number:
            return RowPlan(self.row_number, Action.ERROR, errors=[_("The case number is missing.")]), None
        if len(number) > NUMBER_MAX:  # a pattern may allow more than the column holds
            message = _("The case number is longer than %(max)s characters.") % {"max": NUMBER_MAX}
            return RowPlan(self.row_number, Action.ERROR, errors=[message]), None
        if not self.s.numbers_checked and (contains_identity_number(number) or not self.s.number_ok(number)):
            message = _(
                "This is not a case number of the shape your organisation uses. Write the case number only, never a"
                " name."
            )
            return RowPlan(self.row_number, Action.ERROR, errors=[message]), None  # no key: it may not be a number
        upper = number.upper()
        if upper in self.seen:
            message = _("The case number appears more than once in the file (first on row %(row)s).") % {
                "row": self.seen[upper]
            }
            return RowPlan(self.row_number, Action.ERROR, key=number, errors=[message]), None
        self.seen[upper] = self.row_number
        kind = self._choice("kind", KIND_WORDS, UNKNOWN_KIND)
        outcome = self._choice("outcome", OUTCOME_WORDS, UNKNOWN_OUTCOME)
        received, opened, closed = (self._date(k) for k in DATE_FIELDS)
        case = self.s.cases.get(upper)
        if case is None:
            action, work = self._create(number, kind, outcome, received, opened, closed)
        else:
            action, work = self._existing(case, kind, outcome, received, opened, closed)
        if self.errors:
            return RowPlan(self.row_number, Action.ERROR, key=number, changes=self.changes, errors=self.errors), None
        if self.conflicts:
            return RowPlan(
                self.row_number, Action.CONFLICT, key=number, changes=self.changes, errors=self.conflicts
            ), None
        return RowPlan(self.row_number, action, key=number, changes=self.changes), work

    def _dates_check(self, received, opened, closed) -> None:
        today, settings = self.s.today, self.s.settings
        if received and received > today:
            self.errors.append(_("The received date lies in the future."))
        if opened and opened > rules.latest_allowed(today, settings):
            self.errors.append(_("The date lies too far in the future. Check the year."))
        if received and opened and opened < received:
            self.errors.append(_("The investigation cannot start before the case was opened."))
        if closed:
            if closed > today:
                self.errors.append(_("The closing date cannot be in the future."))
            if opened and closed < opened:
                self.errors.append(_("An investigation cannot close before it started."))
            elif received and closed < received:
                self.errors.append(_("A case cannot close before it opened."))

    def _outcome_check(self, closed, outcome, *, investigation: bool) -> None:
        if closed and investigation and not outcome and not self.row.get("outcome"):
            self.errors.append(_("Give the outcome of the investigation that closes."))

    def _in_scope(self, unit_id: int | None) -> None:
        allowed = self.s.allowed_units
        if allowed is not None and unit_id not in allowed:
            self.errors.append(_("The case belongs to a unit you do not manage."))

    def _assignment(self, case: Case, staff_id: int, role: str, start: datetime.date, end) -> Assignment:
        return self.s.make[Assignment].new(
            organisation_id=self.org.pk,
            case_id=case.pk,  # None for a new case: _write sets it once the case has its id
            staff_id=staff_id,
            role=role,
            start=start,
            end=end,
            reason=IMPORT_REASON,
        )

    def _investigation(self, case: Case, start: datetime.date) -> Investigation:
        return self.s.make[Investigation].new(
            organisation_id=self.org.pk,
            case_id=case.pk,  # as in _assignment
            unit_id=case.unit_id,
            start_date=start,
            target_date=rules.target_date(start, self.s.settings),
            legal_deadline=rules.legal_deadline(start, self.s.settings),
        )

    def _close(self, work: _Work, inv: Investigation | None, closed, outcome, main_id: int | None) -> None:
        if inv is not None and inv.closed_on is None and outcome:
            inv.closed_on, inv.outcome, inv.closed_by_handler_id = closed, outcome, main_id
            if closed > inv.deadline:
                inv.overrun_reason = self.s.texts.get("overrun", "")
            work.investigation_fields |= {"closed_on", "outcome", "closed_by_handler", "overrun_reason"}
            if self.s.build:
                texts = self.s.texts
                detail = texts["closed"] % {"date": closed, "outcome": texts[f"outcome:{outcome}"]}
                work.events.append((CaseEvent.Kind.INVESTIGATION_CLOSED, detail))

    def _opened_event(self, work: _Work, inv: Investigation) -> None:
        if self.s.build:
            detail = self.s.texts["opened"] % {"target": inv.target_date, "legal": inv.legal_deadline}
            work.events.append((CaseEvent.Kind.INVESTIGATION_OPENED, detail))

    def _assigned_event(self, work: _Work, main_id: int | None, co_id: int | None) -> None:
        if not self.s.build:
            return
        names, texts = self.s.names, self.s.texts
        detail = texts["assigned"] % {"main": names.get(main_id, "–"), "co": names.get(co_id) or texts["none"]}
        work.events.append((CaseEvent.Kind.ASSIGNED, f"{detail} {texts['reason']}"))

    def _create(self, number, kind, outcome, received, opened, closed) -> tuple[str, _Work | None]:
        for key in ("number", "kind", "received", "opened", "main", "co", "closed", "outcome"):
            if self.row.get(key):
                self.changes[key] = ("", self.row[key])
        if received is None and not self.row.get("received"):
            self.errors.append(_("A new case needs its received date."))
        if not self.row.get("main"):
            self.errors.append(_("A new case needs its main handler: the case belongs to the main handler's unit."))
            return Action.CREATE, None
        self._dates_check(received, opened, closed)
        main = self._person("main", None, closed=bool(closed))
        if main is None:
            return Action.CREATE, None
        if main.unit_id is None or (main.pk, main.unit_id) not in self.s.case_workers:
            self.errors.append(
                _("%(field)s: %(value)s is not a social worker in the case's unit.")
                % {"field": self._label("main"), "value": main.number}
            )
            return Action.CREATE, None
        self._in_scope(main.unit_id)
        co = self._person("co", main.unit_id, closed=bool(closed))
        if co is not None and co.pk == main.pk:
            self.errors.append(_("The main handler and the co-handler must be different people."))
        if not closed:
            self._levels_check(main, bool(self.row.get("co")), 1)
        self._outcome_check(closed, outcome, investigation=bool(opened))
        if self.errors or received is None or not self.s.build:
            return Action.CREATE, None
        case = self.s.make[Case].new(
            organisation_id=self.org.pk,
            number=number,
            unit_id=main.unit_id,
            kind=kind or Case.Kind.INVESTIGATION,
            opened_on=received,
            status=Case.Status.CLOSED if closed else Case.Status.OPEN,
            closed_on=closed,
        )
        work = _Work(case=case, new_case=True, events=[(CaseEvent.Kind.CREATED, number)])
        start = opened or received
        for role, person in ((Assignment.Role.MAIN, main), (Assignment.Role.CO, co)):
            if person is not None:
                work.new_assignments.append(
                    self._assignment(case, person.pk, role, start, max(closed, start) if closed else None)
                )
        self._assigned_event(work, main.pk, co.pk if co else None)
        if opened:
            work.investigation, work.new_investigation = self._investigation(case, opened), True
            self._opened_event(work, work.investigation)
            if closed:
                self._close(work, work.investigation, closed, outcome, main.pk)
        return Action.CREATE, work

    def _existing(self, case: Case, kind, outcome, received, opened, closed) -> tuple[str, _Work | None]:
        s = self.s
        inv = s.investigations.get(case.pk)
        current = s.current.get(case.pk, {})
        self._in_scope(case.unit_id)
        work = _Work(case=case)
        if kind and kind != case.kind:
            self.changes["kind"] = (str(case.get_kind_display()), self.row["kind"])
            case.kind = kind
            work.case_fields.add("kind")
        if received and received != case.opened_on:
            self.changes["received"] = (case.opened_on.isoformat(), received.isoformat())
            case.opened_on = received
            work.case_fields.add("opened_on")
        start = inv.start_date if inv is not None else None
        self._dates_check(received or case.opened_on, opened or start, closed)

        if case.status == Case.Status.CLOSED:
            held_outcome = inv.outcome if inv is not None else ""
            if closed is None:
                self.changes["closed"] = (case.closed_on.isoformat() if case.closed_on else "", "")
                self.conflicts.append(_("The case is closed in Stabil but open in the file: it is not reopened."))
            elif closed != case.closed_on or (outcome and held_outcome and outcome != held_outcome):
                if closed != case.closed_on:
                    self.changes["closed"] = (case.closed_on.isoformat() if case.closed_on else "", closed.isoformat())
                if outcome and outcome != held_outcome:
                    self.changes["outcome"] = (held_outcome, outcome)
                self.conflicts.append(_("The case was closed in Stabil with another date or outcome than the file's."))
            if opened and start and opened != start:
                self.changes["opened"] = (start.isoformat(), opened.isoformat())
                self.conflicts.append(_("The investigation of this closed case started on another date in Stabil."))
            return Action.UPDATE if work.case_fields else Action.UNCHANGED, work

        running = inv if inv is not None and inv.closed_on is None else None
        if opened:
            if running is not None and running.start_date != opened:
                self.changes["opened"] = (running.start_date.isoformat(), opened.isoformat())
                if running.extended_until is not None:
                    self.conflicts.append(
                        _("An extension was decided in Stabil on the investigation's present start date.")
                    )
                else:
                    running.start_date = opened
                    running.target_date = rules.target_date(opened, s.settings)
                    running.legal_deadline = rules.legal_deadline(opened, s.settings)
                    work.investigation = running
                    work.investigation_fields |= {"start_date", "target_date", "legal_deadline"}
                    self._opened_event(work, running)
            elif running is None and (inv is None or inv.start_date != opened):
                self.changes["opened"] = ("", opened.isoformat())
                running = self._investigation(case, opened)
                work.investigation, work.new_investigation = running, True
                self._opened_event(work, running)
        if closed:
            held_main = current.get(Assignment.Role.MAIN)
            self.changes["closed"] = ("", closed.isoformat())
            if outcome:
                self.changes["outcome"] = ("", self.row["outcome"])
            self._outcome_check(closed, outcome, investigation=running is not None)
            if running is not None and work.investigation is None:
                work.investigation = running
            self._close(work, running, closed, outcome, held_main.staff_id if held_main else None)
            for a in current.values():
                a.end = max(closed, a.start)
                work.end_assignments.append(a)
            case.status, case.closed_on = Case.Status.CLOSED, max(closed, case.opened_on)
            case.version += 1
            work.case_fields |= {"status", "closed_on", "version"}
            return Action.END, work
        self._handlers(case, work, current)
        changed = work.case_fields or work.investigation_fields or work.new_investigation or work.new_assignments
        return Action.UPDATE if changed else Action.UNCHANGED, work

    def _handlers(self, case: Case, work: _Work, current: dict[str, Assignment]) -> None:
        result: dict[str, int | None] = {
            r: (a.staff_id if a else None) for r, a in ((r, current.get(r)) for r in ("main", "co"))
        }
        moved: dict[str, _Person] = {}
        for role, key in ((Assignment.Role.MAIN, "main"), (Assignment.Role.CO, "co")):
            wanted = self.row.get(key, "")
            if not wanted:
                continue  # an empty cell never removes a handler
            held = current.get(role)
            if held is not None and held.employee_number == wanted:
                continue
            self.changes[key] = (held.employee_number if held else "", wanted)
            if held is not None and held.reason != IMPORT_REASON:
                self.conflicts.append(
                    _("%(field)s: the handler was assigned in Stabil, the file names another.")
                    % {"field": self._label(key)}
                )
                continue
            person = self._person(key, case.unit_id, closed=False)
            if person is not None:
                moved[role] = person
                result[role] = person.pk
        if not moved or self.errors or self.conflicts:
            return
        if result["main"] is not None and result["main"] == result["co"]:
            self.errors.append(_("The main handler and the co-handler must be different people."))
            return
        if "main" in moved:
            self._levels_check(moved["main"], result["co"] is not None, case.weight)
            if self.errors:
                return
        on = self.s.today
        for role, person in moved.items():
            old = current.get(role)
            if old is not None:
                old.end = max(on, old.start)
                work.end_assignments.append(old)
            work.new_assignments.append(self._assignment(case, person.pk, role, on, None))
        if case.status == Case.Status.AWAITING_ALLOCATION and result["main"] is not None:
            case.status = Case.Status.OPEN
            work.case_fields.add("status")
        case.version += 1
        work.case_fields.add("version")
        self._assigned_event(work, result["main"], result["co"])


CASE_IMPORT = CaseImport()
