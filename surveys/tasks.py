"""Celery entry points of the survey schedule: a static beat entry fans out one task per organisation.

SURVEYS_BEAT_SECONDS (environment, default 900) sets how often the schedule runs; a demo uses 15.
Tasks take `now` (ISO 8601) so tests can move time; without it they use the clock.
"""

from __future__ import annotations

import datetime
import logging
import os

from celery import shared_task
from django.utils import timezone

from staff.models import Organisation

from . import services

logger = logging.getLogger(__name__)

BEAT_SECONDS = float(os.environ.get("SURVEYS_BEAT_SECONDS", "900"))

BEAT_SCHEDULE = {
    "surveys-schedule": {"task": "surveys.tasks.surveys_tick_all", "schedule": BEAT_SECONDS},
}


def _now(now: str | None) -> datetime.datetime:
    return datetime.datetime.fromisoformat(now) if now else timezone.now()


@shared_task(acks_late=True)
def surveys_tick_all(*, now: str | None = None, pause: float = 0) -> int:
    """Fan out: one task per organisation, so one organisation's failure never stops another's."""
    ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    for organisation_id in ids:
        surveys_tick.delay(organisation_id=organisation_id, now=now, pause=pause)
    return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=60)
def surveys_tick(self, *, organisation_id: int, now: str | None = None, pause: float = 0) -> dict:
    """Open, invite, remind and close for one organisation. Every step is idempotent."""
    organisation = Organisation.objects.get(pk=organisation_id)
    try:
        return services.round_tick(organisation=organisation, now=_now(now), pause=pause)
    except Exception as exc:
        logger.exception("surveys: schedule failed for organisation %s", organisation_id)
        raise self.retry(exc=exc) from exc
