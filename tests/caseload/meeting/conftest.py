import datetime

import pytest
import time_machine

from caseload.models import CycleSettings

MONDAY = datetime.date(2026, 1, 5)  # an allocation Monday (anchor)


@pytest.fixture
def frozen():
    """Thursday before the allocation week of 12 January 2026 (the board shows that cycle)."""
    with time_machine.travel(datetime.datetime(2026, 1, 8, 10, 0), tick=False):
        yield


@pytest.fixture
def cycle(ladder, frozen):
    """Alfa's investigation unit meets every five weeks from 12 January 2026."""
    CycleSettings.objects.create(organisation=ladder.org, unit=ladder.unit, anchor=datetime.date(2026, 1, 12))
    return ladder
