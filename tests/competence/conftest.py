"""The Alfa ladder: Umeå's default levels, bob on level 1 (new), carol a specialist with an appointment."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from competence.models import LadderLevel, LevelPlacement
from competence.services import appointment_create, ladder_setup_default

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def ladder(world):
    """Levels 1–4 for both organisations; bob on level 1 from 2025-09-01, carol on level 4 with an appointment."""
    ladder_setup_default(organisation=world.org)
    ladder_setup_default(organisation=world.other_org)
    levels = {level.number: level for level in LadderLevel.objects.filter(organisation=world.org)}
    LevelPlacement.objects.create(
        organisation=world.org, staff=world.bob, level=levels[1], start=datetime.date(2025, 9, 1)
    )
    LevelPlacement.objects.create(
        organisation=world.org, staff=world.carol, level=levels[4], start=datetime.date(2025, 1, 1)
    )
    appointment_create(organisation=world.org, staff=world.carol, start=datetime.date(2025, 1, 1))
    LevelPlacement.objects.create(
        organisation=world.org, staff=world.heidi, level=levels[2], start=datetime.date(2024, 1, 1)
    )
    other_levels = {level.number: level for level in LadderLevel.objects.filter(organisation=world.other_org)}
    LevelPlacement.objects.create(
        organisation=world.other_org, staff=world.charlie, level=other_levels[3], start=datetime.date(2020, 1, 1)
    )
    return levels


@pytest.fixture
def december():
    """Today is 10 December 2026 (the supplement months' and the payroll file's tests)."""
    with time_machine.travel(datetime.datetime(2026, 12, 10, 10, tzinfo=datetime.UTC), tick=False):
        yield
