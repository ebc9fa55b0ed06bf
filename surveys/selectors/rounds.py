"""Reads of rounds, a person's own answers and a unit's answers (for its own managers only)."""

from __future__ import annotations

from staff.models import Organisation, StaffMember, Unit
from staff.platform.tenancy import get_for_org

from ..models import ActionPlan, Answer, Baseline, SurveyRound

# ---------------------------------------------------------------- fetch by id (404 for foreign objects)


def round_get(*, organisation: Organisation, pk) -> SurveyRound:
    return get_for_org(SurveyRound, organisation=organisation, pk=pk)


def unit_get(*, organisation: Organisation, pk) -> Unit:
    return get_for_org(Unit.objects.select_related("department"), organisation=organisation, pk=pk)


def answer_get(*, organisation: Organisation, pk) -> Answer:
    return get_for_org(Answer.objects.select_related("staff", "unit", "round"), organisation=organisation, pk=pk)


def rounds(*, organisation: Organisation, closed_only: bool = False):
    qs = SurveyRound.objects.filter(organisation=organisation)
    if closed_only:
        qs = qs.filter(status=SurveyRound.Status.CLOSED)
    return qs.order_by("-year", "-tertial")


def open_round_for(*, staff: StaffMember) -> SurveyRound | None:
    """The open round the person is invited to, if any."""
    return (
        SurveyRound.objects.filter(
            organisation_id=staff.organisation_id,
            status=SurveyRound.Status.OPEN,
            invitations__staff=staff,
        )
        .order_by("-opens_at")
        .first()
    )


def my_answers(*, staff: StaffMember):
    return (
        Answer.objects.filter(organisation_id=staff.organisation_id, staff=staff)
        .select_related("round", "action_plan")
        .order_by("-round__year", "-round__tertial")
    )


def my_action_plans(*, staff: StaffMember):
    return ActionPlan.objects.filter(organisation_id=staff.organisation_id, staff=staff).select_related(
        "answer__round", "offered_by"
    )


def unit_answers(*, organisation: Organisation, survey_round: SurveyRound, unit: Unit):
    """Individual answers with motivations: for the unit's own managers only (the view checks)."""
    return (
        Answer.objects.filter(organisation=organisation, round=survey_round, unit=unit)
        .select_related("staff", "action_plan")
        .order_by("staff__last_name", "staff__first_name")
    )


def baselines(*, organisation: Organisation):
    return Baseline.objects.filter(organisation=organisation).select_related("unit").order_by("unit__name")


def flagged_answers(*, organisation: Organisation, survey_round: SurveyRound, unit: Unit):
    return [a for a in unit_answers(organisation=organisation, survey_round=survey_round, unit=unit) if a.flagged]
