"""Reads of cases. Other apps (surveys, the HR API) count cases only through these functions."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, Sum

from staff.models import Organisation

from ..models import Case


def unit_case_counts(*, organisation: Organisation, on: datetime.date) -> dict[int, dict[str, int]]:
    """Open cases per unit on a date: {unit_id: {"open_cases": n, "weighted_cases": w}} in one query."""
    open_on = (
        Q(opened_on__lte=on)
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        & ~Q(status=Case.Status.AWAITING_ALLOCATION)
    )
    rows = (
        Case.objects.filter(organisation=organisation)
        .filter(open_on)
        .values("unit_id")
        .annotate(open_cases=Count("id"), weighted_cases=Sum("weight"))
    )
    return {r["unit_id"]: {"open_cases": r["open_cases"], "weighted_cases": r["weighted_cases"] or 0} for r in rows}
