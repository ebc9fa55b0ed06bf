"""Deadline reminders: once per investigation, threshold and person; managers from the target date on."""

import datetime

import pytest

from caseload.services import deadline_reminders_send
from staff.models import Notification
from tests.caseload.factories import case


def _keys():
    return sorted(Notification.objects.values_list("key", "recipient__first_name"))


def test_thresholds_notify_once_each(ladder):
    w = ladder
    c = case(w.unit, "REM-1", main=w.bob, co=w.carol, start=datetime.date(2024, 1, 31))
    inv = c.investigations.get()
    run = lambda day: deadline_reminders_send(organisation=w.org, today=day)  # noqa: E731
    assert run(datetime.date(2024, 3, 30)) == 0  # day 59
    assert run(datetime.date(2024, 3, 31)) == 1  # day 60: the main handler
    assert run(datetime.date(2024, 4, 1)) == 0  # nothing twice
    assert run(datetime.date(2024, 4, 15)) == 1  # day 75
    assert run(datetime.date(2024, 4, 30)) == 3  # target date: Bob, and the managers Alice and Ivan
    assert run(datetime.date(2024, 5, 2)) == 0
    assert run(datetime.date(2024, 5, 31)) == 3  # legal deadline
    assert run(datetime.date(2024, 5, 31)) == 0
    keys = [k for k, _ in _keys()]
    assert f"deadline:{inv.pk}:first:staff:{w.bob.pk}" in keys
    assert f"deadline:{inv.pk}:target:staff:{w.alice.pk}" in keys
    assert f"deadline:{inv.pk}:legal-2024-05-31:staff:{w.ivan.pk}" in keys
    assert not Notification.objects.filter(recipient=w.carol).exists()
    subjects = set(Notification.objects.values_list("subject", flat=True))
    assert "Ärende REM-1: måldatumet 2024-04-30 är nått" in subjects


def test_closed_investigations_and_other_organisations_are_left_alone(ladder):
    case(ladder.unit, "REM-2", main=ladder.bob, start=datetime.date(2024, 1, 2), closed_on=datetime.date(2024, 3, 1))
    assert deadline_reminders_send(organisation=ladder.org, today=datetime.date(2024, 6, 1)) == 0
    assert deadline_reminders_send(organisation=ladder.other_org, today=datetime.date(2024, 6, 1)) == 0


@pytest.mark.celery_worker
def test_daily_job_sends_each_reminder_exactly_once_through_a_real_worker(ladder, celery_worker):
    from caseload.tasks import deadline_reminders_all

    w = ladder
    w.bob.email = "bob@alfa.example"
    w.bob.save()
    today = datetime.date.today()
    case(w.unit, "REM-3", main=w.bob, co=w.carol, start=today - datetime.timedelta(days=61))
    deadline_reminders_all.delay()
    deadline_reminders_all.delay()  # a second run the same day (a retry, a second beat) sends nothing more
    celery_worker.wait_until(lambda: Notification.objects.filter(emailed_at__isnull=False).count() >= 1)
    import time

    time.sleep(3)
    mails = celery_worker.mails()
    assert len(mails) == 1
    assert "REM-3" in mails[0]
    assert Notification.objects.count() == 1
