"""The absence import (issue 19): sick leave, parental leave, vacation and other absence from the HR system's
export. A row is matched with an absence by (person, kind, start): the same row again is *unchanged*, a new end
or extent is an *update*, anything else a *create*. Absences missing from the file are left as they are.

The kind is read from the HR systems' Swedish words: "sjuk…" is sick leave, "föräldra…" parental leave,
"semester" vacation, anything else other absence.

The apply writes with one statement a kind of write and the history rows in the database on PostgreSQL
(staff.platform.bulk), elsewhere with simple-history's bulk functions, under the reason "import".
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.absences.rules import first_day_over_full
from staff.access import Access
from staff.imports import parse
from staff.imports.files import normalised
from staff.imports.kinds import Action, Field, Progress, Row, RowPlan, action_counts, bulk_args
from staff.models import Absence, Organisation, Role, StaffMember
from staff.platform.bulk import create_with_history, update_with_history

BATCH = 1000

FIELDS = (
    Field(
        "employee_number",
        gettext_lazy("employee number"),
        required=True,
        aliases=("anstnr", "anställningsnummer", "anstallningsnummer", "personalnummer", "anst nr"),
    ),
    Field(
        "kind",
        gettext_lazy("kind of absence"),
        help_text=gettext_lazy("Sjuk, föräldraledig, semester; anything else is other absence."),
        aliases=("frånvarotyp", "franvarotyp", "orsak", "frånvaroorsak", "typ", "kind"),
    ),
    Field("start", gettext_lazy("from"), required=True, aliases=("fromdatum", "från", "startdatum", "from datum")),
    Field("end", gettext_lazy("until"), required=True, aliases=("tomdatum", "till", "slutdatum", "tom", "tom datum")),
    Field(
        "extent",
        gettext_lazy("extent (%)"),
        help_text=gettext_lazy("Empty is 100 %."),
        aliases=("omfattning", "omfattning %", "procent", "frånvarograd", "extent"),
    ),
)


def absence_kind(text: str) -> str:
    word = normalised(text)
    if word in {"", "other", "annan", "övrig", "ovrig"}:
        return Absence.Kind.OTHER
    if word.startswith("sjuk") or word == "sick":
        return Absence.Kind.SICK
    if word.startswith(("föräldra", "foraldra")) or word == "parental":
        return Absence.Kind.PARENTAL
    if word.startswith("semester") or word == "vacation":
        return Absence.Kind.VACATION
    return Absence.Kind.OTHER


class AbsenceKind:
    key = "absences"
    label = gettext_lazy("Absences")
    fields = FIELDS

    def may_import(self, staff: StaffMember) -> bool:
        return Access.load(staff).has_any(Role.ORG_ADMIN, Role.HR)

    def screen(self, row: Row) -> str | None:
        return None

    def plan(self, *, organisation: Organisation, rows: Sequence[tuple[int, Row]], progress: Progress) -> list[RowPlan]:
        staff: dict[str, list[int]] = {}
        for pk, number in (
            StaffMember.objects.filter(organisation=organisation)
            .exclude(employee_number="")
            .values_list("pk", "employee_number")
        ):
            staff.setdefault(number, []).append(pk)
        held = {
            (a.staff_id, a.kind, a.start): a
            for a in Absence.objects.filter(organisation=organisation).only(
                "pk", "staff_id", "kind", "start", "end", "extent"
            )
        }
        periods: dict[int, list[tuple]] = {}  # person -> (start, end, match key, row or None, extent) held or planned
        for a in held.values():
            periods.setdefault(a.staff_id, []).append((a.start, a.end, (a.staff_id, a.kind, a.start), None, a.extent))
        seen: dict[tuple, int] = {}
        plans = []
        for done, (number, row) in enumerate(rows, start=1):
            plans.append(self._plan_row(number, row, staff, held, seen, periods))
            progress(done)
        return plans

    def _plan_row(self, number, row, staff, held, seen, periods) -> RowPlan:
        key = row.get("employee_number", "")
        plan = RowPlan(row=number, action=Action.ERROR, key=key[:50])
        values = _values(row, plan.errors)
        matches = staff.get(key, [])
        if not key:
            plan.errors.append(_("The employee number is missing."))
        elif not matches:
            plan.errors.append(_("No staff record has the employee number %(number)s.") % {"number": key[:50]})
        elif len(matches) > 1:
            plan.errors.append(_("Several staff records have the employee number %(number)s.") % {"number": key[:50]})
        if plan.errors:
            return plan
        match = (matches[0], values["kind"], values["start"])
        if match in seen:
            plan.errors.append(
                _("The same absence (person, kind and start) is in the file more than once (first on row %(row)s).")
                % {"row": seen[match]}
            )
            return plan
        seen[match] = number
        # Absences of one person add up to at most 100 % a day (as on the absence pages): with the absences Stabil
        # holds (the one this row matches aside, which it replaces) and the other rows of the file.
        mine = periods.setdefault(match[0], [])
        others = [p for p in mine if p[2] != match]
        day = first_day_over_full(
            ((p[0], p[1], p[4]) for p in others), start=values["start"], end=values["end"], extent=values["extent"]
        )
        if day is not None:
            start, end, _key, row_number, _extent = next(p for p in others if p[0] <= day <= p[1])
            where = (
                _("row %(row)s of the file") % {"row": row_number}
                if row_number
                else _("an absence %(start)s–%(end)s in Stabil") % {"start": start, "end": end}
            )
            plan.errors.append(
                _("The absence overlaps %(other)s: together they are more than 100 %% on %(day)s.")
                % {"other": where, "day": day.isoformat()}
            )
            return plan
        mine[:] = [*others, (values["start"], values["end"], match, number, values["extent"])]
        absence = held.get(match)
        shown = {"kind": values["kind"], "start": values["start"].isoformat(), "end": values["end"].isoformat()}
        if absence is None:
            plan.action = Action.CREATE
            plan.changes = {name: ("", str(v)) for name, v in {**shown, "extent": values["extent"]}.items()}
            return plan
        if absence.end != values["end"]:
            plan.changes["end"] = (absence.end.isoformat(), shown["end"])
        if absence.extent != values["extent"]:
            plan.changes["extent"] = (str(absence.extent), str(values["extent"]))
        plan.action = Action.UPDATE if plan.changes else Action.UNCHANGED
        return plan

    def apply(
        self,
        *,
        organisation: Organisation,
        rows: Sequence[tuple[int, Row]],
        plans: Sequence[RowPlan],
        by: StaffMember | None,
    ) -> dict[str, int]:
        counts = action_counts(plans)
        writes = [p for p in plans if p.action in (Action.CREATE, Action.UPDATE)]
        if not writes:
            return counts
        by_row = dict(rows)
        staff = dict(
            StaffMember.objects.filter(
                organisation=organisation, employee_number__in={p.key for p in writes}
            ).values_list("employee_number", "pk")
        )
        new, changed = [], {}
        for p in writes:
            values = _values(by_row[p.row], [])
            absence = Absence(organisation=organisation, staff_id=staff[p.key], **values)
            absence.full_clean(exclude=["organisation", "staff"], validate_unique=False, validate_constraints=False)
            if p.action == Action.CREATE:
                new.append(absence)
            else:
                changed[(absence.staff_id, absence.kind, absence.start)] = absence
        history = bulk_args(by, BATCH)
        create_with_history(Absence, new, **history)
        if changed:
            held = [
                a
                for a in Absence.objects.filter(organisation=organisation, staff_id__in={k[0] for k in changed})
                if (a.staff_id, a.kind, a.start) in changed
            ]
            for a in held:
                wanted = changed[(a.staff_id, a.kind, a.start)]
                a.end, a.extent = wanted.end, wanted.extent
            update_with_history(Absence, held, ["end", "extent"], **history)
        return counts


def _values(row: Row, errors: list[str]) -> dict:
    values: dict = {"kind": absence_kind(row.get("kind", ""))}
    for name, label in (("start", _("From")), ("end", _("Until"))):
        text = row.get(name, "")
        if not text:
            errors.append(_("%(field)s is missing.") % {"field": label})
            continue
        try:
            values[name] = parse.date(text, label)
        except ValueError as exc:
            errors.append(str(exc))
    if "start" in values and "end" in values and values["end"] < values["start"]:
        errors.append(_("The end date is before the start date."))
    try:
        values["extent"] = parse.percent(row["extent"], _("Extent")) if row.get("extent") else 100
    except ValueError as exc:
        errors.append(str(exc))
    return values


ABSENCES = AbsenceKind()
