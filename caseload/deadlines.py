"""Where an investigation stands on a day: days left to the target and legal dates, and its warning."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from staff.dates import days_left_text

from .models import CaseloadSettings, Investigation

# Ordered by urgency, least urgent first.
OK, FIRST_WARNING, SECOND_WARNING, PAST_TARGET, PAST_LEGAL = range(5)
LABELS = {
    OK: _("On track"),
    FIRST_WARNING: _("Warning"),
    SECOND_WARNING: _("Second warning"),
    PAST_TARGET: _("Past the target date"),
    PAST_LEGAL: _("Past the legal deadline"),
}
BADGES = {OK: "success", FIRST_WARNING: "info", SECOND_WARNING: "warning", PAST_TARGET: "warning", PAST_LEGAL: "danger"}
THRESHOLD_KEYS = {FIRST_WARNING: "first", SECOND_WARNING: "second", PAST_TARGET: "target", PAST_LEGAL: "legal"}


@dataclass(frozen=True)
class DeadlineStatus:
    investigation: Investigation
    today: datetime.date
    level: int

    @property
    def day(self) -> int:
        return (self.today - self.investigation.start_date).days

    @property
    def days_to_target(self) -> int:
        return (self.investigation.target_date - self.today).days

    @property
    def days_to_legal(self) -> int:
        return (self.investigation.deadline - self.today).days

    @property
    def target_text(self) -> str:
        return days_left_text(self.days_to_target)

    @property
    def legal_text(self) -> str:
        return days_left_text(self.days_to_legal)

    @property
    def label(self):
        return LABELS[self.level]

    @property
    def badge(self) -> str:
        return BADGES[self.level]

    @property
    def at_risk(self) -> bool:
        return self.level > OK

    def as_dict(self) -> dict:
        inv = self.investigation
        return {
            "id": inv.pk,
            "start_date": inv.start_date,
            "target_date": inv.target_date,
            "legal_deadline": inv.legal_deadline,
            "extension": {"new_deadline": inv.extended_until} if inv.extended_until else None,
            "day": self.day,
            "days_to_target": self.days_to_target,
            "days_to_legal": self.days_to_legal,
            "status": THRESHOLD_KEYS.get(self.level, "ok"),
            "chained": inv.chained,
        }


def level_on(investigation: Investigation, today: datetime.date, settings: CaseloadSettings) -> int:
    """The most urgent threshold reached on `today` (the day itself counts as reached)."""
    if today > investigation.deadline:
        return PAST_LEGAL
    if today > investigation.target_date:
        return PAST_TARGET
    day = (today - investigation.start_date).days
    if day >= settings.second_warning_day:
        return SECOND_WARNING
    if day >= settings.first_warning_day:
        return FIRST_WARNING
    return OK


def status_on(investigation: Investigation, today: datetime.date, settings: CaseloadSettings) -> DeadlineStatus:
    return DeadlineStatus(investigation, today, level_on(investigation, today, settings))
