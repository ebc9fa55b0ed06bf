"""Date rules of investigations: computed once from the organisation's settings and stored."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta

from .models import CaseloadSettings


def target_date(start: datetime.date, settings: CaseloadSettings) -> datetime.date:
    return start + datetime.timedelta(days=settings.target_days)


def legal_deadline(start: datetime.date, settings: CaseloadSettings) -> datetime.date:
    """Start + N calendar months; a day missing in the month falls back to its last day (31 Oct + 4 = 29 Feb)."""
    return start + relativedelta(months=settings.legal_months)


def latest_allowed(today: datetime.date, settings: CaseloadSettings) -> datetime.date:
    return today + datetime.timedelta(days=settings.max_days_ahead)
