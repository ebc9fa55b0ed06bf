"""Aggregates above the unit manager: suppressed below the minimum, and never derivable by subtraction."""

import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys.models import Answer, Invitation
from surveys.selectors import ORGANISATION_WIDE, derivable_cells, tertial_results
from surveys.services import round_close, round_schedule, survey_settings_update
from surveys.tertials import Tertial
from tests.surveys.conftest import add_workers, at


def _answer_all(survey_round, people, unit, scores=(4, 4, 4), motivation=""):
    for person in people:
        Invitation.objects.create(
            organisation=unit.organisation,
            round=survey_round,
            staff=person,
            unit=unit,
            invited_at=survey_round.opens_at,
        )
        Answer.objects.create(
            organisation=unit.organisation,
            round=survey_round,
            staff=person,
            unit=unit,
            q1=scores[0],
            q2=scores[1],
            q3=scores[2],
            m1=motivation,
        )


@pytest.fixture
def closed_round(world, department_of_three):
    """Utredning 6 answers, Mottagning 7, Placering 3 (suppressed) in one department."""
    survey_round = round_schedule(
        organisation=world.org, tertial=Tertial(2026, 2), opens_at=at(2026, 8, 3, 8), closes_at=at(2026, 8, 17, 8)
    )
    _answer_all(survey_round, add_workers(world.unit, 6, prefix="u"), world.unit, (4, 4, 5))
    _answer_all(survey_round, add_workers(world.intake_unit, 7, prefix="m"), world.intake_unit, (3, 4, 4))
    _answer_all(
        survey_round,
        add_workers(department_of_three, 3, prefix="p"),
        department_of_three,
        (1, 1, 1),
        motivation="Hemlig motivering",
    )
    round_close(organisation=world.org, survey_round=survey_round, now=survey_round.closes_at)
    return survey_round


def _respondents(cell):
    return None if cell.suppressed else cell.respondents


def test_department_total_minus_visible_units_cannot_reveal_the_small_unit(world, closed_round, department_of_three):
    results = tertial_results(organisation=world.org, survey_round=closed_round, viewer=ORGANISATION_WIDE)
    dept = results.departments[0]
    placement = results.unit_cell(department_of_three.pk)
    assert placement.suppressed and placement.reason == "few"
    # The attack: department total minus every visible unit, on each published number.
    visible_units = [u for u in dept.units if not u.suppressed]
    if not dept.cell.suppressed:
        assert len(visible_units) < len(dept.units) - 1, "a second unit must be hidden next to the small one"
        leftover = dept.cell.respondents - sum(u.respondents for u in visible_units)
        assert leftover != placement.respondents or len(dept.units) - len(visible_units) >= 2
    # Complementary suppression hid the smaller visible unit (Utredning, 6) and kept Mottagning (7).
    assert results.unit_cell(world.unit.pk).suppressed and results.unit_cell(world.unit.pk).reason == "derivable"
    assert not results.unit_cell(world.intake_unit.pk).suppressed
    assert not derivable_cells(results)


