"""Leaving and retention: exit interviews, reasons per year, turnover and who may be about to leave."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from staff.dates import latest_start_for
from staff.models import Organisation, StaffMember

from ..models import ExitInterview, SurveySettings
from ..tertials import Tertial

# ---------------------------------------------------------------- leaving and retention


def exit_interviews(*, organisation: Organisation):
    return ExitInterview.objects.filter(organisation=organisation).select_related("staff", "unit", "interviewer")


def leaving_reasons_per_year(*, organisation: Organisation) -> dict[int, dict[str, int]]:
    rows = (
        ExitInterview.objects.filter(organisation=organisation)
        .values_list("held_on__year", "main_reason")
        .annotate(n=Count("id"))
        .order_by("-held_on__year", "main_reason")
    )
    result: dict[int, dict[str, int]] = {}
    for year, reason, n in rows:
        result.setdefault(year, {})[reason] = n
    return result


def headcount_q(day: datetime.date) -> Q:
    return Q(employment_start__lte=day) & (Q(employment_end__isnull=True) | Q(employment_end__gte=day))


@dataclass
class Turnover:
    tertial: Tertial
    leavers: int
    average_headcount: Decimal
    rate: Decimal | None  # percent
    under_two_years: Decimal | None  # percent of headcount at tertial end under `junior_years` in the profession
    junior_years: int = 2


def turnover(*, organisation: Organisation, tertials: list[Tertial]) -> list[Turnover]:
    """Leavers / average headcount per tertial among the units' staff; share under the organisation's
    `junior_years` (2) in the profession at the tertial's end, counted to the day: exactly 2 years is not under."""
    case_workers = StaffMember.objects.filter(organisation=organisation, unit__isnull=False)
    years = SurveySettings.objects.filter(organisation=organisation).values_list("junior_years", flat=True).first()
    years = years or SurveySettings._meta.get_field("junior_years").default
    result = []
    for t in tertials:
        end = t.end
        junior_after = latest_start_for(end, months=12 * years)
        stats = case_workers.aggregate(
            at_start=Count("id", filter=headcount_q(t.start)),
            at_end=Count("id", filter=headcount_q(end)),
            leavers=Count("id", filter=Q(employment_end__gte=t.start, employment_end__lte=end)),
            junior=Count("id", filter=headcount_q(end) & Q(profession_start__gt=junior_after)),
        )
        average = Decimal(stats["at_start"] + stats["at_end"]) / 2
        rate = (Decimal(100 * stats["leavers"]) / average).quantize(Decimal("0.1")) if average else None
        junior = (
            (Decimal(100 * stats["junior"]) / stats["at_end"]).quantize(Decimal("0.1")) if stats["at_end"] else None
        )
        result.append(Turnover(t, stats["leavers"], average.quantize(Decimal("0.1")), rate, junior, years))
    return result


def leaving_candidates(*, organisation: Organisation, unit_ids=None):
    """People an exit interview may be held with: everyone of the organisation (or the manager's units)."""
    qs = StaffMember.objects.filter(organisation=organisation).exclude(exit_interviews__isnull=False)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return qs.order_by("-employment_end", "last_name", "first_name")
