"""Reads of action plans: a unit manager's list (their own units only) and one plan by id.

A plan belongs to an individual answer of 1 or 2, so it is as private as the answer: only the managers
of the answer's unit read it (the views check `permissions.sees_action_plan`), and the person it was
offered to reads their own on their survey page (`my_action_plans`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils.translation import pgettext_lazy

from staff.models import Organisation
from staff.platform.tenancy import get_for_org

from ..models import ActionPlan


class PlanState(models.TextChoices):
    OPEN = "open", pgettext_lazy("action plans", "Open")
    OVERDUE = "overdue", pgettext_lazy("action plans", "Past the follow-up date")
    CLOSED = "closed", pgettext_lazy("action plans", "Closed")
    ALL = "all", pgettext_lazy("action plans", "All")


def _state_q(state: str, today: datetime.date) -> Q:
    if state == PlanState.OPEN:
        return Q(closed_at__isnull=True)
    if state == PlanState.OVERDUE:  # open past the follow-up date; the day itself is due, not overdue
        return Q(closed_at__isnull=True, follow_up_on__lt=today)
    if state == PlanState.CLOSED:
        return Q(closed_at__isnull=False)
    return Q()


def action_plan_get(*, organisation: Organisation, pk) -> ActionPlan:
    return get_for_org(
        ActionPlan.objects.select_related("staff", "offered_by", "closed_by", "answer__round", "answer__unit"),
        organisation=organisation,
        pk=pk,
    )


def action_plans(
    *, organisation: Organisation, unit_ids: Iterable[int], state: str, today: datetime.date
) -> QuerySet[ActionPlan]:
    """The plans of answers given in `unit_ids` (the viewer's managed units), filtered by state."""
    return (
        ActionPlan.objects.filter(organisation=organisation, answer__unit_id__in=set(unit_ids))
        .filter(_state_q(state, today))
        .select_related("staff", "offered_by", "answer__round", "answer__unit")
    )


def action_plan_counts(*, organisation: Organisation, unit_ids: Iterable[int], today: datetime.date) -> dict[str, int]:
    """How many plans each filter shows, in one query."""
    return ActionPlan.objects.filter(organisation=organisation, answer__unit_id__in=set(unit_ids)).aggregate(
        **{state.value: Count("pk", filter=_state_q(state, today) or None) for state in PlanState}
    )
