"""Celery entry points of the staff app: thin, load by id, call a service, idempotent."""

from __future__ import annotations

import datetime
import logging
import os

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from staff.models import Notification, Organisation
from staff.platform.audit.services import emailed_reads
from staff.platform.bulk import claim

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
RESEND_BATCH = 500  # notifications per queued e-mail task
BEAT_SCHEDULE: dict = {
    # Retention (gallring) of every organisation, at night: see staff/platform/retention/tasks.py.
    "retention-daily": {"task": "staff.retention.tasks.retention_all", "schedule": crontab(hour=2, minute=30)},
    "notification-emails-resend": {
        "task": "staff.tasks.notification_emails_resend_all",
        "schedule": RESEND_EVERY_SECONDS,
    },
    # Expired sessions out of the session table (what `manage.py clearsessions` does), every night.
    "sessions-clear-expired": {"task": "staff.tasks.sessions_clear_expired", "schedule": crontab(hour=3, minute=10)},
    # Leaving ends access (docs/trust-signin.md): shortly after midnight, when yesterday was someone's last day.
    "leavers-access-end": {"task": "staff.tasks.leavers_access_end_all", "schedule": crontab(hour=0, minute=5)},
    # New files in the imports' drop folder (staff/imports/drop.py), when IMPORT_DROP_DIR is set.
    "imports-drop-folder": {
        "task": "staff.imports.tasks.import_drop_folder_all",
        "schedule": settings.IMPORT_DROP_EVERY_SECONDS,
    },
    # Uploaded import files not applied within a day are wiped (their runs keep the plans).
    "imports-files-expire": {"task": "staff.imports.tasks.import_files_expire_all", "schedule": crontab(minute=40)},
}


@shared_task(acks_late=True)
def sessions_clear_expired() -> None:
    """Delete the sessions past their expiry date: the session engine's own `clear_expired`."""
    from importlib import import_module

    from staff.platform.sessions import forget_ended

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    forget_ended()  # the recorded keys of sessions that are gone


@shared_task(acks_late=True)
def leavers_access_end_all() -> int:
    """Fan out: one task per organisation (row-level security: each runs with its organisation set)."""
    return fan_out(leavers_access_end)


@shared_task(acks_late=True)
def leavers_access_end(*, organisation_id: int) -> int:
    """End the access of the organisation's leavers whose login is still on; returns how many. Idempotent."""
    from staff.services import leavers_access_end as end

    return len(end(organisation=Organisation.objects.get(pk=organisation_id), today=timezone.localdate()))


EMAIL_CLAIM_GROUP = 50


class _EmailFailed(Exception):
    def __init__(self, unsent: list[int]) -> None:
        super().__init__(f"{len(unsent)} notifications not e-mailed")
        self.unsent = unsent


