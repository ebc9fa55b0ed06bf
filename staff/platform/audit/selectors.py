"""Reads of the access log: the flags of the monthly review and the rows of an export."""

from __future__ import annotations

import datetime
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from staff.access import Access
from staff.models import MANAGER_ROLES, Organisation, Role, RoleAssignment, StaffMember, Unit
from staff.platform.audit.models import (
    AccessKind,
    AccessLogEntry,
    AccessLogSettings,
    AccessReview,
    SecurityEvent,
    object_key,
    shown,
)
from staff.platform.audit.registry import LOGGED

Flag = AccessReview.Flag
REVIEWER_ROLES = (*MANAGER_ROLES, Role.ORG_ADMIN)


@dataclass
class ReviewFlag:
    key: str
    flag: str
    actor_id: int
    object_id: int | None
    unit_id: int | None
    first_at: datetime.datetime
    last_at: datetime.datetime
    count: int
    actor: StaffMember | None = None
    review: AccessReview | None = None

    def get_flag_display(self) -> str:
        return Flag(self.flag).label

    @property
    def kind(self) -> str:
        return AccessKind.STAFF if self.flag == Flag.COLLEAGUE else AccessKind.CASE


def review_unit_ids(access: Access) -> frozenset[int] | None:
    """The units whose readers and cases a person reviews; None: the whole organisation."""
    return None if access.is_org_admin else access.managed_unit_ids


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return datetime.datetime.combine(start, datetime.time(), tz), datetime.datetime.combine(end, datetime.time(), tz)


@dataclass
class _Reach:
    """Which units' cases and staff records a reader's roles cover; None: all of them."""

    cases: set[int] | None
    records: set[int] | None


def _reach(organisation: Organisation, actor_ids: set[int]) -> dict[int, _Reach]:
    unit_department = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "department_id"))
    homes = dict(StaffMember.objects.filter(organisation=organisation, pk__in=actor_ids).values_list("pk", "unit_id"))
    reach = {a: _Reach(cases={homes[a]} if homes.get(a) else set(), records=set()) for a in actor_ids}
    rows = RoleAssignment.objects.filter(organisation=organisation, staff_id__in=actor_ids).values_list(
        "staff_id", "role", "unit_id", "department_id"
    )
    for staff_id, role, unit_id, department_id in rows:
        r = reach[staff_id]
        if role in (Role.ORG_ADMIN, Role.HR):
            r.cases = r.records = None
            continue
        units = {unit_id} if unit_id else {u for u, d in unit_department.items() if d == department_id}
        if r.cases is not None:
            r.cases |= units
        if r.records is not None and role in (*MANAGER_ROLES, Role.ADMINISTRATOR, Role.DEPARTMENT_HEAD):
            r.records |= units
    return reach


# The pages that open one case (named by the URL): only these count towards "many cases in a short time".
CASE_PAGES = frozenset(name for name, entry in LOGGED.items() if entry.kind == AccessKind.CASE and entry.pk)


def _outside(reach: _Reach, unit_id: int | None, which: str) -> bool:
    allowed = getattr(reach, which)
    return allowed is not None and unit_id not in allowed


