"""Action plans after a round and the steps of the unit's survey rhythm."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.models import MANAGER_ROLES, Organisation, RoleAssignment, StaffMember, Unit
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org
from staff.services import Message, notify, notify_many

from ..models import ActionPlan, Answer, RhythmStep
from .common import _message


@transaction.atomic
def action_plan_offer(
    *,
    organisation: Organisation,
    answer: Answer,
    offered_by: StaffMember,
    actions: str,
    follow_up_on: datetime.date,
) -> ActionPlan:
    """Record the individual action plan a manager offers after a 1 or 2; the worker sees it."""
    check_same_org(organisation, answer, offered_by)
    refuse_identity_numbers(actions=actions)
    if not answer.flagged:
        raise ValidationError(_("Action plans are offered after an answer of 1 or 2."))
    if ActionPlan.objects.filter(answer=answer).exists():
        raise ValidationError(_("An action plan has already been offered for this answer."))
    if follow_up_on and follow_up_on < timezone.localdate():
        raise ValidationError({"follow_up_on": _("The follow-up date cannot be in the past.")})
    plan = ActionPlan(
        organisation=organisation,
        answer=answer,
        staff=answer.staff,
        offered_by=offered_by,
        actions=(actions or "").strip(),
        follow_up_on=follow_up_on,
    )
    plan.full_clean()
    plan.save()
    notify(
        organisation=organisation,
        recipient=answer.staff,
        key=f"survey:actionplan:{plan.pk}",
        subject=_message(gettext_lazy("Your manager has offered you an action plan")),
        body=_message(gettext_lazy("Follow-up on %(date)s."), date=follow_up_on.isoformat()),
        url=reverse("surveys:my_survey"),
    )
    return plan


@transaction.atomic
def action_plan_update(
    *,
    organisation: Organisation,
    plan: ActionPlan,
    changed_by: StaffMember,
    actions: str,
    follow_up_on: datetime.date,
    outcome: str = "",
    closed: bool = False,
) -> ActionPlan:
    """Edit a plan and record its follow-up: the outcome, and closed (when and by whom) or reopened.

    A follow-up date that is changed cannot be in the past (an unchanged one may have passed: that is the
    follow-up being recorded). Closing needs the outcome. The row is locked, so two managers saving at once
    cannot both close it, and the first closer stays the closer.
    """
    check_same_org(organisation, plan, changed_by)
    refuse_identity_numbers(actions=actions, outcome=outcome)
    plan = ActionPlan.objects.select_for_update().get(organisation=organisation, pk=plan.pk)
    actions, outcome = (actions or "").strip(), (outcome or "").strip()
    errors = {}
    if follow_up_on != plan.follow_up_on and follow_up_on < timezone.localdate():
        errors["follow_up_on"] = _("The follow-up date cannot be in the past.")
    if closed and not outcome:
        errors["outcome"] = _("Write the outcome of the follow-up to close the plan.")
    if errors:
        raise ValidationError(errors)
    plan.actions, plan.follow_up_on, plan.outcome = actions, follow_up_on, outcome
    if closed and plan.closed_at is None:
        plan.closed_at, plan.closed_by = timezone.now(), changed_by
    elif not closed:
        plan.closed_at, plan.closed_by = None, None
    plan.full_clean()
    plan.save()
    return plan


def action_plan_reminders_send(*, organisation: Organisation, today: datetime.date) -> int:
    """Remind the plan's owner on its follow-up date when the plan is still open; returns how many were new.

    The owner is the manager who offered it while they still manage the answer's unit, else the unit's
    managers now (a plan is read by the managers of its unit only). One notification per plan, follow-up
    date and recipient (its key): a second run, the next day's run, a retry or a second worker sends none
    again; a day the job did not run is caught up the next day, once. A new follow-up date is reminded anew.
    The message names no one (it is e-mailed): the link opens the plan.
    """
    plans = list(
        ActionPlan.objects.filter(organisation=organisation, closed_at__isnull=True, follow_up_on__lte=today)
        .select_related("answer")
        .only("pk", "follow_up_on", "offered_by_id", "answer__unit_id")
    )
    if not plans:
        return 0
    managers: dict[int, set[int]] = {}
    for unit_id, staff_id in RoleAssignment.objects.filter(
        organisation=organisation, role__in=MANAGER_ROLES, unit_id__in={p.answer.unit_id for p in plans}
    ).values_list("unit_id", "staff_id"):
        managers.setdefault(unit_id, set()).add(staff_id)
    messages = []
    for plan in plans:
        unit_managers = managers.get(plan.answer.unit_id, set())
        recipients = {plan.offered_by_id} if plan.offered_by_id in unit_managers else unit_managers
        date = plan.follow_up_on.isoformat()
        for recipient_id in sorted(recipients):
            messages.append(
                Message(
                    recipient_id=recipient_id,
                    key=f"survey:actionplan:{plan.pk}:follow-up:{date}:staff:{recipient_id}",
                    subject=_message(gettext_lazy("An action plan is due for follow-up (%(date)s)"), date=date),
                    body=_message(
                        gettext_lazy("Record the outcome of the follow-up and close the plan when it is done.")
                    ),
                    url=reverse("surveys:action_plan_detail", args=[plan.pk]),
                )
            )
    return len(notify_many(organisation=organisation, messages=messages))


@transaction.atomic
def rhythm_step_record(
    *,
    organisation: Organisation,
    unit: Unit,
    year: int,
    step: int,
    done_on: datetime.date,
    note: str,
    recorded_by: StaffMember,
) -> RhythmStep:
    check_same_org(organisation, unit, recorded_by)
    refuse_identity_numbers(note=note)
    if RhythmStep.objects.filter(organisation=organisation, unit=unit, year=year, step=step).exists():
        raise ValidationError(_("This step is already recorded for the year."))
    record = RhythmStep(
        organisation=organisation, unit=unit, year=year, step=step, done_on=done_on, note=note, recorded_by=recorded_by
    )
    record.full_clean()
    record.save()
    return record
