"""Writes of the caseload app: cases, handlers, investigations, extensions and reminders.

Every function is keyword-only, atomic, checks that related objects belong to the organisation,
validates before it saves and records the acting person on the case's timeline.
"""

from .cases import (
    case_assign,
    case_create,
    case_report_linked,
    caseload_settings_update,
    extension_decide,
    investigation_close,
    investigation_open,
)
from .coverage import coverage_figure_count
from .reminders import deadline_reminders_send

__all__ = [
    "case_assign",
    "case_create",
    "case_report_linked",
    "caseload_settings_update",
    "coverage_figure_count",
    "deadline_reminders_send",
    "extension_decide",
    "investigation_close",
    "investigation_open",
]
