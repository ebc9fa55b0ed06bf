"""Tertials (T1 January–April, T2 May–August, T3 September–December) and their default schedule."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True, order=True)
class Tertial:
    year: int
    number: int  # 1, 2 or 3

    def __str__(self) -> str:
        return f"T{self.number} {self.year}"

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 4 * (self.number - 1) + 1, 1)

    @property
    def end(self) -> datetime.date:
        return self.next().start - datetime.timedelta(days=1)

    @property
    def last_month(self) -> int:
        return 4 * self.number

    def next(self) -> Tertial:
        return Tertial(self.year + 1, 1) if self.number == 3 else Tertial(self.year, self.number + 1)

    def previous(self) -> Tertial:
        return Tertial(self.year - 1, 3) if self.number == 1 else Tertial(self.year, self.number - 1)

    @classmethod
    def of(cls, day: datetime.date) -> Tertial:
        return cls(day.year, (day.month - 1) // 4 + 1)


def first_weekday_of_month(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, 1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def default_window(
    tertial: Tertial, *, open_hour: int = 8, open_days: int = 14
) -> tuple[datetime.datetime, datetime.datetime]:
    """Opens the first weekday of the tertial's last month at `open_hour` (Stockholm), closes `open_days` later."""
    day = first_weekday_of_month(tertial.year, tertial.last_month)
    opens_at = datetime.datetime.combine(day, datetime.time(open_hour), tzinfo=STOCKHOLM)
    return opens_at, opens_at + datetime.timedelta(days=open_days)
