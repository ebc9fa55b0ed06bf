"""Notifications are rows with a unique key before they are e-mails: a real worker sends each once."""

import pytest
from django.urls import reverse

from staff.models import Notification
from staff.services import notify


def test_notify_twice_creates_one_row(world):
    first, created = notify(organisation=world.org, recipient=world.bob, key="k1", subject="Påminnelse", email=False)
    again, created_again = notify(
        organisation=world.org, recipient=world.bob, key="k1", subject="Påminnelse", email=False
    )
    assert created and not created_again and first.pk == again.pk
    assert Notification.objects.count() == 1


def test_notify_refuses_foreign_recipient(world):
    from django.http import Http404

    with pytest.raises(Http404):
        notify(organisation=world.org, recipient=world.charlie, key="x", subject="s", email=False)


def test_notifications_page_shows_only_own(world):
    notify(organisation=world.org, recipient=world.bob, key="b", subject="Till Bob", email=False)
    notify(organisation=world.org, recipient=world.alice, key="a", subject="Till Alice", email=False)
    html = world.client("bob").get(reverse("staff:notifications")).content.decode()
    assert "Till Bob" in html and "Till Alice" not in html
    world.client("bob").post(reverse("staff:notifications"))
    assert Notification.objects.get(key="b").read_at is not None
    assert Notification.objects.get(key="a").read_at is None


@pytest.mark.celery_worker
def test_real_worker_emails_each_notification_once(world, celery_worker):
    from django.db import transaction

    from staff.tasks import send_notification_email

    world.bob.email = "bob@alfa.example"
    world.bob.save()
    with transaction.atomic():
        notification, _ = notify(organisation=world.org, recipient=world.bob, key="once", subject="Utredning dag 60")
    # A retried or duplicated message for the same notification sends nothing more.
    send_notification_email.delay(organisation_id=world.org.pk, notification_id=notification.pk)
    send_notification_email.delay(organisation_id=world.org.pk, notification_id=notification.pk)
    celery_worker.wait_until(lambda: Notification.objects.get(pk=notification.pk).emailed_at is not None)
    celery_worker.wait_until(lambda: len(celery_worker.mails()) >= 1)
    import time

    time.sleep(2)  # give the duplicate messages time to be (not) delivered
    mails = celery_worker.mails()
    assert len(mails) == 1
    assert "Utredning dag 60" in mails[0]
