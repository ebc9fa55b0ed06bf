"""Action plans: the manager lists, reads, edits and follows up their units' plans; a reminder on the follow-up
date reaches the plan's owner once; nobody above or beside the unit's managers reads a plan."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from staff.models import Notification, Role
from surveys.models import ActionPlan, Answer, Invitation, SurveyRound
from surveys.services import action_plan_offer, action_plan_reminders_send, action_plan_update, round_ensure
from surveys.tertials import Tertial
from tests.factories import RoleAssignmentFactory
from tests.surveys.conftest import add_workers, at

TODAY = datetime.date(2027, 1, 20)
NOW = at(2027, 1, 20, 10, 0)
PNR = "19121212-1212"
REFUSAL = "Skriv inte personnummer eller samordningsnummer här"


def _closed_round(org) -> SurveyRound:
    survey_round = round_ensure(organisation=org, tertial=Tertial(2026, 3))
    SurveyRound.objects.filter(pk=survey_round.pk).update(status=SurveyRound.Status.CLOSED)
    survey_round.refresh_from_db()
    return survey_round


def _plan(person, unit, *, by, follow_up_on=TODAY, q1=2, actions="Färre ärenden; avstämning varje vecka.", **extra):
    """A flagged answer of `person` given in `unit`, and the plan `by` offered after it."""
    org = unit.organisation
    survey_round = _closed_round(org)
    Invitation.objects.get_or_create(
        organisation=org, round=survey_round, staff=person, defaults={"unit": unit, "invited_at": survey_round.opens_at}
    )
    answer = Answer.objects.create(organisation=org, round=survey_round, staff=person, unit=unit, q1=q1, q2=4, q3=4)
    return ActionPlan.objects.create(
        organisation=org,
        answer=answer,
        staff=person,
        offered_by=by,
        actions=actions,
        follow_up_on=follow_up_on,
        **extra,
    )


@pytest.fixture
def plans(world):
    """Bob's plan in Utredning (Alice's unit) and Heidi's in Mottagning, whose manager is Mona."""
    mona = add_workers(world.intake_unit, 1, prefix="mona", role=Role.UNIT_MANAGER)[0]
    world.people["mona"] = mona
    bob = _plan(world.bob, world.unit, by=world.alice)
    heidi = _plan(world.heidi, world.intake_unit, by=mona, actions="Mentor två timmar i veckan.")
    return bob, heidi


def _list(client, **query):
    return client.get(reverse("surveys:action_plans"), query)


# ---------------------------------------------------------------- the list


@time_machine.travel(NOW, tick=False)
def test_a_unit_manager_lists_only_the_plans_of_their_own_units(world, plans):
    bob_plan, heidi_plan = plans
    html = _list(world.client("alice")).content.decode()
    assert "Bob Testsson" in html and reverse("surveys:action_plan_detail", args=[bob_plan.pk]) in html
    assert "Heidi" not in html  # another unit's plan
    assert "Bob" not in _list(world.client("mona")).content.decode()
    assert "Bob Testsson" in _list(world.client("ivan")).content.decode()  # the assistant manager of the unit


@time_machine.travel(NOW, tick=False)
def test_the_list_filters_open_past_the_follow_up_date_and_closed(world):
    carl, dina, eva = add_workers(world.unit, 3, prefix="p")
    _plan(carl, world.unit, by=world.alice, follow_up_on=TODAY)  # due today: open, not past the date
    _plan(dina, world.unit, by=world.alice, follow_up_on=TODAY - datetime.timedelta(days=1))  # past the date
    _plan(eva, world.unit, by=world.alice, closed_at=NOW, closed_by=world.alice, outcome="Bättre nu.")
    client = world.client("alice")

    def names(**query):
        response = _list(client, **query)
        assert response.status_code == 200
        return {p.staff.first_name for p in response.context["page"]}

    assert names() == names(state="open") == {"P0", "P1"}  # open is the default
    assert names(state="overdue") == {"P1"}
    assert names(state="closed") == {"P2"}
    assert names(state="all") == {"P0", "P1", "P2"}
    html = _list(client).content.decode()
    assert "2 öppna, varav 1 med passerat uppföljningsdatum; 1 stängda." in html
    assert "Uppföljning i dag" in html and "Uppföljningen är försenad" in html


