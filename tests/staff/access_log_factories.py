"""Access-log rows written straight into the table, for review and export tests."""

from __future__ import annotations

import datetime

from staff.platform.audit.models import AccessLogEntry


def shown_ids(rows, kind: str | None = None) -> set[int]:
    """The ids of every object the rows showed (of `kind`, if given): a row holds all of its request's."""
    return {object_id for row in rows for k, object_id, _unit in row.shown() if kind is None or k == kind}


def log_row(world, reader: str, *, kind: str, object_id: int, unit, at: datetime.datetime, status: int = 200, **extra):
    person = world.people[reader]
    return AccessLogEntry.objects.create(
        organisation=person.organisation,
        actor=person,
        user_id=person.user_id,
        kind=kind,
        object_id=object_id,
        unit=unit,
        channel=extra.pop("channel", "page"),
        url_name=extra.pop("url_name", "caseload:case_detail" if kind == "case" else "competence:staff_detail"),
        method="GET",
        status=status,
        address=extra.pop("address", "10.0.0.1"),
        at=at,
        **extra,
    )


def log_row_showing(world, reader: str, objects: list[tuple[str, int, int | None]], **fields) -> AccessLogEntry:
    """A row of one request that showed several objects ((kind, id, unit id) each)."""
    person = world.people[reader]
    fields = {"channel": "page", "url_name": "caseload:my_caseload", "method": "GET", "status": 200, **fields}
    row = AccessLogEntry.showing(objects, organisation_id=person.organisation_id, actor_id=person.pk, **fields)
    row.user_id = person.user_id
    row.save()
    return row
