"""Celery entry points of the staff app: thin, load by id, call a service, idempotent."""

from __future__ import annotations

import datetime
import logging
import os

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.utils import timezone

from .bulk import claim
from .models import Notification, Organisation

logger = logging.getLogger(__name__)


def fan_out(task, **kwargs) -> int:
    """Queue `task(organisation_id=..., **kwargs)` once per organisation; returns how many were queued.

    Periodic jobs go through this: one organisation's failure never stops another's, and it reads only
    Organisation, which has no row-level security (under it a query over every organisation's rows sees none).
    """
    ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    for organisation_id in ids:
        task.delay(organisation_id=organisation_id, **kwargs)
    return len(ids)


RESEND_EVERY_SECONDS = float(os.environ.get("NOTIFICATION_RESEND_SECONDS", "300"))
RESEND_AFTER_SECONDS = float(os.environ.get("NOTIFICATION_RESEND_AFTER_SECONDS", "120"))
BEAT_SCHEDULE: dict = {
    # Retention (gallring) of every organisation, at night: see staff/retention/tasks.py.
    "retention-daily": {"task": "staff.retention.tasks.retention_all", "schedule": crontab(hour=2, minute=30)},
    "notification-emails-resend": {
        "task": "staff.tasks.notification_emails_resend_all",
        "schedule": RESEND_EVERY_SECONDS,
    },
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


EMAIL_CLAIM_GROUP = 50


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_notification_emails(self, *, organisation_id: int, notification_ids: list[int]) -> int:
    """E-mail a batch of notifications (a fan-out chunk's) over one mail connection.

    Claims a group at a time with one guarded UPDATE (`emailed_at IS NULL`), so a row another task or the
    resend task claimed is skipped and none is sent twice; a worker killed mid-batch loses at most the
    group it had claimed, and rows it had not claimed yet are picked up by the resend task.
    """
    sent, pending = 0, list(notification_ids)
    connection = get_connection()
    try:
        while pending:
            group, pending = pending[:EMAIL_CLAIM_GROUP], pending[EMAIL_CLAIM_GROUP:]
            claimed = claim(
                Notification,
                pks=group,
                organisation_id=organisation_id,
                values={"emailed_at": timezone.now()},
                guard='"emailed_at" IS NULL',
            )
            rows = Notification.objects.filter(organisation_id=organisation_id, pk__in=claimed).values_list(
                "pk", "subject", "body", "url", "recipient__email"
            )
            done: list[int] = []
            try:
                connection.open()  # once: later calls find it open
                for pk, subject, body, url, address in rows:
                    link = f"\n\n{settings.SITE_URL}{url}" if url else ""
                    EmailMessage(
                        subject, f"{body}{link}", settings.DEFAULT_FROM_EMAIL, [address], connection=connection
                    ).send()
                    done.append(pk)
            except Exception as exc:
                # Release what this group claimed but did not send; retry those and the groups not yet reached.
                sent_now = set(done)
                unsent = [pk for pk in claimed if pk not in sent_now]
                Notification.objects.filter(pk__in=unsent).update(emailed_at=None)
                logger.warning("%s notifications of organisation %s: e-mail failed", len(unsent), organisation_id)
                raise self.retry(
                    exc=exc, kwargs={"organisation_id": organisation_id, "notification_ids": unsent + pending}
                ) from exc
            sent += len(done)
    finally:
        connection.close()
    return sent


def _unsent(*, older_than_seconds: float, within_hours: int = 24):
    """Notifications to a person with an address that were not e-mailed: the broker was down when created."""
    now = timezone.now()
    return Notification.objects.filter(
        emailed_at__isnull=True,
        created_at__lte=now - datetime.timedelta(seconds=older_than_seconds),
        created_at__gte=now - datetime.timedelta(hours=within_hours),
    ).exclude(recipient__email="")


@shared_task(acks_late=True)
def notification_emails_resend_all(*, older_than_seconds: float = RESEND_AFTER_SECONDS) -> int:
    """Fan out: one resend task per organisation. It reads only Organisation: under row-level security a
    query over every organisation's notifications sees none (docs/trust-rls.md)."""
    return fan_out(notification_emails_resend, older_than_seconds=older_than_seconds)


@shared_task(acks_late=True)
def notification_emails_resend(
    *, organisation_id: int, older_than_seconds: float = RESEND_AFTER_SECONDS, limit: int = 1000
) -> int:
    """Queue the e-mail of each unsent notification again; send_notification_email claims each once."""
    pks = list(
        _unsent(older_than_seconds=older_than_seconds)
        .filter(organisation_id=organisation_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pks:
        send_notification_email.delay(organisation_id=organisation_id, notification_id=pk)
    return len(pks)
