"""The survey fan-out in chunks: any worker takes a chunk, each chunk is bulk, and nothing happens twice."""

import re
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from staff.models import Notification
from staff.services import Message, notify_many
from staff.tasks import send_notification_emails
from surveys.models import Invitation, SurveyRound
from surveys.services import (
    answer_submit,
    round_invite,
    round_invite_chunk,
    round_invite_due,
    round_open_due,
    round_remind,
    round_remind_chunk,
    round_remind_due,
    round_schedule,
    round_tick,
)
from surveys.tasks import surveys_invite_chunk, surveys_tick
from surveys.tertials import Tertial
from tests.surveys.conftest import add_workers, at
from tests.surveys.test_celery_schedule import _messages, _recipients

OPENED = at(2026, 12, 1, 8, 5)
REMINDER_DAY = at(2026, 12, 4, 8, 10)


@pytest.fixture
def open_round(emails):
    world = emails
    survey_round = round_schedule(
        organisation=world.org, tertial=Tertial(2026, 3), opens_at=at(2026, 12, 1, 8), closes_at=at(2026, 12, 15, 8)
    )
    round_open_due(organisation=world.org, now=OPENED)
    survey_round.refresh_from_db()
    return survey_round


def _succeeded(worker, task_id: str) -> str | None:
    """The return value the worker logged for a task, once it has finished."""
    for line in worker.output:
        match = re.search(rf"\[{task_id}\] succeeded in [\d.]+s: (.*)$", line.strip())
        if match:
            return match.group(1)
    return None


@pytest.mark.celery_worker
def test_chunked_fan_out_invites_everyone_once_even_with_two_ticks_racing(emails, celery_worker):
    world = emails
    add_workers(world.unit, 30)  # 33 case workers with Bob, Carol and Heidi
    # Two ticks at once (a beat restart, a retried tick): both decide who is due and queue their chunks of 7.
    surveys_tick.delay(organisation_id=world.org.pk, now=OPENED.isoformat(), chunk_size=7)
    surveys_tick.delay(organisation_id=world.org.pk, now=OPENED.isoformat(), chunk_size=7)
    invitations = Invitation.objects.filter(organisation=world.org)
    invites = Notification.objects.filter(key__contains=":invite:")
    celery_worker.wait_until(lambda: invitations.count() == 33, timeout=90)
    celery_worker.wait_until(lambda: invites.filter(emailed_at__isnull=True).count() == 0, timeout=90)
    celery_worker.wait_until(lambda: len(_messages(celery_worker)) >= 33, timeout=90)
    time.sleep(2)  # any late duplicate would arrive now

    assert invites.count() == 33
    assert max(Counter(invitations.values_list("staff_id", flat=True)).values()) == 1
    recipients = _recipients(_messages(celery_worker))
    assert len(recipients) == 33 and max(recipients.values()) == 1
    assert recipients["carol@alfa.example"] == 1
    assert "Tre korta påståenden om din arbetssituation" in _messages(celery_worker)[0]
    # The people went out as chunk tasks (at least one tick queued five chunks of at most 7 people).
    log = "".join(celery_worker.output)
    assert log.count("surveys.tasks.surveys_invite_chunk[") >= 5


@pytest.mark.celery_worker
def test_rerunning_a_chunk_or_the_tick_creates_nothing_new(emails, celery_worker):
    world = emails
    add_workers(world.unit, 5)
    surveys_tick.delay(organisation_id=world.org.pk, now=OPENED.isoformat(), chunk_size=3)
    celery_worker.wait_until(lambda: Invitation.objects.count() == 8)
    celery_worker.wait_until(lambda: Notification.objects.filter(emailed_at__isnull=True).count() == 0)
    survey_round = SurveyRound.objects.get(organisation=world.org)
    everyone = sorted(Invitation.objects.values_list("staff_id", flat=True))

    again = surveys_invite_chunk.delay(
        organisation_id=world.org.pk, round_id=survey_round.pk, ids=everyone, now=OPENED.isoformat()
    )
    tick = surveys_tick.delay(organisation_id=world.org.pk, now=at(2026, 12, 1, 9, 0).isoformat(), chunk_size=3)
    celery_worker.wait_until(lambda: _succeeded(celery_worker, again.id) is not None)
    celery_worker.wait_until(lambda: _succeeded(celery_worker, tick.id) is not None)
    assert _succeeded(celery_worker, again.id) == "0"  # the chunk again: nobody invited
    assert "'invite_due': 0" in _succeeded(celery_worker, tick.id) and "'chunks': 0" in _succeeded(
        celery_worker, tick.id
    )
    time.sleep(1)
    assert Invitation.objects.count() == 8
    assert Notification.objects.count() == 8
    assert len(_messages(celery_worker)) == 8


def test_a_chunk_costs_the_same_queries_for_5_or_60_people(emails, open_round, django_capture_on_commit_callbacks):
    world = emails.org
    add_workers(emails.unit, 62)
    due = round_invite_due(organisation=world, survey_round=open_round, now=OPENED)
    assert len(due) == 65

    counts = []
    for chunk in (due[:5], due[5:65]):
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
            invited = round_invite_chunk(organisation=world, survey_round=open_round, staff_ids=chunk, now=OPENED)
        assert invited == len(chunk)
        assert len(callbacks) == 1  # one e-mail task for the whole chunk
        counts.append(len(queries))
    # Savepoint, the round locked (no invitation after close), who is still a case worker, INSERT
    # invitations, addresses, INSERT notifications, release.
    assert counts == [7, 7]

    pending = round_remind_due(organisation=world, survey_round=open_round, now=REMINDER_DAY)
    counts = []
    for chunk in (pending[:5], pending[5:]):
        with CaptureQueriesContext(connection) as queries:
            reminded = round_remind_chunk(
                organisation=world, survey_round=open_round, invitation_ids=chunk, now=REMINDER_DAY
            )
        assert reminded == len(chunk)
        counts.append(len(queries))
    assert counts == [5, 5]  # savepoint, UPDATE ... RETURNING (the claim), addresses, INSERT, release
    assert Notification.objects.filter(organisation=world, key__contains=":remind:").count() == 65


