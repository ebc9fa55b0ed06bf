"""Issue 15's survey-anonymity findings, each through the channel where it was found.

The attacks are computed with the independent brute-force checker of the property test
(`isolated_groups`) on what each channel actually returned.
"""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from staff.access import Access
from staff.models import Department, Organisation, Role, StaffMember, Unit
from surveys.models import Answer, Invitation, SurveyRound, SurveySettings
from surveys.permissions import result_viewer
from surveys.selectors import ORGANISATION_WIDE, Viewer, tertial_results
from surveys.services import round_close, round_open_due, round_schedule, survey_settings_update
from surveys.tertials import Tertial
from tests.factories import DepartmentFactory, RoleAssignmentFactory, StaffMemberFactory, UnitFactory
from tests.surveys.conftest import add_workers, at
from tests.surveys.test_disclosure_property import isolated_groups

T2 = Tertial(2026, 2)
AFTER_CLOSE = datetime.datetime(2026, 9, 15, 12, 0, tzinfo=datetime.UTC)


def _answer(survey_round, people, unit, scores=(4, 4, 4)):
    for person in people:
        Invitation.objects.get_or_create(
            organisation=unit.organisation,
            round=survey_round,
            staff=person,
            defaults={"unit": unit, "invited_at": survey_round.opens_at},
        )
        Answer.objects.create(
            organisation=unit.organisation,
            round=survey_round,
            staff=person,
            unit=unit,
            q1=scores[0],
            q2=scores[1],
            q3=scores[2],
        )


def _round(world) -> SurveyRound:
    return round_schedule(organisation=world.org, tertial=T2, opens_at=at(2026, 8, 3, 8), closes_at=at(2026, 8, 17, 8))


@pytest.fixture
def two_small_and_six(world, department_of_three):
    """The issue's example: Mottagning 2, Placering 2, Utredning 6 in one department (which shows 10)."""
    survey_round = _round(world)
    _answer(survey_round, add_workers(world.intake_unit, 2, prefix="m"), world.intake_unit, (2, 2, 2))
    _answer(survey_round, add_workers(department_of_three, 2, prefix="p"), department_of_three, (1, 1, 1))
    _answer(survey_round, add_workers(world.unit, 6, prefix="u"), world.unit, (4, 4, 5))
    round_close(organisation=world.org, survey_round=survey_round, now=at(2026, 8, 17, 8))
    return survey_round


def _respondents(world) -> dict[int, int]:
    counts = {u.pk: 0 for u in Unit.objects.filter(organisation=world.org)}
    for unit_id in Answer.objects.filter(organisation=world.org).values_list("unit_id", flat=True):
        counts[unit_id] += 1
    return counts


def _api_cells(world, data) -> list[list[int]]:
    """The unit sets of every survey aggregate an API report published."""
    by_dept = {d["id"]: [u["id"] for u in d["units"]] for d in data["departments"]}
    shown = []
    if data["organisation"] and not data["organisation"]["survey"]["suppressed"]:
        shown.append([u.pk for u in Unit.objects.filter(organisation=world.org)])
    for dept in data["departments"]:
        if not dept["survey"]["suppressed"]:
            shown.append(by_dept[dept["id"]])
        shown += [[u["id"]] for u in dept["units"] if not u["survey"]["suppressed"]]
    return shown


def _csv_cells(world, text: str) -> list[list[int]]:
    """The unit sets of the published rows of the round CSV (Nivå;Namn;... one row per cell)."""
    units = {u.name: u for u in Unit.objects.filter(organisation=world.org)}
    departments = {d.name: d.pk for d in Department.objects.filter(organisation=world.org)}
    shown = []
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"):
        if len(row) < 3 or row[2].startswith("dolt") or row[0] == "Nivå":
            continue
        if row[0] == "Organisation":
            shown.append([u.pk for u in units.values()])
        elif row[0] == "Avdelning":
            shown.append([u.pk for u in units.values() if u.department_id == departments[row[1]]])
        else:
            shown.append([units[row[1]].pk])
    return shown


# ------------------------------------------------------------------ 3: two small units added together


def test_two_small_units_cannot_be_taken_out_of_their_department(world, two_small_and_six, department_of_three):
    results = tertial_results(organisation=world.org, survey_round=two_small_and_six, viewer=ORGANISATION_WIDE)
    dept = results.departments[0]
    utredning = results.unit_cell(world.unit.pk)
    assert (dept.cell.respondents, utredning.respondents) == (10, 6)
    # Department (10) minus Utredning (6) would be Mottagning and Placering, 4 people: not both shown.
    assert dept.cell.suppressed or utredning.suppressed
    assert results.organisation.suppressed or utredning.suppressed  # the organisation is the same 10
    shown = [c.units for c in results.published() if c.units]
    assert isolated_groups(shown, _respondents(world), set(), 5) == []


