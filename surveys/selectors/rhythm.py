"""The yearly rhythm of surveys and follow-ups: what is due, done or late for a unit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from staff.models import Organisation, Unit

from ..tertials import Tertial

# ---------------------------------------------------------------- the yearly rhythm


@dataclass
class RhythmRow:
    step: int
    label: str
    due_on: datetime.date
    done: object | None  # RhythmStep
    state: str  # "done" | "due" | "overdue" | "upcoming"


def rhythm_status(*, organisation: Organisation, unit: Unit, year: int, today: datetime.date) -> list[RhythmRow]:
    """T1 results, T2 improvement plan, T3 follow-up: each done (when) or due by the end of its tertial."""
    from ..models import RhythmStep

    done = {
        r.step: r
        for r in RhythmStep.objects.filter(organisation=organisation, unit=unit, year=year).select_related(
            "recorded_by"
        )
    }
    rows = []
    for value, label in RhythmStep.Step.choices:
        tertial = Tertial(year, value)
        record = done.get(value)
        if record:
            state = "done"
        elif today > tertial.end:
            state = "overdue"
        elif today >= tertial.start:
            state = "due"
        else:
            state = "upcoming"
        rows.append(RhythmRow(value, str(label), tertial.end, record, state))
    return rows