def test_overlapping_chunks_invite_each_person_once(open_round):
    world = open_round.organisation
    due = round_invite_due(organisation=world, survey_round=open_round, now=OPENED)
    assert len(due) == 3
    assert round_invite_chunk(organisation=world, survey_round=open_round, staff_ids=due[:2], now=OPENED) == 2
    assert round_invite_chunk(organisation=world, survey_round=open_round, staff_ids=due, now=OPENED) == 1
    assert Invitation.objects.filter(round=open_round).count() == 3
    assert Notification.objects.filter(key__contains=":invite:").count() == 3
    assert round_invite_due(organisation=world, survey_round=open_round, now=OPENED) == []


def test_a_chunk_invites_only_active_case_workers_of_its_organisation(emails, open_round):
    world = emails
    outsider = add_workers(world.other_unit, 1, prefix="b", email_domain="beta.example")[0]
    round_invite_chunk(
        organisation=world.org, survey_round=open_round, staff_ids=[world.bob.pk, outsider.pk], now=OPENED
    )
    assert list(Invitation.objects.values_list("staff_id", flat=True)) == [world.bob.pk]
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_someone_who_answers_after_the_tick_is_not_reminded(emails, open_round):
    world = emails
    round_invite_chunk(
        organisation=world.org,
        survey_round=open_round,
        staff_ids=round_invite_due(organisation=world.org, survey_round=open_round, now=OPENED),
        now=OPENED,
    )
    pending = round_remind_due(organisation=world.org, survey_round=open_round, now=REMINDER_DAY)
    assert len(pending) == 3
    answer_submit(
        organisation=world.org,
        survey_round=open_round,
        staff=world.bob,
        scores={"q1": 4, "q2": 4, "q3": 5},
        motivations={},
        now=at(2026, 12, 4, 8, 9),
    )
    assert round_remind_chunk(organisation=world.org, survey_round=open_round, invitation_ids=pending, now=REMINDER_DAY)
    reminded = set(
        Notification.objects.filter(key__contains=":remind:").values_list("recipient__first_name", flat=True)
    )
    assert reminded == {"Carol", "Heidi"}
    # The same chunk again, the same day or at the same stage: nobody twice.
    assert not round_remind_chunk(
        organisation=world.org, survey_round=open_round, invitation_ids=pending, now=at(2026, 12, 4, 15, 0)
    )
    assert Notification.objects.filter(key__contains=":remind:").count() == 2


def test_the_tick_plans_chunks_and_invites_nobody_itself(emails, open_round):
    world = emails
    add_workers(world.unit, 4)
    result = round_tick(organisation=world.org, now=OPENED, chunk_size=3)
    assert (result["invite_due"], result["remind_due"]) == (7, 0)
    assert [len(chunk.ids) for chunk in result["fan_out"]] == [3, 3, 1]
    assert {chunk.kind for chunk in result["fan_out"]} == {"invite"}
    assert not Invitation.objects.exists()


def test_notify_many_refuses_a_recipient_of_another_organisation_and_saves_nothing(emails):
    world = emails
    outsider = add_workers(world.other_unit, 1, prefix="b", email_domain="beta.example")[0]
    with pytest.raises(Http404):
        notify_many(
            organisation=world.org,
            messages=[Message(world.bob.pk, "k:bob", "Hej"), Message(outsider.pk, "k:outsider", "Hej")],
        )
    assert not Notification.objects.exists()


def test_in_process_invite_and_remind_go_chunk_by_chunk_and_run_again_safely(emails, open_round):
    world = emails
    add_workers(world.unit, 4)
    assert round_invite(organisation=world.org, survey_round=open_round, now=OPENED, chunk_size=2) == 7
    assert round_invite(organisation=world.org, survey_round=open_round, now=OPENED, chunk_size=2) == 0
    assert round_remind(organisation=world.org, survey_round=open_round, now=REMINDER_DAY, chunk_size=3) == 7
    assert round_remind(organisation=world.org, survey_round=open_round, now=REMINDER_DAY, chunk_size=3) == 0
    assert Notification.objects.filter(organisation=world.org).count() == 14


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=9, EMAIL_TIMEOUT=2
)
def test_an_unreachable_mail_server_leaves_the_batch_unclaimed_for_the_resend_task(emails, open_round):
    world = emails
    with transaction.atomic():
        round_invite_chunk(organisation=world.org, survey_round=open_round, staff_ids=[world.bob.pk], now=OPENED)
    ids = list(Notification.objects.values_list("pk", flat=True))
    result = send_notification_emails.apply(kwargs={"organisation_id": world.org.pk, "notification_ids": ids})
    assert result.failed()  # retried, then given up
    assert Notification.objects.get().emailed_at is None  # not claimed: staff.tasks.notification_emails_resend sends it