def test_two_small_units_are_protected_in_the_csv_and_both_apis(world, two_small_and_six):
    respondents = _respondents(world)
    text = world.client("erin").get(reverse("surveys:round_export", args=[two_small_and_six.pk])).content.decode()
    assert isolated_groups(_csv_cells(world, text), respondents, set(), 5) == []
    with time_machine.travel(AFTER_CLOSE, tick=False):
        for who in ("erin", "dave"):
            data = world.client(who).get(reverse("surveys_api:tertial_report", args=["2026-T2"])).json()
            assert data["minimum_respondents"] == 5
            assert isolated_groups(_api_cells(world, data), respondents, set(), 5) == [], who
    html = world.client("erin").get(reverse("surveys:round_results", args=[two_small_and_six.pk])).content.decode()
    assert "10 / 10" not in html or "6 / 6" not in html


# ------------------------------------------------------------------ 4: a manager knows their own unit


def test_a_manager_cannot_subtract_their_own_unit(world, department_of_three):
    """Utredning 6, Mottagning 7, Placering 3: HR may see Mottagning and the department (Utredning is hidden),
    but Mottagning's manager knows Mottagning raw: department - Mottagning = Utredning + Placering (9) is
    fine, organisation - department is nothing, and yet for Utredning's managers the department minus
    Utredning minus Mottagning would be Placering's 3."""
    survey_round = _round(world)
    _answer(survey_round, add_workers(world.unit, 6, prefix="u"), world.unit)
    _answer(survey_round, add_workers(world.intake_unit, 7, prefix="m"), world.intake_unit)
    _answer(survey_round, add_workers(department_of_three, 3, prefix="p"), department_of_three, (1, 1, 1))
    round_close(organisation=world.org, survey_round=survey_round, now=at(2026, 8, 17, 8))
    respondents = _respondents(world)
    alice = result_viewer(Access.load(world.alice))  # Utredning's unit manager
    assert alice == Viewer(knows=frozenset({world.unit.pk}))
    hr_view = tertial_results(organisation=world.org, survey_round=survey_round, viewer=ORGANISATION_WIDE)
    hr_shown = [c.units for c in hr_view.published() if c.units]
    assert isolated_groups(hr_shown, respondents, set(), 5) == []
    # What HR is shown would give Utredning's manager Placering's three people:
    assert isolated_groups(hr_shown, respondents, {world.unit.pk}, 5) == [[department_of_three.pk]]
    for person in (world.alice, world.ivan):  # the manager and the assistant manager
        viewer = result_viewer(Access.load(person))
        results = tertial_results(organisation=world.org, survey_round=survey_round, viewer=viewer)
        shown = [c.units for c in results.published() if c.units]
        assert isolated_groups(shown, respondents, set(viewer.knows), 5) == []
    # ... and their comparison page shows exactly that published set.
    html = world.client("alice").get(reverse("surveys:round_results", args=[survey_round.pk])).content.decode()
    results = tertial_results(organisation=world.org, survey_round=survey_round, viewer=alice)
    assert ("7 / 7" in html) == (not results.unit_cell(world.intake_unit.pk).suppressed)
    assert ("16 / 16" in html) == (not results.departments[0].cell.suppressed)


def test_the_demo_manager_cannot_compute_the_placement_group(db):
    call_command("seed_demo", verbosity=0)
    demo = Organisation.objects.get(slug="demo")
    latest = SurveyRound.objects.filter(organisation=demo, status="closed").first()
    respondents = {u.pk: 0 for u in Unit.objects.filter(organisation=demo)}
    for unit_id in Answer.objects.filter(round=latest).values_list("unit_id", flat=True):
        respondents[unit_id] += 1
    minimum = tertial_results(organisation=demo, survey_round=latest, viewer=ORGANISATION_WIDE).min_respondents
    managers = StaffMember.objects.filter(
        organisation=demo, roles__role__in=[Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER]
    ).distinct()
    assert managers.count() >= 4
    for manager in managers:
        viewer = result_viewer(Access.load(manager))
        results = tertial_results(organisation=demo, survey_round=latest, viewer=viewer)
        shown = [c.units for c in results.published() if c.units]
        assert isolated_groups(shown, respondents, set(viewer.knows), minimum) == [], manager


# ------------------------------------------------------------------ 2: an open round shows nothing


def _page(client, url) -> str:
    html = client.get(url).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


