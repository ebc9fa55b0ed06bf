"""The monthly supplement report (payroll export): days on each level, FTE and amount, per person."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from staff.models import Organisation, StaffMember

from ..dates import add_months, month_bounds
from ..models import LadderLevel, LevelPlacement, SupplementRate
from .ladder import ladder_settings

CENT = Decimal("0.01")
ONE_DAY = datetime.timedelta(days=1)


@dataclass
class SupplementRow:
    staff: StaffMember
    level: LadderLevel
    days: int
    fte: Decimal
    amount: Decimal

    @property
    def unit_name(self) -> str:
        return self.staff.unit.name if self.staff.unit_id else ""


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
    consultants: list[ConsultantRow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal("0.00"))

    @property
    def consultant_total(self) -> Decimal:
        return sum((c.cost for c in self.consultants), Decimal("0.00"))

    @property
    def consultant_months(self) -> Decimal:
        return sum((c.months for c in self.consultants), Decimal("0.00"))

    @property
    def unit_total_rows(self) -> list[dict]:
        return [{"unit": unit, "amount": amount} for unit, amount in self.unit_totals]

    @property
    def unit_totals(self) -> list[tuple[str, Decimal]]:
        totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        for row in self.rows:
            totals[row.unit_name] += row.amount
        return sorted(totals.items())


def _rate_periods(rates: list[SupplementRate], start: datetime.date, end: datetime.date):
    """Split [start, end] where the amount changes: yields (amount, days)."""
    cursor = start
    while cursor <= end:
        current = None
        following = None
        for rate in rates:  # sorted by valid_from
            if rate.valid_from <= cursor:
                current = rate
            elif following is None:
                following = rate
        stop = min(end, following.valid_from - ONE_DAY) if following else end
        yield (current.amount if current else Decimal("0")), (stop - cursor).days + 1
        cursor = stop + ONE_DAY


def _level1_end(settings, lowest_id: int | None, level_id: int, placed: datetime.date) -> datetime.date | None:
    """The last paid day of a level-1 placement (the supplement stops after the organisation's months)."""
    if lowest_id is None or level_id != lowest_id:
        return None
    return add_months(placed, settings.level1_supplement_months) - ONE_DAY


def _placement_amount(
    *,
    rates: list[SupplementRate],
    start: datetime.date,
    end: datetime.date,
    level1_end: datetime.date | None,
    days_in_month: int,
    fte: Decimal | None,
) -> Decimal:
    """Σ amount valid on each paid day of [start, end] / days in the month (× FTE unless None), unrounded."""
    paid_end = end if level1_end is None else min(end, level1_end)
    amount = Decimal("0")
    if paid_end >= start:
        for rate, days in _rate_periods(rates, start, paid_end):
            amount += rate * days / days_in_month
    if fte is not None:
        amount *= fte
    return amount


def _consultant_cost(monthly_cost: Decimal | None, days: int, days_in_month: int) -> tuple[Decimal, Decimal, Decimal]:
    """(months, monthly cost, cost) of a consultant's days in a month, rounded to the öre."""
    share = Decimal(days) / days_in_month
    cost = monthly_cost or Decimal("0")
    return share.quantize(CENT, rounding=ROUND_HALF_UP), cost, (cost * share).quantize(CENT, rounding=ROUND_HALF_UP)


def supplement_report(
    *, organisation: Organisation, month: datetime.date, unit_ids: Iterable[int] | None = None
) -> SupplementReport:
    """Amount = Σ amount valid on each day / days in month (× FTE when the organisation says so).

    The level-1 supplement stops after the organisation's maximum months on level 1. Consultants are
    not on the payroll: they are listed with their cost (months in the month × monthly cost).
    """
    first, last = month_bounds(month)
    days_in_month = (last - first).days + 1
    settings = ladder_settings(organisation=organisation)
    lowest = LadderLevel.objects.filter(organisation=organisation).order_by("number").first()
    rates: dict[int, list[SupplementRate]] = defaultdict(list)
    for rate in SupplementRate.objects.filter(organisation=organisation, valid_from__lte=last).order_by("valid_from"):
        rates[rate.level_id].append(rate)
    active = Q(staff__employment_start__lte=last) & (
        Q(staff__employment_end__isnull=True) | Q(staff__employment_end__gte=first)
    )
    placements = (
        LevelPlacement.objects.filter(organisation=organisation, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .filter(active)
        .exclude(staff__employment_type=StaffMember.EmploymentType.CONSULTANT)
        .select_related("staff", "staff__unit", "level")
        .order_by("staff__unit__name", "staff__last_name", "staff__first_name", "start")
    )
    if unit_ids is not None:
        placements = placements.filter(staff__unit_id__in=list(unit_ids))
    report = SupplementReport(month=first)
    rows: dict[tuple[int, int], SupplementRow] = {}
    for placement in placements:
        staff = placement.staff
        start = max(placement.start, first, staff.employment_start)
        end = min(placement.end or last, last, staff.employment_end or last)
        if end < start:
            continue
        amount = _placement_amount(
            rates=rates[placement.level_id],
            start=start,
            end=end,
            level1_end=_level1_end(settings, lowest.pk if lowest else None, placement.level_id, placement.start),
            days_in_month=days_in_month,
            fte=staff.fte if settings.pro_rata_by_fte else None,
        )
        key = (staff.pk, placement.level_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = SupplementRow(staff, placement.level, 0, staff.fte, Decimal("0"))
            report.rows.append(row)
        row.days += (end - start).days + 1
        row.amount += amount
    for row in report.rows:
        row.amount = row.amount.quantize(CENT, rounding=ROUND_HALF_UP)
    consultants = (
        StaffMember.objects.filter(
            organisation=organisation,
            employment_type=StaffMember.EmploymentType.CONSULTANT,
            employment_start__lte=last,
        )
        .filter(Q(employment_end__isnull=True) | Q(employment_end__gte=first))
        .select_related("unit")
        .order_by("unit__name", "last_name", "first_name")
    )
    if unit_ids is not None:
        consultants = consultants.filter(unit_id__in=list(unit_ids))
    for person in consultants:
        start, end = max(person.employment_start, first), min(person.employment_end or last, last)
        days = (end - start).days + 1
        cost = _consultant_cost(person.consultant_monthly_cost, days, days_in_month)
        report.consultants.append(ConsultantRow(person, *cost))
    return report


def unit_supplement_costs(
    *, organisation: Organisation, months: list[datetime.date], unit_ids: Iterable[int]
) -> dict[int, tuple[Decimal, Decimal]]:
    """{unit_id: (supplement cost, consultant cost)} summed over `months`, each month exactly as
    supplement_report computes it (rows rounded per person, level and month), in five queries for
    all the months together and without building model instances (the tertial report)."""
    bounds = [month_bounds(m) for m in months]
    if not bounds:
        return {}
    span_first, span_last = bounds[0][0], bounds[-1][1]
    unit_ids = list(unit_ids)
    settings = ladder_settings(organisation=organisation)
    levels = LadderLevel.objects.filter(organisation=organisation).order_by("number")
    lowest_id = levels.values_list("pk", flat=True).first()
    rates: dict[int, list[SupplementRate]] = defaultdict(list)
    for rate in SupplementRate.objects.filter(organisation=organisation, valid_from__lte=span_last).order_by(
        "valid_from"
    ):
        rates[rate.level_id].append(rate)  # a rate valid from after a month's end never changes that month
    employed = Q(staff__employment_start__lte=span_last) & (
        Q(staff__employment_end__isnull=True) | Q(staff__employment_end__gte=span_first)
    )
    placements = list(
        LevelPlacement.objects.filter(organisation=organisation, start__lte=span_last, staff__unit_id__in=unit_ids)
        .filter(Q(end__isnull=True) | Q(end__gte=span_first))
        .filter(employed)
        .exclude(staff__employment_type=StaffMember.EmploymentType.CONSULTANT)
        .order_by("staff_id", "start")
        .values_list(
            "staff_id",
            "staff__unit_id",
            "staff__fte",
            "staff__employment_start",
            "staff__employment_end",
            "level_id",
            "start",
            "end",
        )
    )
    consultants = list(
        StaffMember.objects.filter(
            organisation=organisation,
            employment_type=StaffMember.EmploymentType.CONSULTANT,
            employment_start__lte=span_last,
            unit_id__in=unit_ids,
        )
        .filter(Q(employment_end__isnull=True) | Q(employment_end__gte=span_first))
        .values_list("unit_id", "employment_start", "employment_end", "consultant_monthly_cost")
    )
    supplements: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    consultant_costs: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for first, last in bounds:
        days_in_month = (last - first).days + 1
        rows: dict[tuple[int, int], list] = {}  # (person, level) -> [unit, amount], as supplement_report's rows
        for staff_id, unit_id, fte, hired, leaves, level_id, placed, until in placements:
            if placed > last or (until is not None and until < first) or hired > last or (leaves and leaves < first):
                continue
            start = max(placed, first, hired)
            end = min(until or last, last, leaves or last)
            if end < start:
                continue
            amount = _placement_amount(
                rates=rates[level_id],
                start=start,
                end=end,
                level1_end=_level1_end(settings, lowest_id, level_id, placed),
                days_in_month=days_in_month,
                fte=fte if settings.pro_rata_by_fte else None,
            )
            rows.setdefault((staff_id, level_id), [unit_id, Decimal("0")])[1] += amount
        for unit_id, amount in rows.values():
            supplements[unit_id] += amount.quantize(CENT, rounding=ROUND_HALF_UP)
        for unit_id, hired, leaves, monthly_cost in consultants:
            if hired > last or (leaves is not None and leaves < first):
                continue
            start, end = max(hired, first), min(leaves or last, last)
            consultant_costs[unit_id] += _consultant_cost(monthly_cost, (end - start).days + 1, days_in_month)[2]
    return {u: (supplements[u], consultant_costs[u]) for u in set(supplements) | set(consultant_costs)}
