"""The schedule with a real Celery worker: open, invite, remind non-respondents, close; crash-safe; per org."""

import re
import time
from collections import Counter

import pytest

from staff.models import Notification, Role
from staff.tasks import notification_emails_resend
from surveys.models import Invitation, SurveyRound, UnitSnapshot
from surveys.services import answer_submit
from surveys.tasks import surveys_tick, surveys_tick_all
from tests.surveys.conftest import add_workers, at

pytestmark = pytest.mark.celery_worker


def _tick(world, moment, **kwargs):
    surveys_tick.delay(organisation_id=world.org.pk, now=moment.isoformat(), **kwargs)


def _messages(worker) -> list[str]:
    """Every e-mail the worker sent (split per message by WorkerProcess.mails)."""
    return worker.mails()


def _recipients(mails):
    return Counter(re.search(r"^To: (.+)$", m, re.M).group(1).strip() for m in mails)


def test_full_round_opens_reminds_and_closes_by_itself(emails, celery_worker):
    world = emails
    from caseload.models import Case

    for n in range(4):
        Case.objects.create(organisation=world.org, unit=world.unit, number=f"U-{n}", opened_on=at(2026, 9, 1).date())

    _tick(world, at(2026, 11, 30, 12, 0))  # before the default opening (first weekday of December, 08:00)
    celery_worker.wait_until(lambda: SurveyRound.objects.filter(organisation=world.org).exists())
    survey_round = SurveyRound.objects.get(organisation=world.org)
    assert survey_round.status == "scheduled" and survey_round.opens_at == at(2026, 12, 1, 8, 0)
    assert survey_round.closes_at == at(2026, 12, 15, 8, 0)

    _tick(world, at(2026, 12, 1, 8, 5))
    celery_worker.wait_until(lambda: Invitation.objects.filter(round=survey_round).count() == 3)
    celery_worker.wait_until(lambda: len(_messages(celery_worker)) == 3, timeout=90)
    assert set(Invitation.objects.values_list("staff__first_name", flat=True)) == {"Bob", "Carol", "Heidi"}
    assert Notification.objects.filter(subject="Enkät T3 2026 är öppen").count() == 3
    assert "Tre korta påståenden om din arbetssituation" in _messages(celery_worker)[0]

    answer_submit(
        organisation=world.org,
        survey_round=SurveyRound.objects.get(pk=survey_round.pk),
        staff=world.bob,
        scores={"q1": 4, "q2": 4, "q3": 5},
        motivations={},
        now=at(2026, 12, 2, 10, 0),
    )
    _tick(world, at(2026, 12, 4, 8, 10))  # 72 hours after opening: only non-respondents
    celery_worker.wait_until(lambda: len(_messages(celery_worker)) == 5, timeout=90)
    _tick(world, at(2026, 12, 4, 9, 10))  # the same day again: nothing more
    _tick(world, at(2026, 12, 14, 9, 0))  # 24 hours before closing: the last reminder
    celery_worker.wait_until(lambda: len(_messages(celery_worker)) == 7, timeout=90)
    reminders = [m for m in _messages(celery_worker) if "Du har inte svarat" in m]
    assert _recipients(reminders) == {"carol@alfa.example": 2, "heidi@alfa.example": 2}

    _tick(world, at(2026, 12, 15, 8, 1))
    celery_worker.wait_until(lambda: SurveyRound.objects.get(pk=survey_round.pk).status == "closed")
    snapshot = UnitSnapshot.objects.get(round=survey_round, unit=world.unit)
    assert (snapshot.employees, snapshot.open_cases, str(snapshot.cases_per_employee)) == (2, 4, "2.00")
    time.sleep(1)
    assert len(_messages(celery_worker)) == 7


