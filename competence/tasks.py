"""Celery entry points of the competence app: thin, one task per organisation, idempotent."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from staff.models import Organisation
from staff.tasks import fan_out

BEAT_SCHEDULE = {
    "competence-appointment-renewal-reminders": {
        "task": "competence.tasks.fan_out_appointment_reminders",
        "schedule": crontab(hour=6, minute=15),
    }
}


@shared_task
def fan_out_appointment_reminders() -> int:
    return fan_out(send_appointment_reminders)


@shared_task(acks_late=True)
def send_appointment_reminders(*, organisation_id: int) -> int:
    from .services import appointment_renewal_reminders

    organisation = Organisation.objects.get(pk=organisation_id)
    return appointment_renewal_reminders(organisation=organisation)
