"""The monthly supplement report (payroll export): days on each level, FTE and amount, per person.

How one day is priced, with the amount, FTE and terms valid on that day, is in pricing.py. This module
assembles months, and keeps a paid month as it was paid:

- A month that is not frozen is computed from today's data. It also carries the **corrections** of the
  frozen months just before it: for each such month and person, what the month comes to now minus what
  was exported for it (its stored rows, and the corrections already paid in later frozen months). So a
  backdated change of a frozen month shows once, in the first month after it that is not frozen, with the
  exact difference in kronor and what changed (FTE, terms, amounts, or level and employment).
- A frozen month (exported by payroll, HR or the organisation admin, as CSV or through the API once it has
  ended, or approved by them: services/supplements.py) shows its stored rows, its corrections included,
  whatever changes later. Freezing is for the whole organisation: payroll pays one report. A unit manager's
  or department head's export of her part freezes nothing, and the running month exports as preliminary.
- Consultants are not on the payroll: their cost is listed, always computed from today's data.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember

from ..dates import add_months, month_bounds
from ..models import LadderLevel, LevelPlacement, SupplementMonth, SupplementMonthRow
from .pricing import Pricing, changed_parts

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

REASONS = {
    "fte": lambda: _("changed FTE"),
    "terms": lambda: _("changed supplement terms"),
    "rates": lambda: _("changed supplement amount"),
    "placement": lambda: _("changed level or employment period"),
}


def reason_text(codes: Iterable[str]) -> str:
    return ", ".join(REASONS[code]() for code in codes if code in REASONS)


@dataclass
class SupplementRow:
    staff: StaffMember
    level: LadderLevel
    days: int
    fte: Decimal
    amount: Decimal
    unit_name: str = ""
    unit_id: int | None = None


@dataclass
class CorrectionRow:
    """A change of a frozen month, paid in this month: the difference in kronor and why."""

    staff: StaffMember
    corrects: datetime.date
    amount: Decimal
    reasons: tuple[str, ...]
    unit_name: str = ""
    unit_id: int | None = None

    @property
    def reason(self) -> str:
        return reason_text(self.reasons)


@dataclass
class ConsultantRow:
    staff: StaffMember
    months: Decimal
    monthly_cost: Decimal
    cost: Decimal


@dataclass
class SupplementReport:
    month: datetime.date
    rows: list[SupplementRow] = field(default_factory=list)
    corrections: list[CorrectionRow] = field(default_factory=list)
    consultants: list[ConsultantRow] = field(default_factory=list)
    frozen: SupplementMonth | None = None

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in [*self.rows, *self.corrections]), ZERO)

    @property
    def consultant_total(self) -> Decimal:
        return sum((c.cost for c in self.consultants), ZERO)

    @property
    def consultant_months(self) -> Decimal:
        return sum((c.months for c in self.consultants), ZERO)

    @property
    def unit_total_rows(self) -> list[dict]:
        return [{"unit": unit, "amount": amount} for unit, amount in self.unit_totals]

    @property
    def unit_totals(self) -> list[tuple[str, Decimal]]:
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for row in [*self.rows, *self.corrections]:
            totals[row.unit_name] += row.amount
        return sorted(totals.items())


# --- months as plain values: the engine of the report and of the tertial report's costs ----------------


@dataclass
class PricedRow:
    staff_id: int
    unit_id: int | None
    unit_name: str
    level_id: int | None
    days: int
    fte: Decimal | None
    amount: Decimal
    corrects: datetime.date | None = None
    reasons: tuple[str, ...] = ()


@dataclass
class PricedMonth:
    month: datetime.date
    frozen: SupplementMonth | None
    rows: list[PricedRow]
    corrections: list[PricedRow]
    signature: str = ""  # the amounts and terms in force, of a month computed from today's data


def _placements(organisation: Organisation, first: datetime.date, last: datetime.date, unit_ids) -> list[tuple]:
    employed = Q(staff__employment_start__lte=last) & (
        Q(staff__employment_end__isnull=True) | Q(staff__employment_end__gte=first)
    )
    qs = (
        LevelPlacement.objects.filter(organisation=organisation, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .filter(employed)
        .exclude(staff__employment_type=StaffMember.EmploymentType.CONSULTANT)
        .order_by("staff__unit__name", "staff__last_name", "staff__first_name", "staff_id", "start")
    )
    if unit_ids is not None:
        qs = qs.filter(staff__unit_id__in=unit_ids)
    return list(
        qs.values_list(
            "staff_id",
            "staff__unit_id",
            "staff__unit__name",
            "staff__fte",
            "staff__employment_start",
            "staff__employment_end",
            "level_id",
            "start",
            "end",
        )
    )


def _live(
    organisation: Organisation, months: list[datetime.date], unit_ids, lowest_level_id
) -> tuple[dict[datetime.date, list[PricedRow]], dict[datetime.date, str]]:
    """Each month's rows from today's data (rounded per person, level and FTE), in five queries for all."""
    if not months:
        return {}, {}
    bounds = {m: month_bounds(m) for m in months}
    placements = _placements(organisation, bounds[months[0]][0], bounds[months[-1]][1], unit_ids)
    pricing = Pricing(
        organisation=organisation,
        until=bounds[months[-1]][1],
        staff_ids={p[0] for p in placements},
        lowest_level_id=lowest_level_id,
    )
    result: dict[datetime.date, list[PricedRow]] = {}
    for month, (first, last) in bounds.items():
        days_in_month = (last - first).days + 1
        rows: dict[tuple, PricedRow] = {}
        for staff_id, unit_id, unit_name, fte, hired, leaves, level_id, placed, until in placements:
            start, end = max(placed, first, hired), min(until or last, last, leaves or last)
            if end < start:
                continue
            for piece in pricing.price(
                staff_id=staff_id,
                fallback_fte=fte,
                level_id=level_id,
                placed=placed,
                start=start,
                end=end,
                days_in_month=days_in_month,
            ):
                key = (staff_id, level_id, piece.fte)
                if key not in rows:
                    rows[key] = PricedRow(staff_id, unit_id, unit_name or "", level_id, 0, piece.fte, Decimal("0"))
                rows[key].days += piece.days
                rows[key].amount += piece.amount
        for row in rows.values():
            row.amount = row.amount.quantize(CENT, rounding=ROUND_HALF_UP)
        result[month] = list(rows.values())
    return result, {m: pricing.signature(*bounds[m]) for m in months}


STORED = ("staff_id", "unit_id", "unit_name", "level_id", "days", "fte", "amount", "corrects", "reasons")


def _stored(organisation: Organisation, months: list[datetime.date], unit_ids) -> dict[datetime.date, list]:
    """The stored rows of frozen months, by month, in their exported order (one query)."""
    if not months:
        return {}
    qs = SupplementMonthRow.objects.filter(organisation=organisation, frozen_month__month__in=months)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    result: dict[datetime.date, list[PricedRow]] = defaultdict(list)
    for month, *values in qs.order_by("frozen_month__month", "position").values_list("frozen_month__month", *STORED):
        row = PricedRow(*values)
        row.reasons = tuple(filter(None, row.reasons.split(",")))
        result[month].append(row)
    return result


@dataclass
class _Paid:
    """What was exported for one person and frozen month: its rows and the corrections paid later."""

    unit_id: int | None = None
    unit_name: str = ""
    rows: list[tuple[int | None, Decimal | None, int]] = field(default_factory=list)
    amount: Decimal = ZERO


def _paid(organisation: Organisation, months: list[datetime.date], unit_ids) -> dict[tuple, _Paid]:
    """{(frozen month, staff_id): _Paid} for the months to correct (one query)."""
    if not months:
        return {}
    qs = SupplementMonthRow.objects.filter(organisation=organisation).filter(
        Q(frozen_month__month__in=months, corrects__isnull=True) | Q(corrects__in=months)
    )
    if unit_ids is not None:
        qs = qs.filter(staff__unit_id__in=unit_ids)  # the person's unit now, as the rows computed today
    paid: dict[tuple, _Paid] = {}
    for month, corrects, staff_id, unit_id, unit_name, level_id, fte, days, amount in qs.values_list(
        "frozen_month__month", "corrects", "staff_id", "staff__unit_id", "staff__unit__name", "level_id", "fte",
        "days", "amount",
    ):  # fmt: skip
        entry = paid.setdefault((corrects or month, staff_id), _Paid(unit_id, unit_name or ""))
        entry.amount += amount
        if corrects is None:
            entry.rows.append((level_id, fte, days))
    return paid


def _reasons(now: list[PricedRow], before: list[tuple], changed: set[str]) -> tuple[str, ...]:
    days_now, days_before = Counter(), Counter()
    fte_now, fte_before = Counter(), Counter()
    for row in now:
        days_now[row.level_id] += row.days
        fte_now[(row.level_id, row.fte)] += row.days
    for level_id, fte, days in before:
        days_before[level_id] += days
        fte_before[(level_id, fte)] += days
    reasons = []
    if {f for _level, f in fte_now} != {f for _level, f in fte_before} or (
        days_now == days_before and fte_now != fte_before
    ):
        reasons.append("fte")
    reasons += [part for part in ("terms", "rates") if part in changed]
    if days_now != days_before or not reasons:
        reasons.append("placement")
    return tuple(reasons)


def _corrections(
    month: datetime.date, now: list[PricedRow], paid: dict[tuple, _Paid], frozen: SupplementMonth, signature: str
) -> list[PricedRow]:
    """For each person, frozen `month` as it comes to now minus what was paid for it, where they differ."""
    by_staff: dict[int, list[PricedRow]] = {}
    for row in now:
        by_staff.setdefault(row.staff_id, []).append(row)
    staff_ids = list(by_staff) + [s for m, s in paid if m == month and s not in by_staff]
    changed = changed_parts(frozen.terms, signature)
    corrections = []
    for staff_id in staff_ids:
        rows, before = by_staff.get(staff_id, []), paid.get((month, staff_id), _Paid())
        difference = sum((r.amount for r in rows), ZERO) - before.amount
        if difference:
            unit_id, unit_name = (rows[0].unit_id, rows[0].unit_name) if rows else (before.unit_id, before.unit_name)
            reasons = _reasons(rows, before.rows, changed)
            corrections.append(PricedRow(staff_id, unit_id, unit_name, None, 0, None, difference, month, reasons))
    return corrections


def priced_months(
    *,
    organisation: Organisation,
    months: Iterable[datetime.date],
    unit_ids: Iterable[int] | None = None,
    lowest_level_id: int | None | bool = False,
) -> dict[datetime.date, PricedMonth]:
    """Each month as the report shows it: stored if frozen; else from today's data with the corrections of
    the frozen months just before it. At most nine queries for any number of months and people (the
    ladder's lowest level is read unless given)."""
    months = sorted({m.replace(day=1) for m in months})
    if not months:
        return {}
    unit_ids = None if unit_ids is None else list(unit_ids)
    frozen = {f.month: f for f in SupplementMonth.objects.filter(organisation=organisation, month__lte=months[-1])}
    corrected: dict[datetime.date, list[datetime.date]] = {}
    for month in months:
        if month not in frozen:
            back, corrected[month] = add_months(month, -1), []
            while back in frozen:
                corrected[month].append(back)
                back = add_months(back, -1)
    to_correct = sorted({m for ms in corrected.values() for m in ms})
    live, signatures = _live(organisation, sorted(set(corrected) | set(to_correct)), unit_ids, lowest_level_id)
    stored = _stored(organisation, [m for m in months if m in frozen], unit_ids)
    paid = _paid(organisation, to_correct, unit_ids)
    result = {}
    for month in months:
        if month in frozen:
            rows = stored.get(month, [])
            result[month] = PricedMonth(
                month, frozen[month], [r for r in rows if r.corrects is None], [r for r in rows if r.corrects]
            )
        else:
            corrections = [
                c for m in corrected[month] for c in _corrections(m, live[m], paid, frozen[m], signatures[m])
            ]
            result[month] = PricedMonth(month, None, live[month], corrections, signatures[month])
    return result


# --- the report --------------------------------------------------------------------------------------


def _consultant_cost(monthly_cost: Decimal | None, days: int, days_in_month: int) -> tuple[Decimal, Decimal, Decimal]:
    """(months, monthly cost, cost) of a consultant's days in a month, rounded to the öre."""
    share = Decimal(days) / days_in_month
    cost = monthly_cost or Decimal("0")
    return share.quantize(CENT, rounding=ROUND_HALF_UP), cost, (cost * share).quantize(CENT, rounding=ROUND_HALF_UP)


def _consultants(organisation: Organisation, first: datetime.date, last: datetime.date, unit_ids):
    qs = StaffMember.objects.filter(
        organisation=organisation,
        employment_type=StaffMember.EmploymentType.CONSULTANT,
        employment_start__lte=last,
    ).filter(Q(employment_end__isnull=True) | Q(employment_end__gte=first))
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    return qs


def supplement_report(
    *, organisation: Organisation, month: datetime.date, unit_ids: Iterable[int] | None = None
) -> SupplementReport:
    """Amount = Σ amount valid on each day / days in month (× the FTE of the day when the terms of the day
    say so). The level-1 supplement stops after the months the terms allow. A frozen month shows what was
    exported; a month not frozen carries the corrections of the frozen months before it. Consultants are
    not on the payroll: they are listed with their cost (months in the month × monthly cost)."""
    first, last = month_bounds(month)
    unit_ids = None if unit_ids is None else list(unit_ids)
    levels = {level.pk: level for level in LadderLevel.objects.filter(organisation=organisation).order_by("number")}
    lowest = next(iter(levels), None)
    priced = priced_months(organisation=organisation, months=[first], unit_ids=unit_ids, lowest_level_id=lowest)
    priced = priced[first]
    everyone = [*priced.rows, *priced.corrections]
    people = StaffMember.objects.filter(organisation=organisation).in_bulk({r.staff_id for r in everyone})
    report = SupplementReport(month=first, frozen=priced.frozen)
    report.rows = [
        SupplementRow(people[r.staff_id], levels[r.level_id], r.days, r.fte, r.amount, r.unit_name, r.unit_id)
        for r in priced.rows
    ]
    report.corrections = [
        CorrectionRow(people[c.staff_id], c.corrects, c.amount, c.reasons, c.unit_name, c.unit_id)
        for c in priced.corrections
    ]
    days_in_month = (last - first).days + 1
    for person in (
        _consultants(organisation, first, last, unit_ids)
        .select_related("unit")
        .order_by("unit__name", "last_name", "first_name")
    ):
        start, end = max(person.employment_start, first), min(person.employment_end or last, last)
        cost = _consultant_cost(person.consultant_monthly_cost, (end - start).days + 1, days_in_month)
        report.consultants.append(ConsultantRow(person, *cost))
    return report


def unit_supplement_costs(
    *, organisation: Organisation, months: list[datetime.date], unit_ids: Iterable[int]
) -> dict[int, tuple[Decimal, Decimal]]:
    """{unit_id: (supplement cost, consultant cost)} summed over `months`, each month exactly as
    supplement_report computes it (frozen months as stored, corrections included), in a bounded number of
    queries for all the months together and without building model instances (the tertial report)."""
    if not months:
        return {}
    unit_ids = list(unit_ids)
    supplements: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for priced in priced_months(organisation=organisation, months=months, unit_ids=unit_ids).values():
        for row in [*priced.rows, *priced.corrections]:
            supplements[row.unit_id] += row.amount
    bounds = [month_bounds(m) for m in months]
    consultants = list(
        _consultants(organisation, bounds[0][0], bounds[-1][1], unit_ids).values_list(
            "unit_id", "employment_start", "employment_end", "consultant_monthly_cost"
        )
    )
    consultant_costs: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for first, last in bounds:
        days_in_month = (last - first).days + 1
        for unit_id, hired, leaves, monthly_cost in consultants:
            if hired > last or (leaves is not None and leaves < first):
                continue
            start, end = max(hired, first), min(leaves or last, last)
            consultant_costs[unit_id] += _consultant_cost(monthly_cost, (end - start).days + 1, days_in_month)[2]
    return {u: (supplements[u], consultant_costs[u]) for u in set(supplements) | set(consultant_costs)}
