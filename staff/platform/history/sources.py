"""Which history each object's page shows: the object and the rows that belong to it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from caseload.models import Assignment, Case, CaseloadSettings, CycleSettings, Investigation
from competence.models import (
    Appointment,
    LadderLevel,
    LadderSettings,
    LevelPlacement,
    Onboarding,
    PricingPeriod,
    SupplementRate,
)
from staff.models import EmploymentExtent, Organisation
from staff.platform.history.display import Source
from staff.platform.retention.models import RetentionSettings
from surveys.models import SurveySettings


def case(case_obj) -> list[Source]:
    return [
        Source(Case, {"id": case_obj.pk}, _("Case")),
        Source(Assignment, {"case_id": case_obj.pk}, _("Handler assignment"), hide=("case",)),
        Source(Investigation, {"case_id": case_obj.pk}, _("Investigation"), hide=("case",)),
    ]


def ladder_member(member) -> list[Source]:
    return [
        Source(LevelPlacement, {"staff_id": member.pk}, _("Ladder level"), hide=("staff",)),
        Source(Appointment, {"staff_id": member.pk}, _("Specialist appointment"), hide=("staff", "renewal_of")),
        Source(Onboarding, {"staff_id": member.pk}, _("Start as a new social worker"), hide=("staff", "placement")),
        Source(EmploymentExtent, {"staff_id": member.pk}, _("FTE period"), hide=("staff", "created_by")),
    ]


def ladder_settings() -> list[Source]:
    return [
        Source(LadderSettings, {}, _("Ladder settings"), created_values=False),
        Source(LadderLevel, {}, _("Ladder level")),
        Source(SupplementRate, {}, _("Supplement amount")),
        Source(PricingPeriod, {}, _("Supplement terms"), hide=("created_by",)),
    ]


def caseload_settings() -> list[Source]:
    return [Source(CaseloadSettings, {}, _("Caseload settings"), created_values=False)]


def cycle_settings(unit) -> list[Source]:
    return [Source(CycleSettings, {"unit_id": unit.pk}, _("Allocation cycle"), hide=("unit",))]


def organisation() -> list[Source]:
    return [Source(Organisation, {}, _("Organisation settings"), created_values=False)]


def survey_settings() -> list[Source]:
    return [Source(SurveySettings, {}, _("Survey settings"), created_values=False)]


def retention_settings() -> list[Source]:
    return [Source(RetentionSettings, {}, _("Retention settings"), created_values=False)]
