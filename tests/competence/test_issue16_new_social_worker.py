"""Issue 16, item 8: creating a social worker places them on level 1 from their start date, creates the
introduction plan from the template and asks for a mentor; each is on the person page and can be undone."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from competence.models import IntroductionItem, LevelPlacement, Onboarding, ReflectionSession
from competence.services import mentor_assign, placement_promote
from staff.models import Notification, RoleAssignment, StaffMember
from tests.confirmation import confirmation_page

START = datetime.date(2026, 2, 2)


def _form(world, **overrides):
    data = {
        "first_name": "Nora",
        "last_name": "Ny",
        "email": "nora@alfa.example",
        "unit": world.unit.pk,
        "employment_start": START.isoformat(),
        "profession_start": "2026-01-15",
        "fte": "1.00",
        "employment_type": "permanent",
        "username": "nora",
        "social_worker": "on",
    }
    data.update(overrides)
    return data


def _create(world, **overrides):
    response = world.client("frank").post(reverse("staff:admin_staff_create"), _form(world, **overrides), follow=True)
    return response, StaffMember.objects.filter(first_name="Nora").first()


def _mentor_requests(overview: str) -> str:
    """The overview's list "Nya socialsekreterare utan mentor"."""
    listed = overview[overview.index("Nya socialsekreterare utan mentor") :]
    return listed[: listed.index("</ul>")]


def test_creating_a_social_worker_places_them_on_level_1_from_the_start_date(world, ladder):
    response, nora = _create(world)
    assert response.status_code == 200
    assert RoleAssignment.objects.filter(staff=nora, role="social_worker", unit=world.unit).exists()
    placement = LevelPlacement.objects.get(staff=nora)
    assert (placement.level, placement.start, placement.end) == (ladder[1], START, None)
    page = response.content.decode()
    assert "Nora Ny är på nivå 1. Nyanställd från 2026-02-02." in page


def test_creating_a_social_worker_creates_the_introduction_plan_from_the_template(world, ladder):
    response, nora = _create(world)
    items = list(IntroductionItem.objects.filter(staff=nora).order_by("due"))
    assert len(items) == 8 and items[0].due == START + datetime.timedelta(days=3)
    assert ReflectionSession.objects.filter(staff=nora).count() == 16
    assert "Introduktionsplanen har 8 punkter och 16 reflektionstillfällen." in response.content.decode()


def test_creating_a_social_worker_asks_their_managers_for_a_mentor(world, ladder):
    response, nora = _create(world)
    onboarding = Onboarding.objects.get(staff=nora)
    assert (onboarding.placement_step, onboarding.plan_step, onboarding.mentor_request) == ("done", "done", "asked")
    assert onboarding.created_by == world.frank
    asked = Notification.objects.filter(subject="Välj en mentor för Nora Ny")
    assert set(asked.values_list("recipient__user__username", flat=True)) == {"alice", "ivan"}
    assert asked.first().url == reverse("competence:staff_detail", args=[nora.pk])


def test_a_person_created_as_no_social_worker_is_not_started(world, ladder):
    _response, nora = _create(world, social_worker="")
    assert not RoleAssignment.objects.filter(staff=nora).exists()
    assert not LevelPlacement.objects.filter(staff=nora).exists()
    assert not Onboarding.objects.filter(staff=nora).exists()


def test_a_social_worker_needs_a_unit_and_nothing_is_saved_without_one(world, ladder):
    response, nora = _create(world, unit="")
    assert response.status_code == 200 and nora is None
    assert "En socialsekreterare arbetar i en enhet: välj en." in response.content.decode()


def test_without_a_ladder_the_social_worker_is_created_and_told_what_could_not_be_done(world):
    response, nora = _create(world)
    assert nora is not None and not LevelPlacement.objects.filter(staff=nora).exists()
    onboarding = Onboarding.objects.get(staff=nora)
    assert (onboarding.placement_step, onboarding.plan_step, onboarding.mentor_request) == (
        "skipped",
        "skipped",
        "asked",
    )
    page = response.content.decode()
    assert "Inte placerad i trappan: organisationen har inga nivåer i kompetenstrappan ännu." in page
    assert "Ingen introduktionsplan: organisationen har ingen introduktionsmall ännu." in page


def test_the_person_page_and_the_managers_overview_ask_for_a_mentor_until_one_is_set(world, ladder):
    _response, nora = _create(world)
    client = world.client("alice")
    page = client.get(reverse("competence:staff_detail", args=[nora.pk])).content.decode()
    assert "Start som ny socialsekreterare" in page and 'data-testid="mentor-prompt"' in page
    assert "Nora Ny behöver en mentor" in page
    assert "Nora Ny" in _mentor_requests(client.get(reverse("competence:overview")).content.decode())
    mentor_assign(organisation=world.org, staff=nora, mentor=world.carol, start=START, end=datetime.date(2026, 12, 1))
    page = client.get(reverse("competence:staff_detail", args=[nora.pk])).content.decode()
    assert 'data-testid="mentor-prompt"' not in page
    listed = _mentor_requests(client.get(reverse("competence:overview")).content.decode())
    assert "Varje ny socialsekreterare har en mentor." in listed and "Nora Ny" not in listed


