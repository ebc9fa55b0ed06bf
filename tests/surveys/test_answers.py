"""Answering: once per round, changeable until close; bad input refused in Swedish with nothing saved."""

import pytest
import time_machine
from django.urls import reverse

from staff.models import Notification
from surveys.models import ActionPlan, Answer, Invitation, SurveyRound
from surveys.services import round_close, round_open_due, round_schedule
from surveys.tertials import Tertial
from tests.surveys.conftest import at

GOOD = {"q1": "4", "q2": "2", "q3": "5", "m1": "Lagom många ärenden", "m2": "För lite tid", "m3": ""}


@pytest.fixture
def open_round(world):
    with time_machine.travel(at(2026, 12, 2, 9, 0), tick=False):
        survey_round = round_schedule(
            organisation=world.org, tertial=Tertial(2026, 3), opens_at=at(2026, 12, 1, 8), closes_at=at(2026, 12, 15, 8)
        )
        round_open_due(organisation=world.org, now=at(2026, 12, 1, 8, 1))
        Invitation.objects.create(
            organisation=world.org, round=survey_round, staff=world.bob, unit=world.unit, invited_at=at(2026, 12, 1, 8)
        )
    survey_round.refresh_from_db()
    return survey_round


def _post(client, survey_round, data):
    return client.post(reverse("surveys:answer", args=[survey_round.pk]), data)


@time_machine.travel(at(2026, 12, 3, 10, 0), tick=False)
def test_worker_answers_changes_and_sees_own_past_answers(world, open_round):
    client = world.client("bob")
    page = client.get(reverse("surveys:my_survey")).content.decode()
    assert "Svara på enkäten" in page
    form = client.get(reverse("surveys:answer", args=[open_round.pk])).content.decode()
    assert "<legend" in form and "Jag har en bra arbetssituation." in form
    assert _post(client, open_round, GOOD).status_code == 302
    assert _post(client, open_round, {**GOOD, "q1": "5"}).status_code == 302
    answer = Answer.objects.get()
    assert (answer.q1, answer.q2, answer.m1) == (5, 2, "Lagom många ärenden")
    mine = client.get(reverse("surveys:my_survey")).content.decode()
    assert "Lagom många ärenden" in mine and "T3 2026" in mine


@time_machine.travel(at(2026, 12, 3, 10, 0), tick=False)
def test_answer_outside_scale_is_refused(world, open_round):
    response = _post(world.client("bob"), open_round, {**GOOD, "q2": "7"})
    assert response.status_code == 200
    assert "Välj ett värde från 1 till 5." in response.content.decode()
    assert not Answer.objects.exists()


@time_machine.travel(at(2026, 12, 3, 10, 0), tick=False)
def test_person_not_invited_cannot_answer(world, open_round):
    response = _post(world.client("carol"), open_round, GOOD)
    assert "Du är inte inbjuden till den här enkäten." in response.content.decode()
    assert not Answer.objects.exists()


def test_answer_after_close_is_refused(world, open_round):
    with time_machine.travel(at(2026, 12, 3, 10, 0), tick=False):
        _post(world.client("bob"), open_round, GOOD)
    SurveyRound.objects.filter(pk=open_round.pk).update(status=SurveyRound.Status.CLOSED)
    with time_machine.travel(at(2026, 12, 16, 10, 0), tick=False):
        response = _post(world.client("bob"), open_round, {**GOOD, "q1": "1"})
    assert "Enkäten har stängt" in response.content.decode()
    assert Answer.objects.get().q1 == 4


def test_after_close_time_even_before_the_beat_closes_it(world, open_round):
    with time_machine.travel(at(2026, 12, 15, 8, 30), tick=False):
        response = _post(world.client("bob"), open_round, GOOD)
    assert "Enkäten har stängt" in response.content.decode()
    assert not Answer.objects.exists()


def test_round_closing_before_opening_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        round_schedule(
            organisation=world.org, tertial=Tertial(2026, 3), opens_at=at(2026, 12, 10, 8), closes_at=at(2026, 12, 1, 8)
        )
    assert not SurveyRound.objects.exists()
    survey_round = round_schedule(
        organisation=world.org, tertial=Tertial(2026, 3), opens_at=at(2026, 12, 1, 8), closes_at=at(2026, 12, 15, 8)
    )
    response = world.client("erin").post(
        reverse("surveys:round_edit", args=[survey_round.pk]),
        {"opens_at": "2026-12-10T08:00", "closes_at": "2026-12-01T08:00"},
    )
    assert "Omgången måste stänga efter att den öppnar." in response.content.decode()
    survey_round.refresh_from_db()
    assert survey_round.closes_at == at(2026, 12, 15, 8)


def test_flagged_answer_gets_an_action_plan_the_worker_sees(world, open_round):
    with time_machine.travel(at(2026, 12, 3, 10, 0), tick=False):
        _post(world.client("bob"), open_round, GOOD)  # q2 = 2: flagged
        answer = Answer.objects.get()
        manager = world.client("alice")
        page = reverse("surveys:unit_results", args=[world.unit.pk]) + f"?round={open_round.pk}"
        html = manager.get(page).content.decode()
        # While the round is open (answers may still change) not even the manager sees them.
        assert "Omgången är inte stängd" in html and "För lite tid" not in html
        assert manager.get(reverse("surveys:action_plan", args=[answer.pk])).status_code == 404
    round_close(organisation=world.org, survey_round=open_round, now=at(2026, 12, 15, 8, 0))
    with time_machine.travel(at(2026, 12, 16, 10, 0), tick=False):
        _flagged_answer_gets_an_action_plan(world, world.client("alice"), answer, page)


def _flagged_answer_gets_an_action_plan(world, manager, answer, page):
    html = manager.get(page).content.decode()
    assert "Flaggad" in html and "För lite tid" in html
    url = reverse("surveys:action_plan", args=[answer.pk])
    refused = manager.post(url, {"actions": "Färre ärenden", "follow_up_on": "2026-11-01"})
    assert "kan inte ligga bakåt i tiden" in refused.content.decode() and not ActionPlan.objects.exists()
    assert manager.post(url, {"actions": "Färre ärenden", "follow_up_on": "2027-01-20"}).status_code == 302
    assert ActionPlan.objects.get().offered_by == world.alice
    assert Notification.objects.filter(recipient=world.bob, key__startswith="survey:actionplan").exists()
    assert "Färre ärenden" in world.client("bob").get(reverse("surveys:my_survey")).content.decode()
    # The department head may not open the plan page: individual answers stay with the unit's managers.
    assert world.client("dave").get(url).status_code == 403


@time_machine.travel(at(2026, 12, 3, 10, 0), tick=False)
def test_the_access_log_does_not_tell_who_has_answered_an_open_round(world, open_round):
    """HR and organisation admins read the access log: while the round is open, answering and reopening
    one's answer must leave no row naming an answer (nor the answer page at all: a POST there is an answer),
    and the worker's own survey page names only the worker."""
    from staff.platform.audit.models import AccessLogEntry

    client = world.client("bob")
    client.get(reverse("surveys:answer", args=[open_round.pk]))
    assert _post(client, open_round, GOOD).status_code == 302
    assert client.get(reverse("surveys:answer", args=[open_round.pk])).status_code == 200
    client.get(reverse("surveys:my_survey"))
    assert not AccessLogEntry.objects.filter(kind="survey_answer").exists()
    assert not AccessLogEntry.objects.filter(url_name="surveys:answer").exists()
    rows = list(AccessLogEntry.objects.filter(url_name="surveys:my_survey").values_list("kind", "object_id"))
    assert rows == [("staff", world.bob.pk)]
