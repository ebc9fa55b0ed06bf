"""A closed round cannot change: no person's deletion removes answers, no invitation lands after close."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections, transaction
from django.db.models import ProtectedError

from surveys.models import Answer, Invitation, SurveyRound
from surveys.services import round_close, round_invite_chunk, round_open_due, round_schedule
from surveys.tertials import Tertial
from tests.surveys.conftest import add_workers, at
from tests.surveys.test_anonymity import _answer, _round

OPENED = at(2026, 12, 1, 8, 5)


def test_deleting_a_person_who_answered_is_refused(world):
    survey_round = _round(world)
    person = add_workers(world.unit, 1, prefix="x")[0]
    _answer(survey_round, [person], world.unit)
    round_close(organisation=world.org, survey_round=survey_round, now=at(2026, 8, 17, 8))
    with pytest.raises(ProtectedError):
        person.delete()
    assert Answer.objects.filter(round=survey_round).count() == 1


def test_deleting_a_person_invited_is_refused(world):
    survey_round = _round(world)
    person = add_workers(world.unit, 1, prefix="x")[0]
    Invitation.objects.create(
        organisation=world.org, round=survey_round, staff=person, unit=world.unit, invited_at=survey_round.opens_at
    )
    with pytest.raises(ProtectedError):
        person.delete()


@pytest.mark.django_db(transaction=True)
def test_an_invitation_chunk_racing_the_close_invites_nobody(emails):
    """The round closes in one transaction while a chunk (holding the round as it was, open) runs in
    another: the chunk waits for the close and then invites nobody."""
    world = emails
    survey_round = round_schedule(
        organisation=world.org, tertial=Tertial(2026, 3), opens_at=at(2026, 12, 1, 8), closes_at=at(2026, 12, 15, 8)
    )
    round_open_due(organisation=world.org, now=OPENED)
    survey_round.refresh_from_db()
    assert survey_round.status == SurveyRound.Status.OPEN
    closing = threading.Event()
    outcome: dict[str, int] = {}

    def close():
        try:
            with transaction.atomic():
                round_close(
                    organisation=world.org, survey_round=SurveyRound.objects.get(pk=survey_round.pk), now=OPENED
                )
                closing.set()
                time.sleep(1)  # the chunk starts meanwhile
        finally:
            connections.close_all()

    def invite():
        try:
            assert closing.wait(timeout=10)
            outcome["invited"] = round_invite_chunk(
                organisation=world.org, survey_round=survey_round, staff_ids=[world.bob.pk], now=OPENED
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close), threading.Thread(target=invite)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert outcome == {"invited": 0}
    assert not Invitation.objects.filter(round=survey_round).exists()
