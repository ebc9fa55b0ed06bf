"""Reads for the absences and groups pages: who may change them, a person's list, a unit's month."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import pgettext_lazy

from staff.access import Access
from staff.models import Absence, Group, GroupMembership, StaffMember, Unit


def may_manage(*, access: Access, member: StaffMember) -> bool:
    """The organisation admin, and a manager of the person's unit."""
    return access.is_org_admin or bool(member.unit_id and access.manages_unit(member.unit_id))


def may_manage_unit(*, access: Access, unit: Unit) -> bool:
    return access.is_org_admin or access.manages_unit(unit)


def person_absences(*, member: StaffMember) -> list[Absence]:
    return list(Absence.objects.filter(organisation_id=member.organisation_id, staff=member).order_by("-start", "pk"))


def person_memberships(*, member: StaffMember) -> list[GroupMembership]:
    return list(
        GroupMembership.objects.filter(organisation_id=member.organisation_id, staff=member)
        .select_related("group", "group__unit")
        .order_by("-start", "pk")
    )


def groups_for(*, access: Access, member: StaffMember):
    """The groups the person can be put in: the organisation's for its admin, the person's unit's for a manager."""
    groups = Group.objects.filter(organisation_id=member.organisation_id).select_related("unit")
    if not access.is_org_admin:
        groups = groups.filter(unit_id=member.unit_id)
    return groups.order_by("unit__name", "name")


# The short mark of each kind in the calendar's cells, explained by the legend under the table.
KIND_CODES = {
    Absence.Kind.SICK: pgettext_lazy("absence code", "S"),
    Absence.Kind.PARENTAL: pgettext_lazy("absence code", "P"),
    Absence.Kind.VACATION: pgettext_lazy("absence code", "V"),
    Absence.Kind.OTHER: pgettext_lazy("absence code", "O"),
}


@dataclass
class Cell:
    """A person's day: the absences that cover it (partial ones may overlap, up to 100 % together)."""

    day: datetime.date
    absences: list[Absence] = field(default_factory=list)

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5

    @property
    def code(self) -> str:
        return "+".join(str(KIND_CODES[a.kind]) for a in self.absences)

    @property
    def extent(self) -> int:
        return sum(a.extent for a in self.absences)

    @property
    def title(self) -> str:
        return "; ".join(f"{a.get_kind_display()}, {a.extent} %" for a in self.absences)


@dataclass
class Row:
    member: StaffMember
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Month:
    first: datetime.date
    days: list[datetime.date]
    rows: list[Row]
    kinds: list[tuple[str, str, str]]  # (code, label, value)

    @property
    def previous(self) -> datetime.date:
        return (self.first - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return self.first + datetime.timedelta(days=len(self.days))


def unit_month(*, unit: Unit, month: datetime.date) -> Month:
    """The unit's staff employed some day of the month, each with a cell per day: two queries in all."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    people = list(
        StaffMember.objects.filter(organisation_id=unit.organisation_id, unit=unit, employment_start__lte=last)
        .filter(Q(employment_end__isnull=True) | Q(employment_end__gte=first))
        .order_by("last_name", "first_name", "pk")
    )
    by_person: dict[int, list[Absence]] = {}
    for absence in Absence.objects.filter(
        organisation_id=unit.organisation_id, staff__in=[p.pk for p in people], start__lte=last, end__gte=first
    ).order_by("start"):
        by_person.setdefault(absence.staff_id, []).append(absence)
    rows = []
    for person in people:
        row = Row(member=person)
        absences = by_person.get(person.pk, [])
        for day in days:
            row.cells.append(Cell(day=day, absences=[a for a in absences if a.start <= day <= a.end]))
        rows.append(row)
    return Month(
        first=first, days=days, rows=rows, kinds=[(str(KIND_CODES[v]), label, v) for v, label in Absence.Kind.choices]
    )


def unit_people(*, unit: Unit, since: datetime.date):
    """The people an absence can be added for from the unit's calendar: its staff employed some day from `since`
    (the first day of the month shown, or today) on, so a planned leave of someone who starts next month, or a
    sick leave of last month for someone who has left since, can be registered too."""
    return (
        StaffMember.objects.filter(organisation_id=unit.organisation_id, unit=unit)
        .filter(Q(employment_end__isnull=True) | Q(employment_end__gte=since))
        .order_by("last_name", "first_name", "pk")
    )
