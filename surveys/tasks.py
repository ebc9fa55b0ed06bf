"""Celery entry points of the survey schedule: a static beat entry fans out one task per organisation.

SURVEYS_BEAT_SECONDS (environment, default 900) sets how often the schedule runs; a demo uses 15.
SURVEYS_FAN_OUT_CHUNK (default 500) is how many people one invitation or reminder task takes.
Tasks take `now` (ISO 8601) so tests can move time; without it they use the clock.
"""

from __future__ import annotations

import datetime
import logging
import os
import time

from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone

from staff.models import Organisation
from staff.tasks import fan_out

from . import services
from .models import SurveyRound

logger = logging.getLogger(__name__)

BEAT_SECONDS = float(os.environ.get("SURVEYS_BEAT_SECONDS", "900"))
# People per fan-out task: one transaction and a handful of queries each, whatever the size.
FAN_OUT_CHUNK = int(os.environ.get("SURVEYS_FAN_OUT_CHUNK", "500"))

BEAT_SCHEDULE = {
    "surveys-schedule": {"task": "surveys.tasks.surveys_tick_all", "schedule": BEAT_SECONDS},
    # Daily, Europe/Stockholm: an open action plan reminds its owner on its follow-up date (once).
    "surveys-action-plan-reminders": {
        "task": "surveys.tasks.action_plan_reminders_all",
        "schedule": crontab(hour=7, minute=10),
    },
}


def _now(now: str | None) -> datetime.datetime:
    return datetime.datetime.fromisoformat(now) if now else timezone.now()


@shared_task(acks_late=True)
def surveys_tick_all(*, now: str | None = None, pause: float = 0, chunk_size: int | None = None) -> int:
    """Fan out: one task per organisation, so one organisation's failure never stops another's."""
    return fan_out(surveys_tick, now=now, pause=pause, chunk_size=chunk_size)


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=60)
def surveys_tick(
    self, *, organisation_id: int, now: str | None = None, pause: float = 0, chunk_size: int | None = None
) -> dict:
    """Open and close for one organisation, decide who is due, and queue one task per chunk of people.

    Any worker takes a chunk, so two workers share one organisation's invitations. Every step is idempotent:
    a tick racing another tick, or the next tick after a worker died, queues chunks whose people are skipped
    by the unique keys if they were done already.
    """
    organisation = Organisation.objects.get(pk=organisation_id)
    moment = _now(now)
    try:
        result = services.round_tick(organisation=organisation, now=moment, chunk_size=chunk_size or FAN_OUT_CHUNK)
    except Exception as exc:
        logger.exception("surveys: schedule failed for organisation %s", organisation_id)
        raise self.retry(exc=exc) from exc
    chunks = result.pop("fan_out")
    for chunk in chunks:
        task = surveys_invite_chunk if chunk.kind == "invite" else surveys_remind_chunk
        task.delay(
            organisation_id=organisation_id, round_id=chunk.round_id, ids=chunk.ids, now=moment.isoformat(), pause=pause
        )
    return {**result, "chunks": len(chunks)}


def _chunk(self, kind: str, *, organisation_id: int, round_id: int, ids: list[int], now: str, pause: float) -> int:
    organisation = Organisation.objects.get(pk=organisation_id)
    survey_round = SurveyRound.objects.filter(organisation=organisation, pk=round_id).first()
    if survey_round is None:  # deleted since the tick: nothing to do
        return 0
    moment = _now(now)
    try:
        if kind == "invite":
            done = services.round_invite_chunk(
                organisation=organisation, survey_round=survey_round, staff_ids=ids, now=moment
            )
        else:
            done = services.round_remind_chunk(
                organisation=organisation, survey_round=survey_round, invitation_ids=ids, now=moment
            )
    except Exception as exc:
        logger.exception("surveys: a fan-out chunk failed for organisation %s", organisation_id)
        raise self.retry(exc=exc) from exc
    if pause:  # tests and fault scripts pace the fan-out so that a crash lands mid-batch
        time.sleep(pause)
    return done


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def surveys_invite_chunk(
    self, *, organisation_id: int, round_id: int, ids: list[int], now: str, pause: float = 0
) -> int:
    """Invite one chunk of staff (ids) in one transaction; people invited already are skipped."""
    return _chunk(self, "invite", organisation_id=organisation_id, round_id=round_id, ids=ids, now=now, pause=pause)


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def surveys_remind_chunk(
    self, *, organisation_id: int, round_id: int, ids: list[int], now: str, pause: float = 0
) -> int:
    """Remind one chunk of invitations (ids) in one transaction; each stage is claimed once."""
    return _chunk(self, "remind", organisation_id=organisation_id, round_id=round_id, ids=ids, now=now, pause=pause)


@shared_task
def action_plan_reminders_all(*, today: str | None = None) -> int:
    return fan_out(action_plan_reminders, today=today)


@shared_task(acks_late=True)
def action_plan_reminders(*, organisation_id: int, today: str | None = None) -> int:
    """Remind the owners of the organisation's open plans whose follow-up date has come (idempotent)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return services.action_plan_reminders_send(organisation=organisation, today=day)