def _email(*, organisation_id: int, notification_ids: list[int], connection) -> int:
    """E-mail notifications over one mail connection; returns how many were sent.

    Claims a group at a time with one guarded UPDATE (`emailed_at IS NULL`), so a row another task or the
    resend task claimed is skipped and none is sent twice; a worker killed mid-batch loses at most the
    group it had claimed, and rows it had not claimed yet are picked up by the resend task. On a failure
    the group's claimed but unsent rows are released and _EmailFailed names them with the groups not
    yet reached.
    """
    sent, pending = 0, list(notification_ids)
    while pending:
        group, pending = pending[:EMAIL_CLAIM_GROUP], pending[EMAIL_CLAIM_GROUP:]
        claimed = claim(
            Notification,
            pks=group,
            organisation_id=organisation_id,
            values={"emailed_at": timezone.now()},
            guard='"emailed_at" IS NULL',
        )
        rows: list = []
        done: list[int] = []
        try:
            rows = list(
                Notification.objects.filter(organisation_id=organisation_id, pk__in=claimed)
                .order_by("pk")
                .values_list(
                    "pk",
                    "subject",
                    "body",
                    "url",
                    "recipient__email",
                    "recipient_id",
                    "recipient__user_id",
                    "case_refs",
                )
            )
            if unreadable := sorted(set(claimed) - {row[0] for row in rows}):
                # Claimed but not readable with its recipient: under row-level security a recipient of another
                # organisation is invisible (a bug elsewhere). Left claimed, so never sent; ids only in the log.
                logger.error(
                    "notifications %s of organisation %s: recipient not readable, not e-mailed",
                    unreadable,
                    organisation_id,
                )
            if not rows:  # nothing to send: open no connection (the file backend would write an empty file)
                continue
            connection.open()  # once: later calls find it open
            for pk, subject, body, url, address, staff_id, user_id, refs in rows:
                if refs:
                    # The case numbers the e-mail names are a read by its recipient (docs/trust.md), written
                    # before it is sent: a failed INSERT sends nothing (the except releases it). A savepoint,
                    # so that a failed INSERT leaves the connection usable for the release.
                    with transaction.atomic():
                        emailed_reads(organisation_id=organisation_id, sent=[(staff_id, user_id, refs)])
                link = f"\n\n{settings.SITE_URL}{url}" if url else ""
                EmailMessage(
                    subject, f"{body}{link}", settings.DEFAULT_FROM_EMAIL, [address], connection=connection
                ).send()
                done.append(pk)
        except Exception as exc:
            # Release what was claimed and not sent: the rows read (or all claimed, when the read failed),
            # never the unreadable ones, which stay claimed.
            sent_now = set(done)
            readable = [row[0] for row in rows] if rows else list(claimed)
            unsent = [pk for pk in readable if pk not in sent_now]
            Notification.objects.filter(pk__in=unsent).update(emailed_at=None)
            # The log names ids and counts only, never people.
            logger.warning("%s notifications of organisation %s: e-mail failed", len(unsent), organisation_id)
            raise _EmailFailed(unsent + pending) from exc
        sent += len(done)
    return sent


def _email_or_retry(task, *, organisation_id: int, notification_ids: list[int], retry_kwargs) -> int:
    """_email over a connection of its own; on a failure the task is retried with retry_kwargs(unsent ids)."""
    connection = get_connection()
    try:
        return _email(organisation_id=organisation_id, notification_ids=notification_ids, connection=connection)
    except _EmailFailed as failed:
        raise task.retry(exc=failed.__cause__, kwargs=retry_kwargs(failed.unsent)) from failed.__cause__
    finally:
        connection.close()


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_notification_email(self, *, organisation_id: int, notification_id: int) -> bool:
    """E-mail one notification (claimed first, so two workers never both send); False if already sent."""
    kwargs = {"organisation_id": organisation_id, "notification_id": notification_id}
    return bool(
        _email_or_retry(
            self, organisation_id=organisation_id, notification_ids=[notification_id], retry_kwargs=lambda _: kwargs
        )
    )


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_notification_emails(self, *, organisation_id: int, notification_ids: list[int]) -> int:
    """E-mail a batch of notifications (a fan-out chunk's) over one mail connection; a failure retries
    only what was not sent."""
    return _email_or_retry(
        self,
        organisation_id=organisation_id,
        notification_ids=notification_ids,
        retry_kwargs=lambda unsent: {"organisation_id": organisation_id, "notification_ids": unsent},
    )


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
    """Queue the e-mail of the unsent notifications again, in batches (each claimed once by the task)."""
    pks = list(
        _unsent(older_than_seconds=older_than_seconds)
        .filter(organisation_id=organisation_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(pks), RESEND_BATCH):
        send_notification_emails.delay(
            organisation_id=organisation_id, notification_ids=pks[start : start + RESEND_BATCH]
        )
    return len(pks)


# The file imports' tasks (staff/imports/tasks.py), registered with the worker through this module.
from staff.imports.tasks import (  # noqa: E402,F401
    import_apply,
    import_drop_folder,
    import_drop_folder_all,
    import_files_expire,
    import_files_expire_all,
    import_preview,
)
