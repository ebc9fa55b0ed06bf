"""The rule of absences that both the absence pages and the absence import keep (docs/domain.md, capacity)."""

from __future__ import annotations

import datetime


def first_day_over_full(others, *, start: datetime.date, end: datetime.date, extent: int) -> datetime.date | None:
    """The first day of start..end on which `extent` and the extents of the `others` ((start, end, extent)) that
    cover it add up to more than 100 %, else None. Absences of one person may overlap (a 50 % parental leave and
    a 50 % sick leave), and capacity adds their extents day by day (caseload.selectors.load.absent_share); a day
    can never be more than wholly lost."""
    changes: dict[datetime.date, int] = {}
    for other_start, other_end, other_extent in others:
        first, last = max(other_start, start), min(other_end, end)
        if first > last:
            continue
        changes[first] = changes.get(first, 0) + other_extent
        after = last + datetime.timedelta(days=1)
        changes[after] = changes.get(after, 0) - other_extent
    total = extent
    if total > 100:
        return start
    for day in sorted(changes):
        total += changes[day]
        if total > 100:
            return day
    return None