@time_machine.travel(NOW, tick=False)
def test_an_unknown_filter_is_a_message_at_the_field_with_400(world, plans):
    response = _list(world.client("alice"), state="soon")
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert response.context["form"].errors["state"]


@time_machine.travel(NOW, tick=False)
def test_the_empty_list_says_so_and_where_plans_are_offered(world):
    html = _list(world.client("alice")).content.decode()
    assert "Inga öppna handlingsplaner." in html
    assert "Du erbjuder en plan från enhetens enkätresultat" in html
    assert (
        "Ingen handlingsplan har passerat sitt uppföljningsdatum."
        in _list(world.client("alice"), state="overdue").content.decode()
    )


@time_machine.travel(NOW, tick=False)
def test_the_list_sorts_by_its_columns_and_pages_by_25(world):
    people = add_workers(world.unit, 27, prefix="s")
    for i, person in enumerate(people):
        person.last_name = f"Efternamn{i:02d}"
        person.save()
        _plan(person, world.unit, by=world.alice, follow_up_on=TODAY + datetime.timedelta(days=27 - i))
    client = world.client("alice")
    first = _list(client).context["page"]  # by follow-up date, earliest first
    assert (len(first), first.paginator.num_pages) == (25, 2)
    assert first[0].staff == people[-1]
    by_name = _list(client, sort="name").context["page"]
    assert by_name[0].staff == people[0]
    assert _list(client, sort="-name").context["page"][0].staff == people[-1]
    second = _list(client, sort="name", page="2").context["page"]
    assert [p.staff for p in second] == people[25:]
    assert _list(client, sort="nonsense").status_code == 200  # an unknown sort is the default order


def test_the_list_costs_the_same_queries_for_2_plans_as_for_20(world, django_assert_num_queries):
    people = add_workers(world.unit, 20, prefix="q")
    for person in people[:2]:
        _plan(person, world.unit, by=world.alice)
    with time_machine.travel(NOW, tick=False):
        client = world.client("alice")
        _list(client)  # warm the session and the caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            response = _list(client)
        assert response.status_code == 200, response
        assert len(response.context["page"]) == 2
        for person in people[2:]:
            _plan(person, world.unit, by=world.alice)
        with django_assert_num_queries(len(few.captured_queries)):
            assert len(_list(client).context["page"]) == 20


# ---------------------------------------------------------------- read, edit, follow up


@time_machine.travel(NOW, tick=False)
def test_the_plan_page_shows_the_plan_and_the_answer_it_followed(world, plans):
    bob_plan, _ = plans
    html = world.client("alice").get(reverse("surveys:action_plan_detail", args=[bob_plan.pk])).content.decode()
    assert "Handlingsplan: Bob Testsson" in html
    assert "Färre ärenden; avstämning varje vecka." in html
    assert "2027-01-20" in html and "Uppföljning i dag" in html
    assert reverse("surveys:action_plan_edit", args=[bob_plan.pk]) in html