def _rank(rows):
    rows = [[Fraction(v) for v in r] for r in rows]
    rank, cols = 0, len(rows[0]) if rows else 0
    for c in range(cols):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][c]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][c]:
                f = rows[i][c] / rows[rank][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def test_no_linear_combination_of_published_totals_isolates_a_suppressed_unit(world, closed_round, department_of_three):
    """Independent check: the suppressed unit's indicator vector is outside the span of what is shown."""
    results = tertial_results(organisation=world.org, survey_round=closed_round, viewer=ORGANISATION_WIDE)
    units = sorted({u for d in results.departments for c in d.units for u in c.units})
    published = [[1 if u in cell.units else 0 for u in units] for cell in results.published()]
    target = [1 if u == department_of_three.pk else 0 for u in units]
    assert _rank(published + [target]) > _rank(published)


def test_suppression_holds_in_pages_and_csv(world, closed_round, department_of_three):
    html = world.client("dave").get(reverse("surveys:round_results", args=[closed_round.pk])).content.decode()
    assert "Dolt: för få svarande" in html and "Dolt: kunde avslöja en liten grupp" in html
    assert "Hemlig motivering" not in html
    unit_page = world.client("dave").get(
        reverse("surveys:unit_results", args=[department_of_three.pk]) + f"?round={closed_round.pk}"
    )
    assert "Hemlig motivering" not in unit_page.content.decode() and "Dolt" in unit_page.content.decode()
    csv_text = world.client("erin").get(reverse("surveys:round_export", args=[closed_round.pk])).content.decode()
    placement_line = next(line for line in csv_text.splitlines() if line.startswith("Enhet;Placering"))
    assert "dolt (för få svarande)" in placement_line and "Hemlig" not in csv_text
    assert world.client("dave").get(reverse("surveys:round_export", args=[closed_round.pk])).status_code == 403


def test_unit_manager_sees_own_answers_and_motivations(world, closed_round, department_of_three):
    page = world.client("alice").get(
        reverse("surveys:unit_results", args=[world.unit.pk]) + f"?round={closed_round.pk}"
    )
    html = page.content.decode()
    assert "Individuella svar" in html and "U0" in html
    # ... but not another unit's.
    other = world.client("alice").get(reverse("surveys:unit_results", args=[department_of_three.pk]))
    assert other.status_code == 403


def test_minimum_respondents_setting_never_below_the_floor(world, settings):
    """The floor (5 by default) holds for the organisation admin too; only the operator's setting moves it."""
    from surveys.models import SurveySettings

    with pytest.raises(ValidationError) as exc:
        survey_settings_update(organisation=world.org, changed_by=world.frank, min_respondents=4)
    assert "Minst 5 svarande" in str(exc.value.message_dict["min_respondents"])
    data = {"open_hour": 8, "open_days": 14, "first_reminder_hours": 72, "final_reminder_hours": 24}
    response = world.client("frank").post(reverse("surveys:admin"), {**data, "min_respondents": 4})
    assert "Minst 5 svarande" in response.content.decode()
    assert SurveySettings.objects.get(organisation=world.org).min_respondents == 5
    survey_settings_update(organisation=world.org, changed_by=world.frank, min_respondents=6)  # above: fine
    settings.SURVEYS_MIN_RESPONDENTS_FLOOR = 2  # an operator's floor below 3 is read as 3
    with pytest.raises(ValidationError) as exc:
        survey_settings_update(organisation=world.org, changed_by=world.frank, min_respondents=2)
    assert "Minst 3 svarande" in str(exc.value.message_dict["min_respondents"])
    survey_settings_update(organisation=world.org, changed_by=world.frank, min_respondents=3)
    assert SurveySettings.objects.get(organisation=world.org).min_respondents == 3


def test_round_results_query_count_does_not_grow_with_units(
    world, closed_round, department_of_three, django_assert_max_num_queries
):
    client = world.client("erin")
    # The first load stores the class's published set (a lookup, then the insert in a savepoint) ...
    with django_assert_max_num_queries(22):
        assert client.get(reverse("surveys:round_results", args=[closed_round.pk])).status_code == 200
    # ... later loads read it: one lookup more than before the sets were stored, no insert.
    with django_assert_max_num_queries(20):
        assert client.get(reverse("surveys:round_results", args=[closed_round.pk])).status_code == 200


def test_default_window_is_first_weekday_of_last_month_at_eight():
    from surveys.tertials import default_window

    opens, closes = default_window(Tertial(2026, 2))  # 1 August 2026 is a Saturday
    assert opens == at(2026, 8, 3, 8, 0) and closes == at(2026, 8, 17, 8, 0)
    assert Tertial.of(datetime.date(2026, 5, 1)) == Tertial(2026, 2)
