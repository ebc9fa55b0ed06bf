"""Access-log rows written straight into the table, for review and export tests."""

from __future__ import annotations

import datetime

from staff.platform.audit.models import AccessLogEntry


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
