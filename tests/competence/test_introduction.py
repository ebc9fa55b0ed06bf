"""Introduction plans from the template, tick-off with date and by whom, overdue lists, mentors, reflections."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from competence.models import (
    IntroductionItem,
    LadderSettings,
    Mentorship,
    PlannedTraining,
    ReflectionSession,
    Training,
)
from competence.services import mentor_assign, placement_start
from competence.services.introduction import reflection_dates
from tests.factories import StaffMemberFactory


@pytest.fixture
def newcomer(world, ladder):
    member = StaffMemberFactory(
        organisation=world.org,
        unit=world.unit,
        first_name="Nova",
        last_name="Ny",
        employment_start=datetime.date(2026, 1, 12),
    )
    placement_start(organisation=world.org, staff=member, level=ladder[1], start=datetime.date(2026, 1, 12))
    return member


def test_new_level1_employee_gets_plan_and_reflection_sessions(world, newcomer):
    items = list(IntroductionItem.objects.filter(staff=newcomer).order_by("due"))
    assert len(items) == 8
    assert items[0].title == "Välkomstsamtal med enhetschef" and items[0].responsible == world.alice
    assert items[0].due == datetime.date(2026, 1, 15)
    assert {i.responsible for i in items} == {world.alice, world.carol}
    sessions = list(ReflectionSession.objects.filter(staff=newcomer).values_list("on", flat=True))
    assert len(sessions) == 16  # twice a month for 4 months, then monthly to one year
    assert sessions[:3] == [datetime.date(2026, 1, 12), datetime.date(2026, 1, 26), datetime.date(2026, 2, 12)]
    assert sessions[-1] == datetime.date(2026, 12, 12)
    assert reflection_dates(datetime.date(2026, 1, 31), LadderSettings())[2] == datetime.date(2026, 2, 28)


def test_responsible_person_ticks_off_and_it_is_recorded(world, newcomer):
    item = IntroductionItem.objects.filter(staff=newcomer, responsible=world.carol).first()
    client = world.client("carol")
    html = client.get(reverse("competence:my_ladder")).content.decode()
    assert item.title in html and "Försenad" in html
    response = client.post(
        reverse("competence:item_done", args=[item.pk]), {"done_on": "2026-02-01", "next": "/ladder/me/"}
    )
    assert response.status_code == 302 and response["Location"] == "/ladder/me/"
    item.refresh_from_db()
    assert (item.done_on, item.done_by) == (datetime.date(2026, 2, 1), world.carol)


def test_others_cannot_tick_and_future_dates_are_refused(world, newcomer):
    item = IntroductionItem.objects.filter(staff=newcomer).first()
    assert (
        world.client("heidi")
        .post(reverse("competence:item_done", args=[item.pk]), {"done_on": "2026-02-01"})
        .status_code
        == 403
    )
    response = world.client("alice").post(
        reverse("competence:item_done", args=[item.pk]), {"done_on": "2099-01-01"}, follow=True
    )
    assert "Klart-datumet kan inte ligga i framtiden." in response.content.decode()
    item.refresh_from_db()
    assert item.done_on is None


def test_overdue_items_show_on_the_managers_overview(world, newcomer, django_assert_max_num_queries):
    client = world.client("alice")
    # 30 before issue 16: the renewal decisions due and the open mentor requests (2), and this month's
    # supplements also read the frozen months and the FTE periods (2)
    with django_assert_max_num_queries(34):
        html = client.get(reverse("competence:overview")).content.decode()
    assert "Försenade introduktionspunkter" in html and "Nova Ny" in html


def test_mentor_with_end_before_start_is_refused(world, newcomer):
    with pytest.raises(ValidationError) as exc:
        mentor_assign(
            organisation=world.org,
            staff=newcomer,
            mentor=world.carol,
            start=datetime.date(2026, 3, 1),
            end=datetime.date(2026, 2, 1),
        )
    assert exc.value.message_dict["end"] == ["Slutdatumet kan inte vara före startdatumet."]
    response = world.client("alice").post(
        reverse("competence:mentor_add", args=[newcomer.pk]),
        {"mentor": world.carol.pk, "start": "2026-03-01", "end": "2026-02-01"},
    )
    assert response.status_code == 400 and "Slutdatumet kan inte vara före startdatumet." in response.content.decode()
    assert not Mentorship.objects.exists()
    response = world.client("alice").post(
        reverse("competence:mentor_add", args=[newcomer.pk]),
        {"mentor": world.carol.pk, "start": "2026-01-12", "end": "2026-10-12"},
    )
    assert response.status_code == 302 and Mentorship.objects.get().mentor == world.carol


def test_development_plan_training(world, newcomer):
    bbic = Training.objects.get(organisation=world.org, name="BBIC")
    client = world.client("alice")
    response = client.post(
        reverse("competence:training_add", args=[newcomer.pk]),
        {"training": bbic.pk, "status": "completed", "goal": "Utreda enligt BBIC"},
    )
    assert response.status_code == 400 and "Ange datumet då utbildningen genomfördes." in response.content.decode()
    assert not PlannedTraining.objects.exists()
    client.post(
        reverse("competence:training_add", args=[newcomer.pk]),
        {
            "training": bbic.pk,
            "status": "planned",
            "planned_on": "2026-05-01",
            "goal": "Utreda enligt BBIC",
            "purpose": "Egna utredningar",
            "follow_up_on": "2026-12-01",
        },
    )
    assert PlannedTraining.objects.get().follow_up_on == datetime.date(2026, 12, 1)
    from django.test import Client

    own = Client()
    own.force_login(newcomer.user)
    page = own.get(reverse("competence:my_ladder")).content.decode()
    assert "BBIC" in page and "Utreda enligt BBIC" in page and "Du är på nivå 1. Nyanställd." in page


def test_reflection_attendance(world, newcomer):
    session = ReflectionSession.objects.filter(staff=newcomer).first()
    response = world.client("alice").post(
        reverse("competence:reflection_attendance", args=[session.pk]), {"attended": "1"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.attended is True
    assert (
        world.client("heidi")
        .post(reverse("competence:reflection_attendance", args=[session.pk]), {"attended": "0"})
        .status_code
        == 403
    )


def test_manager_places_a_new_employee_through_the_page(world, ladder):
    member = StaffMemberFactory(
        organisation=world.org,
        unit=world.unit,
        first_name="Vera",
        last_name="Ny",
        employment_start=datetime.date(2026, 2, 1),
    )
    client = world.client("alice")
    url = reverse("competence:place", args=[member.pk])
    response = client.post(url, {"level": ladder[1].pk, "start": "2026-02-01"})
    assert response.status_code == 302
    assert IntroductionItem.objects.filter(staff=member).count() == 8
    again = client.post(url, {"level": ladder[1].pk, "start": "2026-01-01", "end": "2026-03-01"})
    assert again.status_code == 400
    assert "Perioden överlappar en annan placering för personen." in again.content.decode()
    assert member.level_placements.count() == 1