@pytest.fixture
def open_round(world):
    with time_machine.travel(at(2026, 8, 3, 9), tick=False):
        survey_round = _round(world)
        round_open_due(organisation=world.org, now=at(2026, 8, 3, 8, 1))
    survey_round.refresh_from_db()
    assert survey_round.status == SurveyRound.Status.OPEN
    return survey_round


@time_machine.travel(at(2026, 8, 5, 10), tick=False)
def test_two_page_loads_around_one_answer_show_the_same_for_an_open_round(world, open_round):
    workers = add_workers(world.unit, 7, prefix="u")
    _answer(open_round, workers[:6], world.unit)
    invited = add_workers(world.unit, 1, prefix="late")
    Invitation.objects.create(
        organisation=world.org, round=open_round, staff=invited[0], unit=world.unit, invited_at=open_round.opens_at
    )
    pages = {
        "erin": [reverse("surveys:round_results", args=[open_round.pk])],
        "dave": [
            reverse("surveys:round_results", args=[open_round.pk]),
            reverse("surveys:unit_results", args=[world.unit.pk]) + f"?round={open_round.pk}",
        ],
        "alice": [reverse("surveys:unit_results", args=[world.unit.pk]) + f"?round={open_round.pk}"],
    }
    clients = {who: world.client(who) for who in pages}
    before = {(who, url): _page(clients[who], url) for who, urls in pages.items() for url in urls}
    _answer(open_round, invited, world.unit, (1, 1, 1))  # one more answer
    for (who, url), html in before.items():
        assert _page(clients[who], url) == html, (who, url)
        assert "Omgången är inte stängd" in html and "6 / 7" not in html and "6 / 8" not in html
    export = reverse("surveys:round_export", args=[open_round.pk])
    assert clients["erin"].get(export).status_code == 404


# ------------------------------------------------------------------ 5: the threshold


def test_hr_cannot_change_the_threshold_only_the_organisation_admin_and_it_is_recorded(world):
    with pytest.raises(ValidationError) as exc:
        survey_settings_update(organisation=world.org, changed_by=world.erin, min_respondents=6)
    assert "Bara systemförvaltaren" in str(exc.value.message_dict["min_respondents"])
    with pytest.raises(ValidationError):
        survey_settings_update(organisation=world.org, min_respondents=6)  # nobody named: refused too
    form = {"open_hour": 8, "open_days": 14, "first_reminder_hours": 72, "final_reminder_hours": 24, "junior_years": 2}
    response = world.client("erin").post(reverse("surveys:admin"), {**form, "min_respondents": 7, "open_days": 10})
    assert response.status_code == 302  # HR's other changes are saved, the threshold field is read-only
    settings = SurveySettings.objects.get(organisation=world.org)
    assert (settings.min_respondents, settings.open_days) == (5, 10)
    assert world.client("frank").post(reverse("surveys:admin"), {**form, "min_respondents": 7}).status_code == 302
    assert SurveySettings.objects.get(organisation=world.org).min_respondents == 7
    latest = settings.history.order_by("-history_id").first()
    assert (latest.min_respondents, latest.history_user) == (7, world.frank.user)
    page = world.client("frank").get(reverse("surveys:admin")).content.decode()
    assert "Ändringshistorik" in page


def test_a_closed_round_keeps_the_threshold_in_force_when_it_closed(world, department_of_three):
    survey_settings_update(organisation=world.org, changed_by=world.frank, min_respondents=7)
    survey_round = _round(world)
    _answer(survey_round, add_workers(world.unit, 6, prefix="u"), world.unit)
    _answer(survey_round, add_workers(world.intake_unit, 8, prefix="m"), world.intake_unit)
    _answer(survey_round, add_workers(department_of_three, 9, prefix="p"), department_of_three)
    round_close(organisation=world.org, survey_round=survey_round, now=at(2026, 8, 17, 8))
    assert survey_round.min_respondents == 7
    survey_settings_update(organisation=world.org, changed_by=world.frank, min_respondents=5)
    results = tertial_results(organisation=world.org, survey_round=survey_round, viewer=ORGANISATION_WIDE)
    assert results.min_respondents == 7
    assert results.unit_cell(world.unit.pk).suppressed  # 6 < 7, the threshold at close
    with time_machine.travel(AFTER_CLOSE, tick=False):
        data = world.client("erin").get(reverse("surveys_api:tertial_report", args=["2026-T2"])).json()
    assert data["minimum_respondents"] == 7
    # Raising it later changes nothing either: the round is published as it was at close.
    survey_settings_update(organisation=world.org, changed_by=world.frank, min_respondents=9)
    again = tertial_results(organisation=world.org, survey_round=survey_round, viewer=ORGANISATION_WIDE)
    assert [c.public() for c in again.published()] == [c.public() for c in results.published()]
    assert again.min_respondents == 7 and not again.unit_cell(department_of_three.pk).suppressed  # 9 >= 7


