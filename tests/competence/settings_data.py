"""What the ladder settings form posts: every rule at its docs/domain.md default, changed where a test says."""

from __future__ import annotations

# The settings added by issue 16 (renewal notice, mentorship length, reflection cadence), at their defaults.
NEW_DEFAULTS = {
    "renewal_notice_weeks": "4",
    "mentor_min_months": "6",
    "mentor_max_months": "12",
    "reflection_intensive_months": "4",
    "reflection_intensive_per_month": "2",
    "reflection_total_months": "12",
    "reflection_later_per_month": "1",
}


def settings_form_data(**changes: str) -> dict[str, str]:
    return {
        "level1_supplement_months": "12",
        "appointment_months": "24",
        "renewal_notice_months": "4",
        "specialist_posts": "4",
        "pro_rata_by_fte": "on",
        "eligible_soon_months": "3",
        **NEW_DEFAULTS,
        **changes,
    }
