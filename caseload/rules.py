"""Date rules of investigations (computed once from the organisation's settings and stored), and which
ladder level a worker counts as for the caseload rules."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta

from competence.models import LadderLevel

from .models import CaseloadSettings

NEW_LEVEL = 1  # the ladder's first level: the level of everyone not (yet) placed on it


def rule_level(level: LadderLevel | None) -> int:
    """The level number the caseload rules apply: a person with no placement on the day is level 1 for
    capacity, the allocation engine, case assignment and the board until placed (docs/domain.md section 5)."""
    return level.number if level is not None else NEW_LEVEL


def is_new(level: LadderLevel | None) -> bool:
    return rule_level(level) == NEW_LEVEL


def target_date(start: datetime.date, settings: CaseloadSettings) -> datetime.date:
    return start + datetime.timedelta(days=settings.target_days)


def legal_deadline(start: datetime.date, settings: CaseloadSettings) -> datetime.date:
    """Start + N calendar months; a day missing in the month falls back to its last day (31 Oct + 4 = 29 Feb)."""
    return start + relativedelta(months=settings.legal_months)


def latest_allowed(today: datetime.date, settings: CaseloadSettings) -> datetime.date:
    return today + datetime.timedelta(days=settings.max_days_ahead)
