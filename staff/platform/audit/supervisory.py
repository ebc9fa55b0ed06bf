"""The export for a supervisory request (tillsynsbegäran, IVO or IMY): everything Stabil holds about one case
number or one person over a date range, as a zip of one JSON file (for machines), and a workbook with a sheet
per table and one CSV file per table (for people).

A person: their staff record and its change history, their roles, what they read (the access log), who read
their record, the security events about their login, and what the apps above staff add (`person_part`: the
cases they handled). A case: registered by the caseload app from its
`trust.py` (`case_export(find=..., tables=...)`), so staff never imports caseload: the case, its history rows,
its handlers, investigations and events, and every access-log row that showed it. The period is whole days in
Stockholm time, its first and last day included. Cases carry numbers, never a client's name or personal
identity number: nothing here can add one.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone

from staff.models import Absence, EmploymentExtent, GroupMembership, Organisation, RoleAssignment, StaffMember
from staff.platform.audit.models import AccessLogEntry, SecurityEvent, object_key, shown
from staff.platform.exports import csv_bytes, xlsx_book_bytes

FORMAT_VERSION = 1


@dataclass
class Table:
    name: str  # the CSV file's name without .csv, and the JSON key
    columns: list[str]
    rows: list[list] = field(default_factory=list)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[first day 00:00, the day after the last 00:00) in Stockholm time."""
        tz = ZoneInfo(settings.TIME_ZONE)
        after = self.end + datetime.timedelta(days=1)
        return datetime.datetime.combine(self.start, datetime.time(), tz), datetime.datetime.combine(
            after, datetime.time(), tz
        )

    def at(self, prefix: str = "at") -> dict:
        start, end = self.bounds
        return {f"{prefix}__gte": start, f"{prefix}__lt": end}


@dataclass(frozen=True)
class CaseExport:
    # (organisation, case number) -> the case (an object with pk and unit_id), or None
    find: Callable[[Organisation, str], models.Model | None]
    # (organisation, case, period) -> its tables
    tables: Callable[[Organisation, models.Model, Period], list[Table]]


_case_export: list[CaseExport] = []
# (organisation, staff member, period) -> more tables of a person's export, from the apps above staff
_person_parts: dict[str, Callable[[Organisation, StaffMember, Period], list[Table]]] = {}


def case_export(*, find, tables) -> None:
    """Called by the app that holds cases (caseload/trust.py)."""
    _case_export[:] = [CaseExport(find=find, tables=tables)]


def person_part(name: str, tables: Callable[[Organisation, StaffMember, Period], list[Table]]) -> None:
    """An app's tables about a person (e.g. caseload: the cases they handled), added to a person's export."""
    _person_parts[name] = tables


_case_parts: dict[str, Callable[[Organisation, models.Model, Period], list[Table]]] = {}


def case_part(name: str, tables: Callable[[Organisation, models.Model, Period], list[Table]]) -> None:
    """Another app's tables about a case (e.g. intake: the reports and applications that led to it), added to
    a case's export after the case app's own."""
    _case_parts[name] = tables


def case_tables(organisation: Organisation, case: models.Model, period: Period) -> list[Table]:
    provider = case_provider()
    tables = provider.tables(organisation, case, period) if provider else []
    for part in _case_parts.values():
        tables.extend(part(organisation, case, period))
    return tables


def case_provider() -> CaseExport | None:
    return _case_export[0] if _case_export else None


def _value(value):
    if isinstance(value, datetime.datetime):  # Stockholm time with its offset: 2026-12-04T09:31:07+01:00
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def model_table(name: str, queryset: models.QuerySet, *, exclude: Iterable[str] = ()) -> Table:
    """The rows of `queryset` with every concrete field but `exclude` (ids for foreign keys), in id order."""
    skip = {"organisation", *exclude}
    fields = [f for f in queryset.model._meta.concrete_fields if f.name not in skip]
    columns = [f.attname for f in fields]
    return Table(name, columns, [list(row) for row in queryset.order_by("pk").values_list(*columns)])


HISTORY_COLUMNS = ["history_id", "history_date", "history_type", "history_user_id", "history_change_reason"]


def history_table(name: str, model: type[models.Model], organisation: Organisation, period: Period, **lookup) -> Table:
    """The change history (django-simple-history) of `model`'s rows matching `lookup`, written in the period:
    who changed what when (`history_type` + created, ~ changed, - deleted), each row the values after it."""
    historical = model.history.model
    tracked = {f.attname for f in model._meta.concrete_fields}
    fields = [f.attname for f in historical._meta.concrete_fields if f.attname in tracked and f.name != "organisation"]
    rows = (
        historical.objects.filter(organisation_id=organisation.pk, **lookup, **period.at("history_date"))
        .order_by("history_date", "history_id")
        .values_list(*HISTORY_COLUMNS, *fields)
    )
    return Table(name, [*HISTORY_COLUMNS, *fields], [list(r) for r in rows])


ACCESS_COLUMNS = [
    "entry_id",
    "at",
    "staff_id",
    "user_id",
    "channel",
    "url_name",
    "url_ids",
    "method",
    "status",
    "address",
    "purpose",
    "kind",
    "object_id",
    "unit_id",
]


