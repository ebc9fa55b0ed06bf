"""What prices a month, as it was valid on each of its days: supplement amounts, FTE and the ladder's terms.

The rule (issue 16): a month is priced day by day. Each day is paid with the supplement amount of the
person's level, the person's FTE and the organisation's terms (pro rata by FTE, months of level-1
supplement) valid on that day; the month's amount is the sum over its days divided by the days in the
month. This is the day-weighting the report already used for a level or an amount that changes within a
month, now applied to every value that prices a month. So a value valid from the 1st prices that whole
month and leaves the month before unchanged; valid from the 2nd, the 1st keeps the old value; valid from
the last day of the month before, that one day of the month before is priced with the new value. A person
whose FTE changes within a month gets one row per FTE (so many days at 0.75, so many at 0.50), just as a
level change already gives one row per level.

Each value holds from its valid-from date until the next one. Before a person's first recorded FTE
period the first period's FTE holds, and a person with no period at all has StaffMember.fte throughout;
before an organisation's first terms period its first period holds, and with none at all LadderSettings'
values hold. A level has no supplement before its first amount.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from staff.models import EmploymentExtent, Organisation

from ..dates import add_months
from ..models import PRICING_BEGINNING, LadderLevel, PricingPeriod, SupplementRate
from .ladder import ladder_settings

ONE_DAY = datetime.timedelta(days=1)
V = TypeVar("V")


@dataclass(frozen=True)
class Terms:
    pro_rata_by_fte: bool
    level1_supplement_months: int


def valid_on(periods: list[tuple[datetime.date, V]], day: datetime.date, before_first: V) -> V:
    """The value of the last period starting on or before `day` (periods sorted by date)."""
    value = before_first
    for start, period_value in periods:
        if start > day:
            break
        value = period_value
    return value


@dataclass(frozen=True)
class Piece:
    """Days of one placement in one month at one FTE: all days on the level, and the unrounded amount."""

    fte: Decimal
    days: int
    amount: Decimal


class Pricing:
    """The rates, terms and FTE periods of an organisation up to a date, read in three or four queries
    (the ladder's lowest level, which has the level-1 rule, is read unless given)."""

    def __init__(
        self,
        *,
        organisation: Organisation,
        until: datetime.date,
        staff_ids: Iterable[int],
        lowest_level_id: int | None | bool = False,
    ) -> None:
        self.rates: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        for level_id, valid_from, amount in (
            SupplementRate.objects.filter(organisation=organisation, valid_from__lte=until)
            .order_by("valid_from")
            .values_list("level_id", "valid_from", "amount")
        ):
            self.rates[level_id].append((valid_from, amount))
        periods = [
            (valid_from, Terms(pro_rata, months))
            for valid_from, pro_rata, months in PricingPeriod.objects.filter(organisation=organisation)
            .order_by("valid_from")
            .values_list("valid_from", "pro_rata_by_fte", "level1_supplement_months")
        ]
        if not periods:
            settings = ladder_settings(organisation=organisation)
            periods = [(PRICING_BEGINNING, Terms(settings.pro_rata_by_fte, settings.level1_supplement_months))]
        # The first period holds before it; the periods after `until` price nothing asked for.
        self.terms = [(PRICING_BEGINNING, periods[0][1])] + [p for p in periods[1:] if p[0] <= until]
        self.extents: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        self.first_extent: dict[int, Decimal] = {}
        for staff_id, valid_from, fte in (
            EmploymentExtent.objects.filter(organisation=organisation, staff_id__in=list(staff_ids))
            .order_by("staff_id", "valid_from")
            .values_list("staff_id", "valid_from", "fte")
        ):
            self.first_extent.setdefault(staff_id, fte)
            if valid_from <= until:
                self.extents[staff_id].append((valid_from, fte))
        if lowest_level_id is False:
            lowest_level_id = (
                LadderLevel.objects.filter(organisation=organisation)
                .order_by("number")
                .values_list("pk", flat=True)
                .first()
            )
        self.lowest_level_id = lowest_level_id
        self._priced: dict[tuple, list[Piece]] = {}  # price's pieces by what they depend on

    def fte_before_first(self, staff_id: int, fallback: Decimal) -> Decimal:
        return self.first_extent.get(staff_id, fallback)

    def price(
        self,
        *,
        staff_id: int,
        fallback_fte: Decimal,
        level_id: int,
        placed: datetime.date,
        start: datetime.date,
        end: datetime.date,
        days_in_month: int,
    ) -> list[Piece]:
        """The days [start, end] (within one month) on a level, split where an amount, the FTE or a term
        changes: one piece per FTE, in date order. The level-1 supplement stops after the months the
        terms of each day allow, counted from the placement's start.

        The pieces depend on the person only through their FTE periods, and on the placement's start only
        on the lowest level, so people on the same level and days with the same FTE share one computation
        (a unit of full-time staff on one level prices each month once). The list returned is shared: read it.
        """
        extents = self.extents.get(staff_id, [])
        fte_before = self.fte_before_first(staff_id, fallback_fte)
        key = (
            level_id,
            start,
            end,
            days_in_month,
            placed if level_id == self.lowest_level_id else None,
            ("staff", staff_id) if extents else str(fte_before),  # the FTE as written: 1.0 and 1.00 apart
        )
        pieces = self._priced.get(key)
        if pieces is None:
            pieces = self._priced[key] = self._price(level_id, extents, fte_before, placed, start, end, days_in_month)
        return pieces

    def _price(self, level_id, extents, fte_before, placed, start, end, days_in_month) -> list[Piece]:
        rates = self.rates.get(level_id, [])
        cuts = {start}
        for periods in (rates, extents, self.terms):
            cuts.update(d for d, _value in periods if start < d <= end)
        bounds = sorted(cuts)
        pieces: dict[Decimal, list] = {}
        for i, first in enumerate(bounds):
            last = bounds[i + 1] - ONE_DAY if i + 1 < len(bounds) else end
            rate = valid_on(rates, first, Decimal("0"))
            fte = valid_on(extents, first, fte_before)
            terms = valid_on(self.terms, first, self.terms[0][1])
            paid_until = last
            if level_id == self.lowest_level_id:
                paid_until = min(last, add_months(placed, terms.level1_supplement_months) - ONE_DAY)
            paid_days = max(0, (paid_until - first).days + 1)
            amount = rate * paid_days / days_in_month
            if terms.pro_rata_by_fte:
                amount *= fte
            piece = pieces.setdefault(fte, [0, Decimal("0")])
            piece[0] += (last - first).days + 1
            piece[1] += amount
        return [Piece(fte, days, amount) for fte, (days, amount) in pieces.items()]

    def signature(self, first: datetime.date, last: datetime.date) -> str:
        """The amounts and terms in force in [first, last], to tell later which of them changed."""
        rates = {
            str(level): [(d.isoformat(), str(amount)) for d, amount in in_force]
            for level, periods in sorted(self.rates.items())
            if (in_force := _in_force(periods, first, last))
        }
        terms = [
            (d.isoformat(), t.pro_rata_by_fte, t.level1_supplement_months)
            for d, t in _in_force(self.terms, first, last)
        ]
        return json.dumps({"rates": rates, "terms": terms}, sort_keys=True)


def _in_force(periods: list[tuple[datetime.date, V]], first: datetime.date, last: datetime.date):
    """The periods that hold on some day of [first, last]: the one in force on `first` and those after it."""
    start = valid_on([(d, d) for d, _value in periods], first, None)
    return [(d, v) for d, v in periods if d <= last and (d >= first or d == start)]


def changed_parts(before: str, after: str) -> set[str]:
    """Which of "rates" and "terms" differ between two signatures (an empty `before`: none known)."""
    if not before:
        return set()
    old, new = json.loads(before), json.loads(after)
    return {part for part in ("rates", "terms") if old.get(part) != new.get(part)}
