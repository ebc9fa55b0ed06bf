"""Calendar helpers: months are calendar months (start + 24 months), never 30-day blocks."""

from __future__ import annotations

import calendar
import datetime

from staff.dates import add_months

__all__ = ["add_months", "month_bounds"]


def month_bounds(first: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(first.year, first.month)[1]
    return first.replace(day=1), first.replace(day=last)
