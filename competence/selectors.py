"""Reads of the ladder. Other apps ask for levels only through these functions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q

from staff.models import Organisation

from .models import LadderLevel, LevelPlacement


def levels_on(
    *, organisation: Organisation, on: datetime.date, staff_ids: Iterable[int] | None = None
) -> dict[int, LadderLevel]:
    """Each person's level on a date, in one query: {staff_id: LadderLevel}."""
    qs = (
        LevelPlacement.objects.filter(organisation=organisation, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("level")
    )
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=list(staff_ids))
    return {p.staff_id: p.level for p in qs}


def ladder_levels(*, organisation: Organisation) -> list[LadderLevel]:
    return list(LadderLevel.objects.filter(organisation=organisation).order_by("number"))
