"""Tertial ids of the API ("2026-T2") and the organisation's tertials with their status."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from rest_framework import exceptions

from staff.models import Organisation

from ..models import SurveyRound
from ..tertials import Tertial

MIN_YEAR = 2000
MAX_YEARS_AHEAD = 1
_ID = re.compile(r"^(\d{4})-T(\d)$", re.ASCII)


def year_range(today: datetime.date) -> tuple[int, int]:
    return MIN_YEAR, today.year + MAX_YEARS_AHEAD


def parse_year(raw: str, *, today: datetime.date, field: str = "year") -> int:
    low, high = year_range(today)
    if not re.fullmatch(r"\d{4}", raw or "", re.ASCII) or not low <= int(raw) <= high:
        raise exceptions.ValidationError(
            {field: [_("Give a year from %(low)s to %(high)s, for example 2026.") % {"low": low, "high": high}]}
        )
    return int(raw)


def parse_tertial_id(raw: str, *, today: datetime.date) -> Tertial:
    """'2026-T2' -> Tertial(2026, 2); anything else is a 400 with a clear message."""
    match = _ID.match(raw or "")
    if not match or not 1 <= int(match.group(2)) <= 3:
        raise exceptions.ValidationError(
            {"tertial": [_("Give the tertial as YYYY-Tn with n 1, 2 or 3, for example 2026-T2.")]}
        )
    parse_year(match.group(1), today=today, field="tertial")
    return Tertial(int(match.group(1)), int(match.group(2)))


def tertial_id(tertial: Tertial) -> str:
    return f"{tertial.year}-T{tertial.number}"


def status_of(tertial: Tertial, today: datetime.date) -> str:
    if tertial.end < today:
        return "closed"
    if tertial.start <= today:
        return "open"
    return "upcoming"


@dataclass(frozen=True)
class TertialRow:
    tertial: Tertial
    status: str
    survey_status: str | None  # the survey round's status, None when there is no round

    @property
    def id(self) -> str:
        return tertial_id(self.tertial)

    @property
    def year(self) -> int:
        return self.tertial.year

    @property
    def number(self) -> int:
        return self.tertial.number

    @property
    def start(self) -> datetime.date:
        return self.tertial.start

    @property
    def end(self) -> datetime.date:
        return self.tertial.end


def organisation_tertials(
    *, organisation: Organisation, today: datetime.date, status: str | None = None, year: int | None = None
) -> list[TertialRow]:
    """From the first survey round's year (or this year) to the next tertial, newest first, in one query."""
    rounds = {
        (r.year, r.tertial): r.status
        for r in SurveyRound.objects.filter(organisation=organisation).only("year", "tertial", "status")
    }
    first_year = min([y for y, _t in rounds] + [today.year])
    last = Tertial.of(today).next()
    rows, cursor = [], Tertial(first_year, 1)
    while cursor <= last:
        rows.append(TertialRow(cursor, status_of(cursor, today), rounds.get((cursor.year, cursor.number))))
        cursor = cursor.next()
    rows = [r for r in rows if (status is None or r.status == status) and (year is None or r.year == year)]
    return rows[::-1]
