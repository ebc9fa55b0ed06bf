"""E-mails a stopped broker could not queue are sent later, once: staff.tasks.notification_emails_resend_all."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from staff.models import Notification
from staff.tasks import _unsent


@pytest.mark.django_db
def test_only_recent_unsent_notifications_to_people_with_an_address_are_picked(world):
    world.bob.email = "bob@alfa.example"
    world.bob.save()
    now = timezone.now()
    rows = {}
    for key, recipient, age_minutes, emailed in [
        ("waiting", world.bob, 5, False),
        ("just-made", world.bob, 0, False),  # its own task may still be on its way
        ("sent", world.bob, 5, True),
        ("too-old", world.bob, 60 * 25, False),
        ("no-address", world.alice, 5, False),
    ]:
        rows[key] = Notification.objects.create(
            organisation=world.org, recipient=recipient, key=key, subject=key, emailed_at=now if emailed else None
        )
        Notification.objects.filter(pk=rows[key].pk).update(created_at=now - datetime.timedelta(minutes=age_minutes))

    picked = set(_unsent(older_than_seconds=120).values_list("key", flat=True))

    assert picked == {"waiting"}


@pytest.mark.celery_worker
def test_the_resend_task_e_mails_a_kept_notification_once(world, celery_worker):
    from staff.tasks import notification_emails_resend_all

    world.bob.email = "bob@alfa.example"
    world.bob.save()
    kept = Notification.objects.create(organisation=world.org, recipient=world.bob, key="kept", subject="Enkat T3")
    Notification.objects.filter(pk=kept.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))

    notification_emails_resend_all.delay(older_than_seconds=120)
    notification_emails_resend_all.delay(older_than_seconds=120)  # a second tick before the first finished

    celery_worker.wait_until(lambda: Notification.objects.get(pk=kept.pk).emailed_at is not None)
    celery_worker.wait_until(lambda: len(celery_worker.mails()) >= 1)
    import time

    time.sleep(2)
    mails = celery_worker.mails()
    assert len(mails) == 1
    assert "Subject: Enkat T3" in mails[0]
