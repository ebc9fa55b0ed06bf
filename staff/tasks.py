"""Celery entry points of the staff app: thin, load by id, call a service, idempotent."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

BEAT_SCHEDULE: dict = {
    # Retention (gallring) of every organisation, at night: see staff/retention/tasks.py.
    "retention-daily": {"task": "staff.retention.tasks.retention_all", "schedule": crontab(hour=2, minute=30)},
}


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_notification_email(self, *, organisation_id: int, notification_id: int) -> bool:
    """E-mail one notification. A guarded update claims it first, so two workers never both send."""
    claimed = Notification.objects.filter(
        organisation_id=organisation_id, pk=notification_id, emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(
        organisation_id=organisation_id, pk=notification_id
    )
    link = f"\n\n{settings.SITE_URL}{notification.url}" if notification.url else ""
    try:
        send_mail(
            notification.subject,
            f"{notification.body}{link}",
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
        )
    except Exception as exc:
        # Release the claim so the retry can send; the log names ids only, never people.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        logger.warning("notification %s of organisation %s: e-mail failed", notification_id, organisation_id)
        raise self.retry(exc=exc) from exc
    return True
