"""Change history (django-simple-history) of cases, handlers, investigations, ladder placements, supplement
amounts, specialist appointments, a new social worker's start (level 1, plan, mentor), FTE periods, supplement
terms and every settings model.

The historical models live in this app, so their migrations do too. Each historical table carries
`organisation_id` (the tenancy key; row-level security policies key on it), copied from the tracked row
or, for the organisation itself, set to its own id by `history.reasons`.
"""

from __future__ import annotations

from django.db import models
from simple_history import register

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
from intake.models import IntakeSettings
from staff.models import EmploymentExtent, Organisation
from staff.platform.retention.models import RetentionSettings
from surveys.models import SurveySettings


class OrganisationHistoryBase(models.Model):
    """The organisation's own historical rows get an `organisation_id` like every other tenant table."""

    organisation = models.ForeignKey(
        "staff.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True
    )

    class Meta:
        abstract = True


# (model, fields never copied into history): secrets and bookkeeping columns stay out.
TRACKED = (
    (Case, ["version"]),
    (Assignment, ["created_at"]),
    (Investigation, ["unit"]),  # the case's unit, copied: never changes on its own
    (CaseloadSettings, []),
    (CycleSettings, ["feed_token", "updated_at"]),
    (LevelPlacement, []),
    (SupplementRate, []),
    (Appointment, ["created_at"]),
    (LadderLevel, []),
    (LadderSettings, []),
    (Onboarding, ["created_at"]),
    (PricingPeriod, ["created_at"]),
    (EmploymentExtent, ["created_at"]),
    (IntakeSettings, []),
    (SurveySettings, []),
    (RetentionSettings, []),
)

for _model, _excluded in TRACKED:
    register(_model, app="staff.platform.history", excluded_fields=_excluded)

register(Organisation, app="staff.platform.history", excluded_fields=["created_at"], bases=[OrganisationHistoryBase])