def review_flags(
    *, organisation: Organisation, month: datetime.date, unit_ids: frozenset[int] | None
) -> list[ReviewFlag]:
    """Unusual access in a month: a case outside the reader's units, many cases in a short time,
    another person's staff record the reader's roles do not cover. Limited to `unit_ids`' readers
    and objects (None: all). Six queries, whatever the number of rows."""
    config = AccessLogSettings.for_org(organisation)
    start, end = month_bounds(month)
    rows = AccessLogEntry.objects.filter(
        organisation=organisation, at__gte=start, at__lt=end, actor__isnull=False, status__lt=400
    ).exclude(objects_shown={})
    if unit_ids is not None:
        if not unit_ids:
            return []
        rows = rows.filter(Q(units_shown__has_any_keys=[str(u) for u in unit_ids]) | Q(actor__unit_id__in=unit_ids))
    rows = [
        (actor_id, kind, object_id, unit_id, at, url_name)
        for actor_id, actor_unit_id, objects_shown, at, url_name in rows.order_by("at", "pk").values_list(
            "actor_id", "actor__unit_id", "objects_shown", "at", "url_name"
        )
        for kind, object_id, unit_id in shown(objects_shown)
        if kind in (AccessKind.CASE, AccessKind.STAFF)
        and (unit_ids is None or unit_id in unit_ids or actor_unit_id in unit_ids)
    ]
    reach = _reach(organisation, {r[0] for r in rows})
    label = month.strftime("%Y-%m")
    flags: dict[str, ReviewFlag] = {}

    def add(key, flag, actor_id, object_id, unit_id, at, count=1):
        found = flags.get(key)
        if found is None:
            flags[key] = ReviewFlag(key, flag, actor_id, object_id, unit_id, at, at, count)
        else:
            found.last_at, found.count = at, found.count + count

    per_actor_cases: dict[int, list[tuple[datetime.datetime, int]]] = defaultdict(list)
    for actor_id, kind, object_id, unit_id, at, url_name in rows:
        if kind == AccessKind.CASE:
            if url_name in CASE_PAGES:  # opened; a number listed on a list page, notification or e-mail is no burst
                per_actor_cases[actor_id].append((at, object_id))
            if _outside(reach[actor_id], unit_id, "cases"):
                add(f"outside_unit:{label}:{actor_id}:{object_id}", Flag.OUTSIDE_UNIT, actor_id, object_id, unit_id, at)
        elif object_id != actor_id and _outside(reach[actor_id], unit_id, "records"):
            add(f"colleague:{label}:{actor_id}:{object_id}", Flag.COLLEAGUE, actor_id, object_id, unit_id, at)
    window = datetime.timedelta(minutes=config.burst_minutes)
    for actor_id, opened in per_actor_cases.items():
        _bursts(actor_id, opened, window, config.burst_cases, flags)
    found = list(flags.values())
    actors = StaffMember.objects.filter(organisation=organisation, pk__in={f.actor_id for f in found})
    actors = {a.pk: a for a in actors.select_related("unit")}
    reviews = AccessReview.objects.filter(organisation=organisation, key__in=list(flags)).select_related("reviewed_by")
    reviews = {r.key: r for r in reviews}
    for f in found:
        f.actor, f.review = actors.get(f.actor_id), reviews.get(f.key)
    return found


def _bursts(actor_id, opened, window, threshold, flags) -> None:
    """At least `threshold` distinct cases within `window`: one flag per reader and day."""
    recent: deque[tuple[datetime.datetime, int]] = deque()
    counts: dict[int, int] = defaultdict(int)
    flagged_days: set[datetime.date] = set()
    for at, object_id in opened:
        recent.append((at, object_id))
        counts[object_id] += 1
        while recent and at - recent[0][0] > window:
            old_at, old_id = recent.popleft()
            counts[old_id] -= 1
            if not counts[old_id]:
                del counts[old_id]
        day = timezone.localtime(at).date()
        if len(counts) >= threshold and day not in flagged_days:
            flagged_days.add(day)
            key = f"many_cases:{day.isoformat()}:{actor_id}"
            flags[key] = ReviewFlag(key, Flag.MANY_CASES, actor_id, None, None, recent[0][0], at, len(counts))


SORTS = {
    "when": lambda f: f.first_at,
    "reader": lambda f: (f.actor.last_name, f.actor.first_name) if f.actor else ("", ""),
    "flag": lambda f: f.flag,
    "count": lambda f: f.count,
}


def sort_flags(flags: list[ReviewFlag], sort: str) -> list[ReviewFlag]:
    key = sort.lstrip("-")
    return sorted(flags, key=SORTS.get(key, SORTS["when"]), reverse=sort.startswith("-"))


