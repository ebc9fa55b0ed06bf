"""Calendar helpers: months are calendar months (start + 24 months), never 30-day blocks."""

from __future__ import annotations

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_bounds(first: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(first.year, first.month)[1]
    return first.replace(day=1), first.replace(day=last)