def test_removing_the_automatic_placement_asks_first_and_is_recorded_in_the_history(world, ladder):
    _response, nora = _create(world)
    client = world.client("alice")
    url = reverse("competence:onboarding_undo", args=[nora.pk, "placement"])
    confirmation_page(client, url, "Vill du verkligen ta bort placeringen av Nora Ny på nivå 1 från 2026-02-02?")
    assert LevelPlacement.objects.filter(staff=nora).exists()
    assert world.client("heidi").post(url, {"confirm": "1"}).status_code == 403
    assert world.client("bob").post(url, {"confirm": "1"}).status_code == 403
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert not LevelPlacement.objects.filter(staff=nora).exists()
    assert Onboarding.objects.get(staff=nora).placement_step == "removed"
    page = response.content.decode()
    assert "Finns inte i trappan ännu." in page
    history = page[page.index("Ändringshistorik") :]
    assert "Alice Testsson" in history and "Gjort → Borttaget" in history
    again = client.post(url, {"confirm": "1"}, follow=True)
    assert "Det finns ingen automatisk placering att ta bort." in again.content.decode()


def test_removing_the_automatic_plan_keeps_the_items_already_done(world, ladder):
    _response, nora = _create(world)
    done = IntroductionItem.objects.filter(staff=nora).order_by("due").first()
    IntroductionItem.objects.filter(pk=done.pk).update(done_on=START, done_by=world.alice)
    attended = ReflectionSession.objects.filter(staff=nora).order_by("on").first()
    ReflectionSession.objects.filter(pk=attended.pk).update(attended=True)
    client = world.client("frank")  # the organisation admin who created the person may undo too
    url = reverse("competence:onboarding_undo", args=[nora.pk, "plan"])
    confirmation_page(client, url, "Vill du verkligen ta bort introduktionsplanen för Nora Ny?")
    assert IntroductionItem.objects.filter(staff=nora).count() == 8
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert list(IntroductionItem.objects.filter(staff=nora)) == [done]
    assert list(ReflectionSession.objects.filter(staff=nora)) == [attended]
    assert Onboarding.objects.get(staff=nora).plan_step == "removed"


def test_stopping_the_mentor_request_asks_first_and_ends_the_prompt(world, ladder):
    _response, nora = _create(world)
    client = world.client("alice")
    url = reverse("competence:onboarding_undo", args=[nora.pk, "mentor"])
    confirmation_page(client, url, "Vill du verkligen sluta be om en mentor för Nora Ny?")
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert Onboarding.objects.get(staff=nora).mentor_request == "dismissed"
    assert 'data-testid="mentor-prompt"' not in response.content.decode()
    assert "Nora Ny" not in _mentor_requests(client.get(reverse("competence:overview")).content.decode())


def test_an_automatic_placement_followed_by_a_promotion_is_not_removed(world, ladder):
    _response, nora = _create(world)
    IntroductionItem.objects.filter(staff=nora).update(done_on=START, done_by=world.alice)
    placement_promote(
        organisation=world.org,
        staff=nora,
        level=ladder[2],
        start=datetime.date(2026, 6, 1),
        assessed_on=datetime.date(2026, 5, 25),
        manager=world.alice,
        specialist=world.carol,
        motivation="Introduktionen är klar.",
    )
    url = reverse("competence:onboarding_undo", args=[nora.pk, "placement"])
    response = world.client("alice").post(url, {"confirm": "1"}, follow=True)
    assert "Personen har gått upp i trappan sedan dess" in response.content.decode()
    assert LevelPlacement.objects.filter(staff=nora).count() == 2


@pytest.mark.parametrize("step", ["placement", "plan", "mentor", "other"])
def test_a_person_without_an_automatic_start_has_nothing_to_undo(world, ladder, step):
    url = reverse("competence:onboarding_undo", args=[world.bob.pk, step])
    assert world.client("alice").post(url, {"confirm": "1"}).status_code == 404


def test_the_staff_creation_does_not_import_the_competence_app():
    """staff ← competence: the step is registered by competence, staff's creation code never imports it."""
    root = Path(__file__).resolve().parents[2] / "staff"
    for name in ("services.py", "onboarding.py", "admin_views.py", "forms.py"):
        tree = ast.parse((root / name).read_text())
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not {m for m in imported if m and m.split(".")[0] in {"competence", "caseload", "intake"}}, name
