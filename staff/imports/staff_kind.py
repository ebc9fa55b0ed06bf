"""The staff import (issue 19): staff records from the HR and payroll system's export, matched by employee number.

A row is *create* (no record has the number), *update* (a mapped, non-empty cell differs from the record),
*end* (the file gives an end date to someone without one) or *unchanged*. An empty cell changes nothing: a
record is never emptied by a file, and a person missing from the file is left as they are. A new FTE holds from
today (or from the employment start when that is later), as on the person page (staff.services.employment_extent_set),
so a month already priced keeps its FTE.

Planning reads the organisation's units and staff once, whatever the number of rows; the apply writes with bulk
statements and their history rows under the reason "import": on PostgreSQL one statement a table and kind of
write, the history rows written by the database from the rows just written (staff.platform.bulk), elsewhere
simple-history's bulk functions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.access import Access
from staff.imports import parse
from staff.imports.kinds import Action, Field, Progress, Row, RowPlan, action_counts, bulk_args
from staff.models import EmploymentExtent, Organisation, Role, StaffMember, Unit
from staff.platform.bulk import create_columns_with_history, create_with_history, update_with_history

BATCH = 1000

FIELDS = (
    Field(
        "employee_number",
        gettext_lazy("employee number"),
        required=True,
        help_text=gettext_lazy("Rows are matched with the staff records by it."),
        aliases=("anstnr", "anställningsnummer", "anstallningsnummer", "personalnummer", "anst nr", "empno"),
    ),
    Field("first_name", gettext_lazy("first name"), aliases=("förnamn", "fornamn", "tilltalsnamn", "givenname")),
    Field("last_name", gettext_lazy("last name"), aliases=("efternamn", "surname", "familyname")),
    Field("email", gettext_lazy("e-mail"), aliases=("epost", "e-post", "e-postadress", "mail", "emailaddress")),
    Field(
        "unit",
        gettext_lazy("unit"),
        help_text=gettext_lazy("The unit's name as it is in Stabil."),
        aliases=("enhet", "enhetsnamn", "organisationsenhet", "avdelning/enhet"),
    ),
    Field("title", gettext_lazy("title"), aliases=("befattning", "titel", "yrke", "tjänstebenämning")),
    Field(
        "fte",
        gettext_lazy("FTE"),
        help_text=gettext_lazy("0,75, 0.75 or 75 %."),
        aliases=("sysselsättningsgrad", "syssgrad", "tjänstgöringsgrad", "omfattning", "arbetstid %"),
    ),
    Field(
        "employment_start",
        gettext_lazy("employment start"),
        help_text=gettext_lazy("Needed for a new person."),
        aliases=("anställningsdatum", "anstallningsdatum", "startdatum", "anställd från", "from", "fromdatum"),
    ),
    Field(
        "employment_end",
        gettext_lazy("employment end"),
        aliases=("slutdatum", "avgångsdatum", "anställd till", "tom", "tomdatum", "till"),
    ),
)
TEXT_FIELDS = ("first_name", "last_name", "email", "title")
LIMITS = {f: StaffMember._meta.get_field(f).max_length for f in (*TEXT_FIELDS, "employee_number")}


@dataclass
class _Plan(RowPlan):
    values: dict | None = field(default=None, repr=False, compare=False)  # the row's values, when it has no error


# What a new person needs, translated only for a row that lacks it (most rows have everything).
_NEEDED = {
    "first_name": gettext_lazy("A new person needs a first name."),
    "last_name": gettext_lazy("A new person needs a last name."),
    "employment_start": gettext_lazy("A new person needs an employment start."),
}


class StaffKind:
    key = "staff"
    label = gettext_lazy("Staff")
    fields = FIELDS

    def may_import(self, staff: StaffMember) -> bool:
        return Access.load(staff).has_any(Role.ORG_ADMIN, Role.HR)

    def screen(self, row: Row) -> str | None:
        return None  # a staff row names its person: that is what it is for

    # --- planning ----------------------------------------------------------------------------------------------

    def plan(self, *, organisation: Organisation, rows: Sequence[tuple[int, Row]], progress: Progress) -> list[RowPlan]:
        today = timezone.localdate()
        units = _units(organisation)
        existing: dict[str, list[StaffMember]] = {}
        for member in StaffMember.objects.filter(organisation=organisation).exclude(employee_number=""):
            existing.setdefault(member.employee_number, []).append(member)
        first_row: dict[str, int] = {}
        repeated: set[str] = set()
        for number, row in rows:
            key = row.get("employee_number", "")
            if key in first_row:
                repeated.add(key)
            first_row.setdefault(key, number)
        plans = []
        for done, (number, row) in enumerate(rows, start=1):
            plans.append(self._plan_row(number, row, existing, units, repeated, first_row, today))
            progress(done)
        return plans

    def _plan_row(self, number, row, existing, units, repeated, first_row, today) -> RowPlan:
        key = row.get("employee_number", "")
        plan = _Plan(row=number, action=Action.ERROR, key=key[: LIMITS["employee_number"]])
        errors = plan.errors
        if not key:
            errors.append(_("The employee number is missing."))
        elif len(key) > LIMITS["employee_number"]:
            errors.append(
                _("The employee number is longer than %(max)s characters.") % {"max": LIMITS["employee_number"]}
            )
        elif key in repeated:
            errors.append(
                _("The employee number %(number)s is in the file more than once (first on row %(row)s).")
                % {"number": key, "row": first_row[key]}
            )
        matches = existing.get(key, [])
        if len(matches) > 1:
            errors.append(_("Several staff records have the employee number %(number)s.") % {"number": key})
        values = _values(row, units, errors)
        member = matches[0] if len(matches) == 1 else None
        start = values.get("employment_start", member.employment_start if member else None)
        end = values.get("employment_end", member.employment_end if member else None)
        if start and end and end < start:
            errors.append(_("The end date is before the employment start."))
        if member is None and not errors:
            errors.extend(str(text) for name, text in _NEEDED.items() if name not in values)
        if errors:
            return plan
        plan.values = values
        if member is None:
            plan.action = Action.CREATE
            plan.changes = {name: ("", _shown(value)) for name, value in values.items()}
            return plan
        for name, value in values.items():
            held = member.unit_id if name == "unit" else getattr(member, name)
            wanted = value.pk if name == "unit" else value
            if held != wanted:
                before = units.by_id.get(held, "") if name == "unit" else held
                plan.changes[name] = (_shown(before), _shown(value))
        if not plan.changes:
            plan.action = Action.UNCHANGED
        elif "employment_end" in plan.changes and member.employment_end is None:
            plan.action = Action.END
        else:
            plan.action = Action.UPDATE
        return plan

    # --- applying ----------------------------------------------------------------------------------------------

    def apply(
        self,
        *,
        organisation: Organisation,
        rows: Sequence[tuple[int, Row]],
        plans: Sequence[RowPlan],
        by: StaffMember | None,
    ) -> dict[str, int]:
        today = timezone.localdate()
        units = _units(organisation)
        by_row = dict(rows)
        writes = [p for p in plans if p.action in (Action.CREATE, Action.UPDATE, Action.END)]
        counts = action_counts(plans)
        if not writes:
            return counts
        history = bulk_args(by, BATCH)

        # New people, and their first FTE period from the employment start.
        new = [(p.key, _checked_values(p, by_row[p.row], units)) for p in writes if p.action == Action.CREATE]
        if new:
            _create(organisation, new, by, history)

        # Changed people: the record's fields in one bulk update, a new FTE as a period from today.
        changed = {p.key: p for p in writes if p.action != Action.CREATE}
        if changed:
            members = list(
                StaffMember.objects.filter(organisation=organisation, employee_number__in=list(changed)).select_related(
                    "user"
                )
            )
            fields: set[str] = set()
            fte_changes: dict[int, Decimal] = {}
            users, edited = [], []
            for member in members:
                p = changed[member.employee_number]
                values = _checked_values(p, by_row[p.row], units)
                for name in p.changes:
                    if name == "fte":
                        fte_changes[member.pk] = values["fte"]
                        continue
                    setattr(member, name, values[name])
                    fields.add(name)
                if set(p.changes) - {"fte"}:
                    edited.append(member)
                _check(member, fte=values.get("fte"))
                if member.user_id and {"first_name", "last_name", "email"} & set(p.changes):
                    member.user.first_name, member.user.last_name = member.first_name, member.last_name
                    member.user.email = member.email
                    users.append(member.user)
            if edited:
                update_with_history(StaffMember, edited, sorted(fields), **history)
            if users:
                get_user_model().objects.bulk_update(users, ["first_name", "last_name", "email"], batch_size=BATCH)
            if fte_changes:
                _fte_from_today(organisation, [m for m in members if m.pk in fte_changes], fte_changes, by, today)
        return counts


_CREATED = ("first_name", "last_name", "email", "unit", "title", "fte", "employment_start", "employment_end")


def _checked_values(plan: RowPlan, row: Row, units: _Units) -> dict:
    """The row's values for apply: those its plan read (the framework's apply plans again in its transaction and
    hands those plans over), or read again. Either way without errors: the plan checked the model's rules
    (lengths, e-mail, FTE range, dates), and the database holds the ones it can (lengths, FTE range, end after
    start) as constraints."""
    if getattr(plan, "values", None) is not None:
        return plan.values
    errors: list[str] = []
    values = _values(row, units, errors)
    if errors:
        raise RuntimeError(f"a row planned without errors has errors in apply: {errors}")
    return values


def _create(organisation: Organisation, people: list[tuple[str, dict]], by: StaffMember | None, history) -> None:
    """The new people (employee number, values) as columns, no model instance a row (staff.platform.bulk), each
    with its first FTE period from the employment start, and a history row of each."""
    meta, count = StaffMember._meta, len(people)
    columns: dict[str, list] = {"organisation_id": [organisation.pk] * count, "employee_number": [k for k, _ in people]}
    for name in _CREATED:
        model_field = meta.get_field(name)
        default = model_field.get_default()
        if name == "unit":
            columns[model_field.attname] = [v["unit"].pk if "unit" in v else default for _k, v in people]
        else:
            columns[model_field.attname] = [v.get(name, default) for _k, v in people]
    ids = create_columns_with_history(StaffMember, columns, **history)
    extents = {
        "organisation_id": columns["organisation_id"],
        "staff_id": ids,
        "fte": columns["fte"],
        "valid_from": columns["employment_start"],
        "created_by_id": [by.pk if by is not None else None] * count,
    }
    create_columns_with_history(EmploymentExtent, extents, **history)


def _check(member: StaffMember, fte: Decimal | None = None) -> None:
    """The model's own rules (no queries: foreign keys and uniqueness are the database's)."""
    held = member.fte
    member.fte = held if fte is None else fte
    try:
        member.full_clean(
            exclude=["organisation", "user", "unit", "manager"], validate_unique=False, validate_constraints=False
        )
    finally:
        member.fte = held


def _fte_from_today(organisation, members, ftes: dict[int, Decimal], by, today: dt.date) -> None:
    """As employment_extent_set for many people at once: the new FTE holds from today (the employment start if
    later); later periods give way; a person without periods first gets one with the FTE held so far."""
    history = bulk_args(by, BATCH)
    ids = [m.pk for m in members]
    starts = {m.pk: max(today, m.employment_start) for m in members}
    periods = list(EmploymentExtent.objects.filter(organisation=organisation, staff_id__in=ids))
    later = [p.pk for p in periods if p.valid_from > starts[p.staff_id]]
    if later:
        for period in EmploymentExtent.objects.filter(organisation=organisation, pk__in=later):
            period.delete()  # one by one, so each removal keeps its history row (rare: a period set ahead)
    with_periods = {p.staff_id for p in periods}
    at_start = {p.staff_id: p for p in periods if p.valid_from == starts[p.staff_id]}
    new, update = [], []
    for m in members:
        if m.pk not in with_periods and m.employment_start < starts[m.pk]:
            new.append(EmploymentExtent(organisation=organisation, staff=m, fte=m.fte, valid_from=m.employment_start))
        if m.pk in at_start:
            period = at_start[m.pk]
            period.fte, period.created_by = ftes[m.pk], by
            update.append(period)
        else:
            new.append(
                EmploymentExtent(
                    organisation=organisation, staff=m, fte=ftes[m.pk], valid_from=starts[m.pk], created_by=by
                )
            )
    create_with_history(EmploymentExtent, new, **history)
    if update:
        update_with_history(EmploymentExtent, update, ["fte", "created_by"], **history)
    # StaffMember.fte is the FTE valid today: a change from a later employment start waits for that day.
    current = [m for m in members if starts[m.pk] <= today]
    for m in current:
        m.fte = ftes[m.pk]
    if current:
        update_with_history(StaffMember, current, ["fte"], **history)


class _Units:
    def __init__(self, units: list[Unit]):
        self.by_name = {u.name.casefold(): u for u in units}
        self.by_id = {u.pk: u.name for u in units}


def _units(organisation: Organisation) -> _Units:
    return _Units(list(Unit.objects.filter(organisation=organisation).only("pk", "name")))


_LABELS = {f.key: f.label for f in FIELDS}


def _label(name: str):
    """The field's label, translated when it is shown (a lazy text: the rows without errors never need it)."""
    return _LABELS[name]


