"""The life of a tertial round: ensure and schedule it, open it, close it and freeze its snapshot; the
periodic tick that does each step when its time has come."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from staff.models import Organisation, Unit
from staff.platform.tenancy import check_same_org

from ..models import SurveyRound, UnitSnapshot
from ..tertials import Tertial, default_window
from .common import _chunks, _local
from .invitations import round_invite_due, round_remind_due
from .survey_settings import survey_settings_get


def round_ensure(*, organisation: Organisation, tertial: Tertial) -> SurveyRound:
    """The round of a tertial, created with the organisation's default window when missing."""
    existing = SurveyRound.objects.filter(organisation=organisation, year=tertial.year, tertial=tertial.number).first()
    if existing:
        return existing
    settings = survey_settings_get(organisation=organisation)
    opens_at, closes_at = default_window(tertial, open_hour=settings.open_hour, open_days=settings.open_days)
    try:
        with transaction.atomic():
            return round_schedule(
                organisation=organisation,
                tertial=tertial,
                opens_at=opens_at,
                closes_at=closes_at,
            )
    except IntegrityError:  # a second worker created it a moment ago
        return SurveyRound.objects.get(organisation=organisation, year=tertial.year, tertial=tertial.number)


@transaction.atomic
def round_schedule(
    *,
    organisation: Organisation,
    tertial: Tertial,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    first_reminder_at: datetime.datetime | None = None,
    final_reminder_at: datetime.datetime | None = None,
) -> SurveyRound:
    """Create or reschedule a tertial's round; reminders default to the organisation's settings."""
    settings = survey_settings_get(organisation=organisation)
    survey_round = SurveyRound.objects.filter(
        organisation=organisation, year=tertial.year, tertial=tertial.number
    ).first() or SurveyRound(organisation=organisation, year=tertial.year, tertial=tertial.number)
    if survey_round.status == SurveyRound.Status.CLOSED:
        raise ValidationError(_("The round is closed and cannot be rescheduled."))
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The round must close after it opens.")})
    survey_round.opens_at, survey_round.closes_at = opens_at, closes_at
    survey_round.first_reminder_at = first_reminder_at or min(
        opens_at + datetime.timedelta(hours=settings.first_reminder_hours), closes_at
    )
    survey_round.final_reminder_at = final_reminder_at or max(
        closes_at - datetime.timedelta(hours=settings.final_reminder_hours), opens_at
    )
    survey_round.full_clean()
    survey_round.save()
    return survey_round


def round_open_due(*, organisation: Organisation, now: datetime.datetime) -> list[SurveyRound]:
    """Open every scheduled round whose time has come; a guarded update so only one worker opens it."""
    opened = []
    for survey_round in SurveyRound.objects.filter(
        organisation=organisation, status=SurveyRound.Status.SCHEDULED, opens_at__lte=now, closes_at__gt=now
    ):
        claimed = SurveyRound.objects.filter(pk=survey_round.pk, status=SurveyRound.Status.SCHEDULED).update(
            status=SurveyRound.Status.OPEN, opened_at=now
        )
        if claimed:
            opened.append(survey_round)
    return opened


def round_close_due(*, organisation: Organisation, now: datetime.datetime) -> list[SurveyRound]:
    """Close rounds whose time has passed and take the caseload snapshot per unit at close."""
    closed = []
    for survey_round in SurveyRound.objects.filter(
        organisation=organisation,
        status__in=[SurveyRound.Status.SCHEDULED, SurveyRound.Status.OPEN],
        closes_at__lte=now,
    ):
        if round_close(organisation=organisation, survey_round=survey_round, now=now):
            closed.append(survey_round)
    return closed


def round_close(*, organisation: Organisation, survey_round: SurveyRound, now: datetime.datetime) -> bool:
    """Close one round now (guarded: one caller wins), store the threshold in force and take the snapshots."""
    check_same_org(organisation, survey_round)
    with transaction.atomic():
        claimed = (
            SurveyRound.objects.filter(pk=survey_round.pk)
            .exclude(status=SurveyRound.Status.CLOSED)
            .update(
                status=SurveyRound.Status.CLOSED,
                closed_at=now,
                min_respondents=survey_settings_get(organisation=organisation).min_respondents,
            )
        )
        survey_round.refresh_from_db()
        if claimed:
            snapshot_take(organisation=organisation, survey_round=survey_round)
    return bool(claimed)


def snapshot_take(*, organisation: Organisation, survey_round: SurveyRound) -> list[UnitSnapshot]:
    """Employees, open and weighted cases and cases per employee per unit on the close date, as
    caseload.selectors.unit_cases_per_employee defines them (the HR report's figure too), and the unit's
    department then (the round's structure, frozen)."""
    from caseload.selectors import CasesPerEmployee, unit_cases_per_employee

    check_same_org(organisation, survey_round)
    on = _local(survey_round.closes_at).date()
    caseloads = unit_cases_per_employee(organisation=organisation, on=on)
    snapshots = []
    for unit in Unit.objects.filter(organisation=organisation):
        caseload = caseloads.get(unit.pk, CasesPerEmployee())
        snapshot, _created = UnitSnapshot.objects.update_or_create(
            organisation=organisation,
            round=survey_round,
            unit=unit,
            defaults={
                "department_id": unit.department_id,
                "taken_on": on,
                "employees": caseload.case_workers,
                "open_cases": caseload.open_cases,
                "weighted_cases": caseload.weighted_cases,
                "cases_per_employee": caseload.per_employee,
            },
        )
        snapshots.append(snapshot)
    return snapshots


@dataclass(frozen=True)
class FanOut:
    """One chunk of the fan-out the tick decided on: invite these staff, or remind these invitations."""

    kind: str  # "invite" or "remind"
    round_id: int
    ids: list[int]


def round_tick(*, organisation: Organisation, now: datetime.datetime, chunk_size: int = 500) -> dict:
    """One pass of the schedule for one organisation: ensure, close, open; then who is due, in chunks.

    Returns the counts and `fan_out`, the chunks to invite and to remind. The periodic task queues one task
    per chunk (any worker takes it); `round_invite_chunk` / `round_remind_chunk` are idempotent.
    """
    tertial = Tertial.of(_local(now).date())
    round_ensure(organisation=organisation, tertial=tertial)
    result: dict = {"opened": 0, "closed": 0, "invite_due": 0, "remind_due": 0, "fan_out": []}
    result["closed"] = len(round_close_due(organisation=organisation, now=now))
    result["opened"] = len(round_open_due(organisation=organisation, now=now))
    for survey_round in SurveyRound.objects.filter(organisation=organisation, status=SurveyRound.Status.OPEN):
        invite = round_invite_due(organisation=organisation, survey_round=survey_round, now=now)
        remind = round_remind_due(organisation=organisation, survey_round=survey_round, now=now)
        result["invite_due"] += len(invite)
        result["remind_due"] += len(remind)
        result["fan_out"] += [FanOut("invite", survey_round.pk, chunk) for chunk in _chunks(invite, chunk_size)]
        result["fan_out"] += [FanOut("remind", survey_round.pk, chunk) for chunk in _chunks(remind, chunk_size)]
    return result