@time_machine.travel(NOW, tick=False)
def test_the_manager_records_the_follow_up_and_closes_the_plan(world, plans):
    bob_plan, _ = plans
    url = reverse("surveys:action_plan_edit", args=[bob_plan.pk])
    data = {"actions": "Färre ärenden.", "follow_up_on": "2027-01-20", "outcome": "Arbetsbördan är rimlig nu."}
    response = world.client("ivan").post(url, {**data, "closed": "on"})
    assert response.status_code == 302 and response.url == reverse("surveys:action_plan_detail", args=[bob_plan.pk])
    bob_plan.refresh_from_db()
    assert (bob_plan.actions, bob_plan.outcome) == ("Färre ärenden.", "Arbetsbördan är rimlig nu.")
    assert (bob_plan.closed_at, bob_plan.closed_by) == (NOW, world.ivan)
    # Saved again by another manager: the first closer stays the closer.
    world.client("alice").post(url, {**data, "closed": "on"})
    bob_plan.refresh_from_db()
    assert bob_plan.closed_by == world.ivan
    mine = world.client("bob").get(reverse("surveys:my_survey")).content.decode()
    assert "Arbetsbördan är rimlig nu." in mine and "Stängd" in mine  # the person sees the outcome
    # Reopened: unticked, the plan is open again with no closer.
    world.client("alice").post(url, data)
    bob_plan.refresh_from_db()
    assert (bob_plan.closed_at, bob_plan.closed_by) == (None, None)


@time_machine.travel(NOW, tick=False)
def test_closing_a_plan_needs_the_outcome_at_the_field_and_saves_nothing(world, plans):
    bob_plan, _ = plans
    url = reverse("surveys:action_plan_edit", args=[bob_plan.pk])
    response = world.client("alice").post(
        url, {"actions": "Nytt", "follow_up_on": "2027-01-20", "outcome": "  ", "closed": "on"}
    )
    assert response.status_code == 200
    assert "Skriv resultatet av uppföljningen för att stänga planen." in str(response.context["form"].errors["outcome"])
    bob_plan.refresh_from_db()
    assert (bob_plan.actions, bob_plan.closed_at) == ("Färre ärenden; avstämning varje vecka.", None)


@time_machine.travel(NOW, tick=False)
def test_a_changed_follow_up_date_cannot_be_in_the_past_but_a_passed_one_may_stay(world):
    plan = _plan(world.bob, world.unit, by=world.alice, follow_up_on=TODAY - datetime.timedelta(days=3))
    url = reverse("surveys:action_plan_edit", args=[plan.pk])
    client = world.client("alice")
    # The unchanged date (passed: the follow-up is being recorded) stays; a new one: the day before today is
    # refused, today and the day after are taken.
    for day, refused in (("2027-01-17", False), ("2027-01-19", True), ("2027-01-20", False), ("2027-01-21", False)):
        before = plan.follow_up_on
        response = client.post(url, {"actions": "Färre ärenden.", "follow_up_on": day})
        if refused:
            assert "Datum för uppföljning kan inte ligga bakåt i tiden." in str(
                response.context["form"].errors["follow_up_on"]
            )
        else:
            assert response.status_code == 302, day
        plan.refresh_from_db()
        assert plan.follow_up_on == (before if refused else datetime.date.fromisoformat(day))
    response = client.post(url, {"actions": "", "follow_up_on": "not a date"})
    assert set(response.context["form"].errors) == {"actions", "follow_up_on"}
    assert client.post(url, {"actions": "x", "follow_up_on": "9999-12-31"}).status_code == 200  # a typing error


@time_machine.travel(NOW, tick=False)
def test_free_text_of_a_plan_refuses_a_personal_identity_number(world, plans):
    bob_plan, _ = plans
    url = reverse("surveys:action_plan_edit", args=[bob_plan.pk])
    for field in ("actions", "outcome"):
        data = {"actions": "Färre ärenden.", "follow_up_on": "2027-01-20", "outcome": "Bra."}
        response = world.client("alice").post(url, {**data, field: f"Gäller {PNR}"})
        assert REFUSAL in str(response.context["form"].errors[field])
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        action_plan_update(
            organisation=world.org,
            plan=bob_plan,
            changed_by=world.alice,
            actions="Färre ärenden.",
            follow_up_on=TODAY,
            outcome=PNR,
        )
    assert "outcome" in refused.value.error_dict
    bob_plan.refresh_from_db()
    assert (bob_plan.actions, bob_plan.outcome) == ("Färre ärenden; avstämning varje vecka.", "")


# ---------------------------------------------------------------- who may read a plan


