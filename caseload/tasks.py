"""Celery entry points of the caseload app: a daily fan-out, one thin idempotent task per organisation."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from staff.models import Organisation
from staff.tasks import fan_out

BEAT_SCHEDULE = {
    "caseload-deadline-reminders": {
        "task": "caseload.tasks.deadline_reminders_all",
        "schedule": crontab(hour=6, minute=15),
    },
    "caseload-review-form-reminders": {
        "task": "caseload.tasks.review_reminders_all",
        "schedule": crontab(hour=7, minute=0),
    },
    "caseload-cycles-roll-forward": {
        "task": "caseload.tasks.cycles_roll_forward_all",
        "schedule": crontab(hour=5, minute=45),
    },
    # The organisation-wide coverage that unit pages compare with (caseload.models.CoverageFigure).
    "caseload-coverage-count": {
        "task": "caseload.tasks.coverage_count_all",
        "schedule": float(max(settings.CASELOAD_ORGANISATION_FIGURES_SECONDS, 60)),
    },
}


@shared_task
def coverage_count_all() -> int:
    return fan_out(coverage_count)


@shared_task(acks_late=True)
def coverage_count(*, organisation_id: int) -> None:
    from .services import coverage_figure_count

    coverage_figure_count(organisation=Organisation.objects.get(pk=organisation_id))


@shared_task
def deadline_reminders_all() -> int:
    return fan_out(deadline_reminders)


@shared_task(acks_late=True)
def deadline_reminders(*, organisation_id: int) -> int:
    from .services import deadline_reminders_send

    organisation = Organisation.objects.get(pk=organisation_id)
    return deadline_reminders_send(organisation=organisation, today=timezone.localdate())


@shared_task
def cycles_roll_forward_all() -> int:
    return fan_out(cycles_roll_forward)


@shared_task(acks_late=True)
def cycles_roll_forward(*, organisation_id: int) -> int:
    """Make every unit's current and next allocation cycle exist (idempotent)."""
    from .meeting.services import cycles_roll_forward as roll

    organisation = Organisation.objects.get(pk=organisation_id)
    return roll(organisation=organisation, today=timezone.localdate())


@shared_task
def review_reminders_all() -> int:
    return fan_out(review_reminders)


@shared_task(acks_late=True)
def review_reminders(*, organisation_id: int) -> int:
    """Remind workers to fill in the review form, once per threshold before the allocation Monday."""
    from .meeting.reviews import review_reminders_send

    organisation = Organisation.objects.get(pk=organisation_id)
    return review_reminders_send(organisation=organisation, today=timezone.localdate())
