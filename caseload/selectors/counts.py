"""Reads of cases. Other apps (surveys, the HR API) count cases only through these functions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from staff.models import CASE_WORKER_ROLES, Organisation, RoleAssignment

from ..models import Case


def _units(unit_ids, field: str = "unit_id") -> Q:
    """All units, or only these (a department's report reads only its own units' rows)."""
    return Q() if unit_ids is None else Q(**{f"{field}__in": sorted(unit_ids)})


def unit_case_counts(
    *, organisation: Organisation, on: datetime.date, unit_ids: Iterable[int] | None = None
) -> dict[int, dict[str, int]]:
    """Open cases per unit on a date: {unit_id: {"open_cases": n, "weighted_cases": w}} in one query."""
    open_on = (
        Q(opened_on__lte=on)
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        & ~Q(status=Case.Status.AWAITING_ALLOCATION)
    )
    rows = (
        Case.objects.filter(organisation=organisation)
        .filter(open_on, _units(unit_ids))
        .values("unit_id")
        .annotate(open_cases=Count("id"), weighted_cases=Sum("weight"))
    )
    return {r["unit_id"]: {"open_cases": r["open_cases"], "weighted_cases": r["weighted_cases"] or 0} for r in rows}


@dataclass(frozen=True)
class CasesPerEmployee:
    """Cases per employee of a unit on a day: the tertial figure of docs/domain.md section 8 ("antal ärenden per
    anställd på enhetsnivå"), the one definition behind every page, snapshot and API that shows it.

    open cases: the unit's cases opened on or before the day and not closed by it, not those awaiting
    allocation (unit_case_counts); employees: the people holding a social worker or specialist role in the
    unit and employed that day (consultants among them), the people who hold cases: managers and
    administrators are not counted. Two decimals, half up; None without employees.
    """

    open_cases: int = 0
    weighted_cases: int = 0
    case_workers: int = 0

    def __add__(self, other: CasesPerEmployee) -> CasesPerEmployee:
        return CasesPerEmployee(
            self.open_cases + other.open_cases,
            self.weighted_cases + other.weighted_cases,
            self.case_workers + other.case_workers,
        )

    @staticmethod
    def _per(numerator: int, denominator: int) -> Decimal | None:
        if not denominator:
            return None
        return (Decimal(numerator) / denominator).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def per_employee(self) -> Decimal | None:
        return self._per(self.open_cases, self.case_workers)

    @property
    def weighted_per_employee(self) -> Decimal | None:
        return self._per(self.weighted_cases, self.case_workers)


def unit_cases_per_employee(
    *,
    organisation: Organisation,
    on: datetime.date,
    unit_ids: Iterable[int] | None = None,
    case_counts: dict[int, dict[str, int]] | None = None,
) -> dict[int, CasesPerEmployee]:
    """{unit_id: CasesPerEmployee} on a day, in two grouped queries (one when `case_counts`, the day's
    unit_case_counts or unit_co_handler_counts, were already read). Units with neither cases nor case
    workers are absent."""
    counts = (
        case_counts
        if case_counts is not None
        else unit_case_counts(organisation=organisation, on=on, unit_ids=unit_ids)
    )
    employed = Q(staff__employment_start__lte=on) & (
        Q(staff__employment_end__isnull=True) | Q(staff__employment_end__gte=on)
    )
    workers = dict(
        RoleAssignment.objects.filter(organisation=organisation, role__in=sorted(CASE_WORKER_ROLES))
        .filter(employed, _units(unit_ids))
        .values("unit_id")
        .annotate(n=Count("staff_id", distinct=True))
        .values_list("unit_id", "n")
    )
    return {
        unit_id: CasesPerEmployee(
            counts.get(unit_id, {}).get("open_cases", 0),
            counts.get(unit_id, {}).get("weighted_cases", 0),
            workers.get(unit_id, 0),
        )
        for unit_id in set(counts) | set(workers)
    }


def unit_co_handler_counts(
    *, organisation: Organisation, on: datetime.date, unit_ids: Iterable[int] | None = None
) -> dict[int, dict[str, int]]:
    """Open cases per unit on a date, their weight and how many of them had a co-handler that day, in one query.

    {unit_id: {"open_cases": n, "weighted_cases": w, "with_co_handler": m}}; the HR report's case figures.
    The co-handled cases are one uncorrelated subquery over the organisation's current co-handler
    assignments, which PostgreSQL hashes once, instead of an EXISTS probed for every open case.
    """
    from ..models import Assignment

    open_on = (
        Q(opened_on__lte=on)
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        & ~Q(status=Case.Status.AWAITING_ALLOCATION)
    )
    co_handler = Q(
        pk__in=Assignment.objects.filter(organisation=organisation, role=Assignment.Role.CO, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gt=on))
        .values("case_id")
    )
    rows = (
        Case.objects.filter(organisation=organisation)
        .filter(open_on, _units(unit_ids))
        .values("unit_id")
        .annotate(total=Count("id"), weight=Sum("weight"), covered=Count("id", filter=co_handler))
    )
    return {
        r["unit_id"]: {"open_cases": r["total"], "weighted_cases": r["weight"] or 0, "with_co_handler": r["covered"]}
        for r in rows
    }


def unit_closed_investigations(
    *, organisation: Organisation, start: datetime.date, end: datetime.date, unit_ids: Iterable[int] | None = None
) -> dict[int, dict[str, int]]:
    """Investigations closed in [start, end] per unit, and how many closed by their target date and
    by their legal deadline (the original four months, extensions not counted), and how many closed after
    the date in force (the legal deadline or an extension's new date: each with an overrun reason), in one query."""
    from django.db.models import F
    from django.db.models.functions import Coalesce

    from ..models import Investigation

    rows = (
        Investigation.objects.filter(organisation=organisation, closed_on__gte=start, closed_on__lte=end)
        .filter(_units(unit_ids, "unit_id"))
        .values("unit_id")
        .annotate(
            closed=Count("id"),
            within_target=Count("id", filter=Q(closed_on__lte=F("target_date"))),
            within_legal=Count("id", filter=Q(closed_on__lte=F("legal_deadline"))),
            past_deadline=Count("id", filter=Q(closed_on__gt=Coalesce(F("extended_until"), F("legal_deadline")))),
        )
    )
    return {
        r["unit_id"]: {
            "closed": r["closed"],
            "within_target": r["within_target"],
            "within_legal": r["within_legal"],
            "past_deadline": r["past_deadline"],
        }
        for r in rows
    }