# ------------------------------------------------------------------ 12: department heads, frozen structure


@pytest.fixture
def two_departments(world):
    vuxen = DepartmentFactory(organisation=world.org, name="Vuxen")
    ekonomi = UnitFactory(organisation=world.org, department=vuxen, name="Ekonomi")
    bistand = UnitFactory(organisation=world.org, department=vuxen, name="Bistånd")
    survey_round = _round(world)
    _answer(survey_round, add_workers(world.unit, 6, prefix="u"), world.unit)
    _answer(survey_round, add_workers(world.intake_unit, 7, prefix="m"), world.intake_unit)
    _answer(survey_round, add_workers(ekonomi, 8, prefix="e"), ekonomi)
    _answer(survey_round, add_workers(bistand, 9, prefix="b"), bistand)
    round_close(organisation=world.org, survey_round=survey_round, now=at(2026, 8, 17, 8))
    return survey_round, vuxen, ekonomi, bistand


def test_the_department_head_page_shows_what_the_api_shows(world, two_departments):
    survey_round, vuxen, ekonomi, _bistand = two_departments
    html = world.client("dave").get(reverse("surveys:round_results", args=[survey_round.pk])).content.decode()
    with time_machine.travel(AFTER_CLOSE, tick=False):
        data = world.client("dave").get(reverse("surveys_api:tertial_report", args=["2026-T2"])).json()
    assert data["organisation"] is None and [d["name"] for d in data["departments"]] == ["Barn och unga"]
    assert '<th scope="row">Alfa kommun</th>' not in html and "Vuxen" not in html and "Ekonomi" not in html
    assert "Barn och unga" in html and "Utredning" in html and "Mottagning" in html
    api_rows = {(d["name"], d["survey"]["respondents"]) for d in data["departments"]}
    api_rows |= {(u["name"], u["survey"]["respondents"]) for d in data["departments"] for u in d["units"]}
    assert api_rows == {("Barn och unga", 13), ("Utredning", 6), ("Mottagning", 7)}
    for name, n in api_rows:
        assert re.search(rf">{name}<.*?{n} / {n}", html, re.S), name
    hr = world.client("erin").get(reverse("surveys:round_results", args=[survey_round.pk])).content.decode()
    assert '<th scope="row">Alfa kommun</th>' in hr and "Vuxen" in hr and "Ekonomi" in hr


def test_moving_a_unit_does_not_change_a_closed_round(world, two_departments):
    survey_round, vuxen, ekonomi, bistand = two_departments

    def figures():
        results = tertial_results(organisation=world.org, survey_round=survey_round, viewer=ORGANISATION_WIDE)
        return {
            (d.cell.name, d.cell.respondents, tuple(sorted(u.name for u in d.units)), d.cell.suppressed)
            for d in results.departments
        }

    before = figures()
    assert ("Vuxen", 17, ("Bistånd", "Ekonomi"), False) in before
    Unit.objects.filter(pk=ekonomi.pk).update(department=world.unit.department)  # Ekonomi moves after close
    assert figures() == before
    # The head of the department it moved to does not get the past round's Ekonomi either.
    dave = result_viewer(Access.load(world.dave))
    results = tertial_results(organisation=world.org, survey_round=survey_round, viewer=dave)
    assert results.unit_cell(ekonomi.pk) is None
    page = (
        world.client("dave")
        .get(reverse("surveys:unit_results", args=[ekonomi.pk]) + f"?round={survey_round.pk}")
        .content.decode()
    )
    assert "hörde till en annan avdelning" in page and "8 / 8" not in page


def test_department_head_of_two_departments_and_a_manager_who_heads_one(world, two_departments):
    survey_round, vuxen, _ekonomi, _bistand = two_departments
    RoleAssignmentFactory(staff=world.dave, organisation=world.org, role=Role.DEPARTMENT_HEAD, department=vuxen)
    viewer = result_viewer(Access.load(world.dave))
    assert viewer.departments == {world.unit.department_id, vuxen.pk} and not viewer.knows
    manager = StaffMemberFactory(organisation=world.org, unit=world.unit)
    RoleAssignmentFactory(staff=manager, organisation=world.org, role=Role.UNIT_MANAGER, unit=world.intake_unit)
    RoleAssignmentFactory(staff=manager, organisation=world.org, role=Role.DEPARTMENT_HEAD, department=vuxen)
    both = result_viewer(Access.load(manager))
    assert both == Viewer(knows=frozenset({world.intake_unit.pk}))  # a manager sees the whole comparison
