"""Reads of the competence app. Other apps ask for levels only through these functions."""

from .ladder import (
    Eligibility,
    current_placement,
    eligibility,
    eligibility_for,
    introduction_completed,
    introduction_statuses,
    ladder_levels,
    ladder_settings,
    levels_on,
    next_level,
)

__all__ = [
    "Eligibility",
    "current_placement",
    "eligibility",
    "eligibility_for",
    "introduction_completed",
    "introduction_statuses",
    "ladder_levels",
    "ladder_settings",
    "levels_on",
    "next_level",
]
from .onboarding import mentor_requests, mentorship_length_warning, onboarding_of  # noqa: E402
from .people import (  # noqa: E402
    appointments,
    expiring_appointments,
    level_history,
    may_assess,
    overdue_introduction_items,
    people_per_level_per_unit,
    renewal_decisions_due,
    specialists,
    staff_for_viewer,
    staff_ladder_details,
    staff_list,
    staff_timeline,
    unit_managers,
    visible_unit_ids,
)
from .supplements import SupplementReport, supplement_report  # noqa: E402

__all__ += [
    "SupplementReport",
    "appointments",
    "expiring_appointments",
    "level_history",
    "may_assess",
    "mentor_requests",
    "mentorship_length_warning",
    "onboarding_of",
    "overdue_introduction_items",
    "people_per_level_per_unit",
    "renewal_decisions_due",
    "specialists",
    "staff_for_viewer",
    "staff_ladder_details",
    "staff_list",
    "staff_timeline",
    "supplement_report",
    "unit_managers",
    "visible_unit_ids",
]
