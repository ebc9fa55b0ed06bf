"""Consultant months: how much of each month hired consultants worked, per unit (docs/domain.md section 9)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q

from staff.models import Organisation, StaffMember

from ..dates import month_bounds
from .supplements import _consultant_cost


def month_starts(start: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of every calendar month from `start`'s month to `last`'s month."""
    months, month = [], start.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def consultant_months_by_month(
    *, organisation: Organisation, months: list[datetime.date], unit_ids: Iterable[int] | None = None
) -> dict[datetime.date, dict[int, Decimal]]:
    """{month's first day: {unit_id: consultant months}} for `months`, in one query.

    A consultant month is one consultant (employment type consultant) engaged for a whole calendar month;
    a part of a month counts as the days engaged / the days of the month, two decimals per person and month,
    exactly as the monthly supplement report's consultant rows (and so the consultant cost) count it:
    16 August to 31 August is 16/31 = 0.52. Consultants without a unit are not counted.
    """
    bounds = [month_bounds(m) for m in sorted(months)]
    if not bounds:
        return {}
    span_first, span_last = bounds[0][0], bounds[-1][1]
    consultants = StaffMember.objects.filter(
        organisation=organisation,
        employment_type=StaffMember.EmploymentType.CONSULTANT,
        employment_start__lte=span_last,
        unit__isnull=False,
    ).filter(Q(employment_end__isnull=True) | Q(employment_end__gte=span_first))
    if unit_ids is not None:
        consultants = consultants.filter(unit_id__in=sorted(unit_ids))
    rows = list(consultants.values_list("unit_id", "employment_start", "employment_end"))
    result: dict[datetime.date, dict[int, Decimal]] = {}
    for first, last in bounds:
        days_in_month = (last - first).days + 1
        month = result.setdefault(first, defaultdict(lambda: Decimal("0.00")))
        for unit_id, hired, leaves in rows:
            if hired > last or (leaves is not None and leaves < first):
                continue
            days = (min(leaves or last, last) - max(hired, first)).days + 1
            month[unit_id] += _consultant_cost(None, days, days_in_month)[0]
    return result


def unit_consultant_months(
    *, organisation: Organisation, months: list[datetime.date], unit_ids: Iterable[int] | None = None
) -> dict[int, Decimal]:
    """{unit_id: consultant months} summed over `months` (consultant_months_by_month), in one query."""
    total: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for per_unit in consultant_months_by_month(organisation=organisation, months=months, unit_ids=unit_ids).values():
        for unit_id, months_worked in per_unit.items():
            total[unit_id] += months_worked
    return dict(total)
