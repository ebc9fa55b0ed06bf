"""Notifications are rows with a unique key before they are e-mails: a real worker sends each once."""

import pytest
from django.core.mail.backends import locmem
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


class _FailingOnThird(locmem.EmailBackend):
    """Sends two messages, then the mail server goes away."""

    def send_messages(self, messages):
        if len(self.sent) >= 2:
            raise ConnectionError("mail server gone")
        self.sent.extend(messages)
        return super().send_messages(messages)

    sent: list


def test_a_failed_e_mail_releases_what_was_not_sent_and_names_it_for_the_retry(world):
    """One batch task: the two sent stay sent, the one that failed and the ones not reached are released
    (emailed_at empty again) and handed to the retry, so none is lost and none is sent twice."""
    from staff import tasks

    world.bob.email = "bob@alfa.example"
    world.bob.save()
    pks = [
        notify(organisation=world.org, recipient=world.bob, key=f"n{i}", subject=f"Nr {i}", email=False)[0].pk
        for i in range(5)
    ]
    connection = _FailingOnThird()
    connection.sent = []

    with pytest.raises(tasks._EmailFailed) as failed:
        tasks._email(organisation_id=world.org.pk, notification_ids=pks, connection=connection)

    assert [m.subject for m in connection.sent] == ["Nr 0", "Nr 1"]
    assert sorted(failed.value.unsent) == pks[2:]
    emailed = dict(Notification.objects.values_list("pk", "emailed_at"))
    assert all(emailed[pk] is not None for pk in pks[:2])
    assert all(emailed[pk] is None for pk in pks[2:])
    # The retry sends the rest, and a second run of the same ids sends nothing more.
    retry = locmem.EmailBackend()
    assert tasks._email(organisation_id=world.org.pk, notification_ids=failed.value.unsent, connection=retry) == 3
    assert tasks._email(organisation_id=world.org.pk, notification_ids=pks, connection=retry) == 0