def access_table(name: str, rows: models.QuerySet[AccessLogEntry], *, only: str | None = None) -> Table:
    """Access-log rows, oldest first, a line per object shown (as the access-log export), or only the line of
    the object `only` ("case:12") when the rows are about it. Refused requests (status 400 or more) too."""
    table = Table(name, ACCESS_COLUMNS)
    columns = ["pk", "at", "actor_id", "user_id", "channel", "url_name", "url_ids", "method", "status", "address"]
    for *row, purpose, objects in rows.order_by("at", "pk").values_list(*columns, "purpose", "objects_shown"):
        objects = shown(objects) or [(None, None, None)]
        for kind, object_id, unit_id in objects:
            if only is not None and object_key(kind, object_id) != only:
                continue
            table.rows.append([*row, purpose, kind, object_id, unit_id])
    return table


def reads_of(name: str, organisation: Organisation, kind: str, object_id: int, period: Period) -> Table:
    """Who read the object when: every access-log row of the period that showed it (refused attempts too)."""
    key = object_key(kind, object_id)
    rows = AccessLogEntry.objects.filter(organisation=organisation, objects_shown__has_key=key, **period.at())
    return access_table(name, rows, only=key)


def person_rows(
    name: str, model: type[models.Model], organisation: Organisation, member: StaffMember, period: Period
) -> list[Table]:
    """A table of the person's rows of `model` (all of them: the periods of employment extent, absences, ...) and
    one of their changes made in the period: `<name>` and `<name>_history`."""
    return [
        model_table(name, model.objects.filter(organisation=organisation, staff=member)),
        history_table(f"{name}_history", model, organisation, period, staff_id=member.pk),
    ]


def person_tables(organisation: Organisation, member: StaffMember, period: Period) -> list[Table]:
    logs = AccessLogEntry.objects.filter(organisation=organisation, **period.at())
    events = SecurityEvent.objects.filter(organisation=organisation, **period.at())
    login = member.user_id
    return [
        model_table("staff_record", StaffMember.objects.filter(organisation=organisation, pk=member.pk)),
        history_table("staff_record_history", StaffMember, organisation, period, id=member.pk),
        model_table("role_assignments", RoleAssignment.objects.filter(organisation=organisation, staff=member)),
        *person_rows("employment_extents", EmploymentExtent, organisation, member, period),
        *person_rows("absences", Absence, organisation, member, period),
        *person_rows("group_memberships", GroupMembership, organisation, member, period),
        access_table("read_by_person", logs.filter(actor_id=member.pk)),
        reads_of("reads_of_record", organisation, "staff", member.pk, period),
        model_table(
            "security_events",
            events.filter(models.Q(user_id=login) | models.Q(actor_user_id=login)) if login else events.none(),
        ),
        *(table for _name, part in sorted(_person_parts.items()) for table in part(organisation, member, period)),
    ]


def people_table(organisation: Organisation, tables: list[Table]) -> Table:
    """The staff records the other tables name (by staff_id, actor_id, ...): id, name, unit, for people reading
    the CSV files. Staff only: no client is ever a row of Stabil."""
    ids: set[int] = set()
    for table in tables:
        for i, column in enumerate(table.columns):
            if column in STAFF_COLUMNS:
                ids.update(row[i] for row in table.rows if isinstance(row[i], int))
    rows = StaffMember.objects.filter(organisation=organisation, pk__in=ids).order_by("pk")
    return Table(
        "people",
        ["staff_id", "first_name", "last_name", "unit_id", "user_id"],
        [list(r) for r in rows.values_list("pk", "first_name", "last_name", "unit_id", "user_id")],
    )


STAFF_COLUMNS = frozenset(
    {"staff_id", "actor_id", "manager_id", "assigned_by_id", "decided_by_id", "closed_by_handler_id", "mentor_id"}
)


def _sheet_value(value):
    """For the workbook and the CSV files: times as in the JSON (an xlsx cell holds no time zone), dates and
    numbers left to staff.platform.exports (dates as dates, decimal comma)."""
    return _value(value) if isinstance(value, datetime.datetime) else value


def export_zip(*, meta: dict, tables: list[Table]) -> bytes:
    """export.json (meta and every table), export.xlsx (a sheet per table) and a CSV per table, made as every
    table report of the site (staff.platform.exports: semicolon, UTF-8 with BOM, formula cells quoted)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        document = {
            "format": FORMAT_VERSION,
            **meta,
            "tables": {t.name: [dict(zip(t.columns, map(_value, row), strict=True)) for row in t.rows] for t in tables},
        }
        archive.writestr("export.json", json.dumps(document, ensure_ascii=False, indent=1, default=str))
        sheets = [(t.name, [t.columns, *([_sheet_value(v) for v in row] for row in t.rows)]) for t in tables]
        archive.writestr("export.xlsx", xlsx_book_bytes(sheets))
        for table in tables:
            archive.writestr(
                f"{table.name}.csv", csv_bytes([table.columns, *([_sheet_value(v) for v in r] for r in table.rows)])
            )
    return buffer.getvalue()


def export_meta(*, organisation: Organisation, made_by: StaffMember, subject: dict, period: Period) -> dict:
    return {
        "organisation_id": organisation.pk,
        "organisation_slug": organisation.slug,
        "subject": subject,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "made_at": _value(timezone.now()),
        "made_by_staff_id": made_by.pk,
    }
