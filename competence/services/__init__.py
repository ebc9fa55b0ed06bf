"""Writes of the competence app: verb-named, keyword-only, atomic and organisation-checked."""

from .introduction import (
    introduction_item_complete,
    introduction_plan_create,
    may_tick,
    mentor_assign,
    reflection_attendance_set,
    reflection_sessions_plan,
    training_plan_add,
)
from .ladder import (
    intro_template_item_add,
    ladder_level_save,
    ladder_settings_update,
    ladder_setup_default,
    supplement_rate_add,
    training_create,
)
from .onboarding import (
    onboarding_mentor_dismiss,
    onboarding_placement_remove,
    onboarding_plan_remove,
    onboarding_start,
)
from .payroll import (
    PAYROLL_ROLES,
    cost_centres_save,
    payroll_approve,
    payroll_file,
    payroll_layout_save,
    payroll_prepare,
)
from .placements import (
    appointment_create,
    appointment_renew,
    appointment_renewal_reminders,
    placement_promote,
    placement_start,
)
from .supplements import FREEZERS, has_ended, may_freeze, supplement_month_exported, supplement_month_freeze

__all__ = [
    "PAYROLL_ROLES",
    "cost_centres_save",
    "payroll_approve",
    "payroll_file",
    "payroll_layout_save",
    "payroll_prepare",
    "appointment_create",
    "appointment_renew",
    "appointment_renewal_reminders",
    "intro_template_item_add",
    "introduction_item_complete",
    "introduction_plan_create",
    "ladder_level_save",
    "ladder_settings_update",
    "ladder_setup_default",
    "may_tick",
    "FREEZERS",
    "has_ended",
    "may_freeze",
    "mentor_assign",
    "onboarding_mentor_dismiss",
    "onboarding_placement_remove",
    "onboarding_plan_remove",
    "onboarding_start",
    "placement_promote",
    "placement_start",
    "reflection_attendance_set",
    "reflection_sessions_plan",
    "supplement_month_exported",
    "supplement_month_freeze",
    "supplement_rate_add",
    "training_create",
    "training_plan_add",
]
