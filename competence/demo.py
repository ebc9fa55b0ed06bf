"""Demo ladder: Umeå's four levels and everyone's current level (the competence issue adds history)."""

from __future__ import annotations

import datetime

from staff.demo import DemoContext

from .models import LadderLevel, LevelPlacement

UMEA_LEVELS = [
    (1, "Nyanställd", False),
    (2, "Efter introduktion", False),
    (3, "Erfaren", False),
    (4, "Specialistsocionom", True),
]


def seed(ctx: DemoContext) -> None:
    org = ctx.organisation
    if LadderLevel.objects.filter(organisation=org).exists():
        return
    levels = {
        number: LadderLevel.objects.create(organisation=org, number=number, name=name, is_specialist=specialist)
        for number, name, specialist in UMEA_LEVELS
    }
    for staff_id, number in ctx.planned_levels.items():
        start = max(ctx.today - datetime.timedelta(days=30 * (3 + 5 * (number - 1))), datetime.date(2015, 1, 1))
        LevelPlacement.objects.create(organisation=org, staff_id=staff_id, level=levels[number], start=start)
