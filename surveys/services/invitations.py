"""Who is asked and reminded: the fan-out of invitations and reminders in idempotent chunks."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from staff.models import CASE_WORKER_ROLES, Organisation, RoleAssignment
from staff.platform.bulk import claim, insert_new
from staff.platform.tenancy import check_same_org
from staff.services import Message, notify_many

from ..models import Answer, Invitation, SurveyRound
from .common import _chunks, _local, _message


def _case_workers(*, organisation: Organisation, on: datetime.date, staff_ids: Sequence[int] | None = None):
    """Active social workers and specialists with the unit their role is in (one row per person and unit)."""
    rows = (
        RoleAssignment.objects.filter(
            organisation=organisation,
            role__in=sorted(CASE_WORKER_ROLES),
            staff__employment_start__lte=on,
        )
        .filter(Q(staff__employment_end__isnull=True) | Q(staff__employment_end__gte=on))
        .values_list("staff_id", "unit_id")
        .order_by("staff_id", "unit_id")
    )
    if staff_ids is not None:
        rows = rows.filter(staff_id__in=list(staff_ids))
    seen: dict[int, int] = {}
    for staff_id, unit_id in rows:
        seen.setdefault(staff_id, unit_id)
    return seen


def round_invite_due(*, organisation: Organisation, survey_round: SurveyRound, now: datetime.datetime) -> list[int]:
    """Active case workers not yet invited to an open round, by staff id in ascending order (two queries)."""
    check_same_org(organisation, survey_round)
    if survey_round.status != SurveyRound.Status.OPEN:
        return []
    workers = _case_workers(organisation=organisation, on=_local(now).date())
    already = set(
        Invitation.objects.filter(organisation=organisation, round=survey_round).values_list("staff_id", flat=True)
    )
    return [staff_id for staff_id in workers if staff_id not in already]


@transaction.atomic
def round_invite_chunk(
    *, organisation: Organisation, survey_round: SurveyRound, staff_ids: Sequence[int], now: datetime.datetime
) -> int:
    """Invite these people (in the app and by e-mail) in one transaction and a constant number of queries.

    Only those still active case workers of the organisation on the day are invited. The unique invitation
    is the arbiter: a person another chunk, tick or killed worker already invited is skipped, gets no second
    notification and no second e-mail. Returns how many this call invited.
    """
    check_same_org(organisation, survey_round)
    # Locked: a round closing meanwhile waits for this chunk, or this chunk sees it closed and invites nobody.
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if survey_round.status != SurveyRound.Status.OPEN:
        return 0
    workers = _case_workers(organisation=organisation, on=_local(now).date(), staff_ids=staff_ids)
    rows = [
        {
            "organisation_id": organisation.pk,
            "round_id": survey_round.pk,
            "staff_id": staff_id,
            "unit_id": unit_id,
            "invited_at": now,
            "reminder_stage": 0,
        }
        for staff_id, unit_id in sorted(workers.items())
    ]
    invited = insert_new(Invitation, rows, unique=("organisation", "round", "staff"), returning=("staff_id",))
    url = reverse("surveys:answer", args=[survey_round.pk])
    closes = _local(survey_round.closes_at).strftime("%Y-%m-%d %H:%M")
    subject = _message(gettext_lazy("Survey %(round)s is open"), round=survey_round.label)
    body = _message(
        gettext_lazy(
            "Three short statements about your work situation. Answer by %(closes)s; "
            "you may change your answer until then."
        ),
        closes=closes,
    )
    notify_many(
        organisation=organisation,
        messages=[
            Message(staff_id, f"survey:{survey_round.pk}:invite:{staff_id}", subject, body, url) for staff_id in invited
        ],
    )
    return len(invited)


def round_invite(
    *, organisation: Organisation, survey_round: SurveyRound, now: datetime.datetime, chunk_size: int = 500
) -> int:
    """Invite every active case worker not yet invited, chunk by chunk in this process. Safe to run again.

    The periodic task does the same through Celery (surveys.tasks: one task per chunk, any worker)."""
    due = round_invite_due(organisation=organisation, survey_round=survey_round, now=now)
    return sum(
        round_invite_chunk(organisation=organisation, survey_round=survey_round, staff_ids=chunk, now=now)
        for chunk in _chunks(due, chunk_size)
    )


def _reminder_stage(survey_round: SurveyRound, now: datetime.datetime) -> int:
    if survey_round.status != SurveyRound.Status.OPEN:
        return 0
    return 2 if now >= survey_round.final_reminder_at else 1 if now >= survey_round.first_reminder_at else 0


def round_remind_due(*, organisation: Organisation, survey_round: SurveyRound, now: datetime.datetime) -> list[int]:
    """Invitations (ids, ascending) of people who have not answered and are not reminded at today's stage."""
    check_same_org(organisation, survey_round)
    stage = _reminder_stage(survey_round, now)
    if not stage:
        return []
    answered = Answer.objects.filter(organisation=organisation, round=survey_round).values_list("staff_id", flat=True)
    return list(
        Invitation.objects.filter(organisation=organisation, round=survey_round, reminder_stage__lt=stage)
        .exclude(staff_id__in=answered)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Claimed only while the person has not answered (checked on the row being claimed, not on a stale list).
_NOT_ANSWERED = (
    '"reminder_stage" < %s AND NOT EXISTS (SELECT 1 FROM "surveys_answer" a '
    'WHERE a."round_id" = "surveys_invitation"."round_id" AND a."staff_id" = "surveys_invitation"."staff_id")'
)


@transaction.atomic
def round_remind_chunk(
    *, organisation: Organisation, survey_round: SurveyRound, invitation_ids: Sequence[int], now: datetime.datetime
) -> int:
    """Remind these invitations' people who have not answered, once per reminder stage, in one transaction.

    A guarded update claims each invitation's stage (one caller wins); the notification key holds the day, so
    at most one reminder a person a day. Returns how many reminders this call created.
    """
    check_same_org(organisation, survey_round)
    stage = _reminder_stage(survey_round, now)
    if not stage:
        return 0
    claimed = claim(
        Invitation,
        pks=sorted(invitation_ids),
        organisation_id=organisation.pk,
        values={"reminder_stage": stage},
        guard=_NOT_ANSWERED,
        guard_params=[stage],
        returning=("staff_id",),
    )
    today = _local(now).date().isoformat()
    url = reverse("surveys:answer", args=[survey_round.pk])
    closes = _local(survey_round.closes_at).strftime("%Y-%m-%d %H:%M")
    subject = _message(
        gettext_lazy("Reminder: survey %(round)s closes %(closes)s"), round=survey_round.label, closes=closes
    )
    body = _message(gettext_lazy("You have not answered yet. It takes two minutes."))
    created = notify_many(
        organisation=organisation,
        messages=[
            Message(staff_id, f"survey:{survey_round.pk}:remind:{staff_id}:{today}", subject, body, url)
            for staff_id in claimed
        ],
    )
    return len(created)


def round_remind(
    *, organisation: Organisation, survey_round: SurveyRound, now: datetime.datetime, chunk_size: int = 500
) -> int:
    """Remind everyone due, chunk by chunk in this process (the periodic task queues the chunks instead)."""
    due = round_remind_due(organisation=organisation, survey_round=survey_round, now=now)
    return sum(
        round_remind_chunk(organisation=organisation, survey_round=survey_round, invitation_ids=chunk, now=now)
        for chunk in _chunks(due, chunk_size)
    )