@time_machine.travel(NOW, tick=False)
def test_only_the_managers_of_the_answers_unit_read_or_edit_a_plan(world, plans):
    bob_plan, _ = plans
    pages = [reverse(n, args=[bob_plan.pk]) for n in ("surveys:action_plan_detail", "surveys:action_plan_edit")]
    for name in ("alice", "ivan"):
        assert all(world.client(name).get(url).status_code == 200 for url in pages)
    # Another unit's manager, the department head, HR, the organisation admin and the person: individual
    # answers (a plan tells of a 1 or 2) stay with the unit's managers.
    for name in ("mona", "dave", "erin", "frank", "bob"):
        client = world.client(name)
        assert [client.get(url).status_code for url in pages] == [403, 403], name
    for name in ("dave", "erin", "frank", "bob"):
        assert _list(world.client(name)).status_code == 403, name
    refused = world.client("mona").post(pages[1], {"actions": "Kapat", "follow_up_on": "2027-02-01"})
    assert refused.status_code == 403
    bob_plan.refresh_from_db()
    assert bob_plan.actions == "Färre ärenden; avstämning varje vecka."


@time_machine.travel(NOW, tick=False)
def test_another_organisations_manager_gets_404_for_a_plan(world, plans):
    bob_plan, _ = plans
    for name in ("surveys:action_plan_detail", "surveys:action_plan_edit"):
        assert world.client("charlie").get(reverse(name, args=[bob_plan.pk])).status_code == 404
    # The page's text without its CSRF tokens: 64 random letters once held "Bob" and failed this test.
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", _list(world.client("charlie")).content.decode())
    assert "Bob" not in page


@time_machine.travel(NOW, tick=False)
def test_the_manager_finds_the_plans_from_the_nav_the_results_and_the_answer_row(world, plans):
    bob_plan, _ = plans
    list_url = reverse("surveys:action_plans")
    detail = reverse("surveys:action_plan_detail", args=[bob_plan.pk])
    assert list_url in world.client("alice").get(reverse("surveys:results")).content.decode()
    assert f'href="{list_url}"' in world.client("alice").get(reverse("staff:my_page")).content.decode()  # the nav
    for name in ("dave", "erin", "bob"):
        assert f'href="{list_url}"' not in world.client(name).get(reverse("staff:my_page")).content.decode(), name
    results = reverse("surveys:unit_results", args=[world.unit.pk]) + f"?round={bob_plan.answer.round_id}"
    assert detail in world.client("alice").get(results).content.decode()
    offer = reverse("surveys:action_plan", args=[bob_plan.answer_id])
    assert detail in world.client("alice").get(offer).content.decode()


# ---------------------------------------------------------------- the reminder on the follow-up date


def _reminders(world):
    return list(Notification.objects.filter(key__contains=":follow-up:").values_list("recipient__first_name", "key"))


def test_the_owner_is_reminded_on_the_follow_up_date_once_not_the_day_before_nor_again_after(world, plans):
    bob_plan, _ = plans
    run = lambda day: action_plan_reminders_send(organisation=world.org, today=day)  # noqa: E731
    assert run(TODAY - datetime.timedelta(days=1)) == 0  # the day before
    assert run(TODAY) == 2  # on the day: Alice for Bob's plan, Mona for Heidi's
    assert run(TODAY) == 0  # a second run the same day
    assert run(TODAY + datetime.timedelta(days=1)) == 0  # the day after: no daily repeat
    assert sorted(_reminders(world)) == sorted(
        [
            ("Alice", f"survey:actionplan:{bob_plan.pk}:follow-up:2027-01-20:staff:{world.alice.pk}"),
            ("Mona0", f"survey:actionplan:{plans[1].pk}:follow-up:2027-01-20:staff:{world.mona.pk}"),
        ]
    )
    note = Notification.objects.get(recipient=world.alice, key__contains=":follow-up:")
    assert note.subject == "Dags att följa upp en handlingsplan (2027-01-20)"
    assert "Bob" not in note.subject + note.body  # e-mailed: the link opens the plan, the text names no one
    assert note.url == reverse("surveys:action_plan_detail", args=[bob_plan.pk])


