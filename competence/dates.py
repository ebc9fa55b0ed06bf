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


def parse_month(value: str | None) -> datetime.date | None:
    """'2026-03' -> date(2026, 3, 1); anything else (a year outside staff.formtools' range too) -> None."""
    from staff.formtools import sane_year

    if not value or len(value) != 7 or value[4] != "-":
        return None
    try:
        month = datetime.date(int(value[:4]), int(value[5:]), 1)
    except ValueError:
        return None
    return month if sane_year(month.year) else None