# (CSV column, log field) of the export, in order; ids and codes only.
EXPORT_COLUMNS = (
    ("time", "at"),
    ("staff_id", "actor_id"),
    ("user_id", "user_id"),
    ("kind", "kind"),
    ("object_id", "object_id"),
    ("unit_id", "unit_id"),
    ("channel", "channel"),
    ("url_name", "url_name"),
    ("url_ids", "url_ids"),
    ("method", "method"),
    ("status", "status"),
    ("address", "address"),
    ("purpose", "purpose"),
    ("entry_id", "pk"),  # the lines of one request share it
    # A request of the organisation's directory (channel "scim") has no staff_id: the SCIM token and its name.
    ("scim_token_id", "scim_token_id"),
    ("scim_token", "scim_token__name"),
)


def export_rows(*, organisation: Organisation, start: datetime.date, end: datetime.date):
    """The log of [start, end] (local dates), oldest first, as tuples of ids and codes: a line per object
    a request showed (a request that showed none, e.g. a refused one, is one line with its own kind)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    since = datetime.datetime.combine(start, datetime.time(), tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tz)
    fields = [field for _column, field in EXPORT_COLUMNS]
    kind_at, object_at, unit_at = fields.index("kind"), fields.index("object_id"), fields.index("unit_id")
    rows = (
        AccessLogEntry.objects.filter(organisation=organisation, at__gte=since, at__lt=until)
        .order_by("at", "pk")
        .values_list(*fields, "objects_shown")
        .iterator(chunk_size=2000)
    )
    for *row, objects_shown in rows:
        objects = shown(objects_shown)
        if not objects:
            yield tuple(row)
        for kind, object_id, unit_id in objects:
            row[kind_at], row[object_at], row[unit_at] = kind, object_id, unit_id
            yield tuple(row)


def security_events(*, organisation: Organisation, kind: str = "") -> QuerySet[SecurityEvent]:
    """The organisation's refused requests, newest first. Events with no organisation (a tampered cookie
    of nobody known) are kept for the operators' logs and are not shown to any organisation."""
    events = SecurityEvent.objects.filter(organisation=organisation).order_by("-at", "-pk")
    return events.filter(kind=kind) if kind else events


def people_by_user(*, organisation: Organisation, user_ids: Iterable[int]) -> dict[int, StaffMember]:
    """The organisation's people for the given login ids, in one query (events keep the login id only)."""
    return {
        s.user_id: s
        for s in StaffMember.objects.filter(organisation=organisation, user_id__in=set(user_ids)).select_related("unit")
    }


def readers_of(*, organisation: Organisation, kind: str, object_id: int) -> QuerySet[AccessLogEntry]:
    """ "Who read case X": the log rows that showed one object, newest first. Every page, API response,
    notification and e-mail that shows a case number notes it (`audit.note`), and a row holds all that its
    request showed, so this finds them all. A refused request (403, 404, any status of 400 or more) showed
    nothing and is no read: `refused_reads_of` has those; an e-mail row has status 0 and is a read."""
    return _rows_of(organisation=organisation, kind=kind, object_id=object_id).filter(status__lt=400)


def refused_reads_of(*, organisation: Organisation, kind: str, object_id: int) -> QuerySet[AccessLogEntry]:
    """The refused attempts to read one object (status 400 or more), newest first."""
    return _rows_of(organisation=organisation, kind=kind, object_id=object_id).filter(status__gte=400)


def _rows_of(*, organisation: Organisation, kind: str, object_id: int) -> QuerySet[AccessLogEntry]:
    # `?` on PostgreSQL, answered by the GIN index of migration 0014; JSON_TYPE on SQLite.
    return AccessLogEntry.objects.filter(
        organisation=organisation, objects_shown__has_key=object_key(kind, object_id)
    ).order_by("-at", "-pk")