def _shown(value) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, Unit):
        return value.name
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_EMAIL_USER = re.compile(validate_email.user_regex.pattern, re.IGNORECASE)


def _is_email(text: str) -> bool:
    """Django's validate_email, with its answer for a domain remembered (an HR export has few domains)."""
    if not text or "@" not in text or len(text) > 320:
        return False
    user, domain = text.rsplit("@", 1)
    return bool(_EMAIL_USER.match(user)) and _email_domain(domain)


@lru_cache(maxsize=1024)
def _email_domain(domain: str) -> bool:
    try:
        validate_email("a@" + domain)
    except ValidationError:
        return False
    return True


def _values(row: Row, units: _Units, errors: list[str]) -> dict:
    """The row's non-empty mapped cells as the record's values; each bad cell adds an error."""
    values: dict = {}
    for name in TEXT_FIELDS:
        text = row.get(name, "")
        if not text:
            continue
        if len(text) > LIMITS[name]:
            errors.append(
                _("%(field)s is longer than %(max)s characters.") % {"field": _label(name), "max": LIMITS[name]}
            )
            continue
        if name == "email" and not _is_email(text):
            errors.append(_("E-mail: “%(value)s” is not an e-mail address.") % {"value": text[:60]})
            continue
        values[name] = text
    unit = row.get("unit", "")
    if unit:
        found = units.by_name.get(unit.casefold())
        if found is None:
            errors.append(_("Unit: there is no unit “%(value)s” in Stabil.") % {"value": unit[:60]})
        else:
            values["unit"] = found
    if row.get("fte"):
        try:
            values["fte"] = parse.share(row["fte"], _label("fte"))
        except ValueError as exc:
            errors.append(str(exc))
    for name in ("employment_start", "employment_end"):
        if row.get(name):
            try:
                values[name] = parse.date(row[name], _label(name))
            except ValueError as exc:
                errors.append(str(exc))
    return values


STAFF = StaffKind()