def test_a_closed_plan_is_not_reminded(world, plans):
    bob_plan, heidi_plan = plans
    ActionPlan.objects.filter(pk=heidi_plan.pk).update(closed_at=NOW, closed_by=world.mona, outcome="Klart.")
    assert action_plan_reminders_send(organisation=world.org, today=TODAY) == 1
    assert [name for name, _key in _reminders(world)] == ["Alice"]


def test_a_day_the_job_did_not_run_is_caught_up_once_the_day_after(world, plans):
    after = TODAY + datetime.timedelta(days=1)
    assert action_plan_reminders_send(organisation=world.org, today=after) == 2
    assert action_plan_reminders_send(organisation=world.org, today=after + datetime.timedelta(days=1)) == 0


def test_a_new_follow_up_date_is_reminded_on_that_date(world, plans):
    bob_plan, _ = plans
    action_plan_reminders_send(organisation=world.org, today=TODAY)
    with time_machine.travel(NOW, tick=False):
        action_plan_update(
            organisation=world.org,
            plan=bob_plan,
            changed_by=world.alice,
            actions=bob_plan.actions,
            follow_up_on=datetime.date(2027, 3, 1),
            outcome="Delvis bättre; ny avstämning i mars.",
        )
    assert action_plan_reminders_send(organisation=world.org, today=datetime.date(2027, 2, 28)) == 0
    assert action_plan_reminders_send(organisation=world.org, today=datetime.date(2027, 3, 1)) == 1


def test_an_owner_who_no_longer_manages_the_unit_hands_the_reminder_to_its_managers(world, plans):
    from staff.models import RoleAssignment

    RoleAssignment.objects.filter(staff=world.alice, role=Role.UNIT_MANAGER).delete()
    RoleAssignmentFactory(staff=world.alice, organisation=world.org, role=Role.HR)
    action_plan_reminders_send(organisation=world.org, today=TODAY)
    assert sorted(name for name, _key in _reminders(world)) == ["Ivan", "Mona0"]


def test_another_organisations_plans_are_not_reminded_by_this_one(world, plans):
    assert action_plan_reminders_send(organisation=world.other_org, today=TODAY) == 0
    assert not _reminders(world)


@pytest.mark.celery_worker
def test_the_daily_job_reminds_once_through_a_real_worker(world, celery_worker):
    from surveys.tasks import BEAT_SCHEDULE, action_plan_reminders_all

    assert BEAT_SCHEDULE["surveys-action-plan-reminders"]["task"] == "surveys.tasks.action_plan_reminders_all"
    world.alice.email = "alice@alfa.example"
    world.alice.save()
    plan = _plan(world.bob, world.unit, by=world.alice, follow_up_on=TODAY)
    action_plan_reminders_all.delay(today=TODAY.isoformat())
    action_plan_reminders_all.delay(today=TODAY.isoformat())  # a second beat the same day sends nothing more
    celery_worker.wait_until(lambda: Notification.objects.filter(emailed_at__isnull=False).count() >= 1)
    import time

    time.sleep(3)
    mails = celery_worker.mails()
    assert len(mails) == 1
    assert f"/surveys/action-plans/{plan.pk}/" in mails[0]
    assert Notification.objects.count() == 1


def test_offering_a_plan_through_the_service_still_works_with_the_follow_up_fields(world):
    survey_round = _closed_round(world.org)
    answer = Answer.objects.create(
        organisation=world.org, round=survey_round, staff=world.bob, unit=world.unit, q1=1, q2=3, q3=3
    )
    with time_machine.travel(NOW, tick=False):
        plan = action_plan_offer(
            organisation=world.org, answer=answer, offered_by=world.alice, actions="Samtal", follow_up_on=TODAY
        )
    assert (plan.outcome, plan.closed_at, plan.closed_by) == ("", None, None)