def test_worker_killed_while_reminding_sends_nobody_twice(emails, celery_worker):
    world = emails
    add_workers(world.unit, 30)
    _tick(world, at(2026, 12, 1, 8, 5))
    celery_worker.wait_until(lambda: Invitation.objects.count() == 33)
    celery_worker.wait_until(lambda: len(_messages(celery_worker)) == 33, timeout=90)

    # Chunks of three, paced, so the crash lands mid-batch; each chunk is one transaction.
    _tick(world, at(2026, 12, 4, 8, 10), pause=0.5, chunk_size=3)
    reminders = Notification.objects.filter(key__contains=":remind:")
    celery_worker.wait_until(lambda: reminders.count() >= 5)
    celery_worker.kill()
    sent_before_crash = reminders.count()
    assert sent_before_crash < 33, "the crash should interrupt the batch"
    assert sent_before_crash % 3 == 0, "whole chunks only: nothing half-written"

    celery_worker.start()
    _tick(world, at(2026, 12, 4, 8, 20), chunk_size=3)  # the next beat after the restart
    celery_worker.wait_until(lambda: reminders.count() == 33, timeout=90)
    # E-mail batches queued by the killed worker come back only after the broker's visibility timeout: the
    # resend task (every 5 minutes in production) queues them now; each row is claimed once.
    notification_emails_resend.delay(organisation_id=world.org.pk, older_than_seconds=0)
    celery_worker.wait_until(lambda: reminders.filter(emailed_at__isnull=True).count() == 0, timeout=90)
    time.sleep(2)
    counts = _recipients([m for m in _messages(celery_worker) if "Du har inte svarat" in m])
    assert max(counts.values()) == 1
    # At most the batches the killed worker had claimed (one of three per pool process) are lost, never doubled.
    assert len(counts) >= 33 - 6
    assert Counter(reminders.values_list("recipient_id", flat=True)).most_common(1)[0][1] == 1


def test_two_organisations_in_one_run_get_only_their_own_people(emails, celery_worker):
    world = emails
    beta_people = add_workers(world.other_unit, 2, prefix="b", email_domain="beta.example")
    surveys_tick_all.delay(now=at(2026, 12, 1, 8, 5).isoformat())
    celery_worker.wait_until(lambda: Invitation.objects.count() == 5)
    celery_worker.wait_until(lambda: len(_messages(celery_worker)) == 5, timeout=90)
    for notification in Notification.objects.select_related("recipient"):
        assert notification.recipient.organisation_id == notification.organisation_id
    beta_ids = {p.pk for p in beta_people}
    assert set(Invitation.objects.filter(organisation=world.other_org).values_list("staff_id", flat=True)) == beta_ids
    for message in _messages(celery_worker):
        to = re.search(r"^To: (.+)$", message, re.M).group(1)
        domain = to.split("@")[1].strip()
        body = message.split("\n\n", 1)[1]
        assert "Bob" not in body and "B0" not in body and "Testsson" not in body
        assert domain in {"alfa.example", "beta.example"}
    assert SurveyRound.objects.filter(organisation=world.other_org, status="open").count() == 1
    assert not Invitation.objects.filter(organisation=world.org, staff__organisation=world.other_org).exists()
    assert Role  # roles come from the world fixture


def test_one_organisations_failure_does_not_stop_another(emails, celery_worker):
    world = emails
    from surveys.models import SurveySettings

    add_workers(world.other_unit, 2, prefix="b", email_domain="beta.example")
    # A broken setting written behind the form's back: Beta's schedule cannot compute its window.
    SurveySettings.objects.create(organisation=world.other_org)
    SurveySettings.objects.filter(organisation=world.other_org).update(open_hour=99)
    surveys_tick_all.delay(now=at(2026, 12, 1, 8, 5).isoformat())
    celery_worker.wait_until(lambda: Invitation.objects.filter(organisation=world.org).count() == 3)
    failed = f"surveys: schedule failed for organisation {world.other_org.pk}"
    celery_worker.wait_until(lambda: any(failed in line for line in celery_worker.output), timeout=60)
    assert not SurveyRound.objects.filter(organisation=world.other_org).exists()
    assert SurveyRound.objects.get(organisation=world.org).status == "open"
