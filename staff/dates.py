"""Calendar arithmetic for every rule counted in months or years: to the day, never days / 365.25.

The Swedish convention of Lag (1930:173) om beräkning av lagstadgad tid, 1 §: a period of months or
years ends on the day with the same number in the final month; when that month has no such day, on
its last day. So 31 January + 1 month = 28 (29) February, and 29 February 2020 + 5 years =
28 February 2025: a person who started on 29 February has five years on 28 February of a common year.
"""

from __future__ import annotations

import calendar
import datetime
import math
from decimal import Decimal

from django.utils.translation import ngettext

ONE_DAY = datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


def whole_months_between(start: datetime.date, on: datetime.date) -> int:
    """Completed calendar months from `start` to `on` (0 before the start)."""
    if on <= start:
        return 0
    months = (on.year - start.year) * 12 + on.month - start.month
    return months if add_months(start, months) <= on else months - 1


def whole_years_between(start: datetime.date, on: datetime.date) -> int:
    """Completed calendar years from `start` to `on`: the anniversary itself counts."""
    return whole_months_between(start, on) // 12


def months_in(years: Decimal | float | int) -> int:
    """A rule's years as whole calendar months; a fraction of a month is rounded up, never down."""
    return math.ceil(Decimal(str(years)) * 12)


def years_reached(start: datetime.date, on: datetime.date, *, years: Decimal | float | int) -> bool:
    return add_months(start, months_in(years)) <= on


def latest_start_for(on: datetime.date, *, months: int) -> datetime.date:
    """The last start date that has completed `months` calendar months on `on` (for database filters)."""
    start = add_months(on, -months)
    while add_months(start + ONE_DAY, months) <= on:
        start += ONE_DAY
    return start


def days_left_text(days: int) -> str:
    """ "5 days left", or past the date "47 days over" (never "-47 days left")."""
    if days < 0:
        return ngettext("%(n)s day over", "%(n)s days over", -days) % {"n": -days}
    return ngettext("%(n)s day left", "%(n)s days left", days) % {"n": days}
