"""One published set per closed round and viewer class, whatever happens after the first computation.

A viewer who saw a round's published cells once and sees another set later holds the union of both: each
set may be safe on its own while the union isolates a small group. The attacks are checked with the
property test's brute-force checker (`isolated_groups`) on what `tertial_results` returned.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from staff.models import Unit
from surveys.models import PublishedCells
from surveys.selectors import ORGANISATION_WIDE, tertial_results
from surveys.services import round_close
from tests.factories import DepartmentFactory, UnitFactory
from tests.surveys.conftest import add_workers, at
from tests.surveys.test_anonymity import _answer, _respondents, _round
from tests.surveys.test_disclosure_property import isolated_groups


def _published(world, survey_round, viewer=ORGANISATION_WIDE) -> dict[tuple[str, int], list[int]]:
    results = tertial_results(organisation=world.org, survey_round=survey_round, viewer=viewer)
    return {(c.kind, c.pk): c.units for c in results.published() if c.units}


def _closed(world, department_of_three, sizes: tuple[int, int, int, int]):
    """Barn och unga: Utredning, Mottagning, Placering; Vuxen: Ekonomi, with these many respondents."""
    vuxen = DepartmentFactory(organisation=world.org, name="Vuxen")
    ekonomi = UnitFactory(organisation=world.org, department=vuxen, name="Ekonomi")
    units = (world.unit, world.intake_unit, department_of_three, ekonomi)
    survey_round = _round(world)
    for unit, n, prefix in zip(units, sizes, ("u", "m", "p", "e"), strict=True):
        _answer(survey_round, add_workers(unit, n, prefix=prefix), unit)
    round_close(organisation=world.org, survey_round=survey_round, now=at(2026, 8, 17, 8))
    return survey_round, units


def test_renaming_a_unit_does_not_change_what_a_closed_round_publishes(world, department_of_three):
    """Mottagning 2, Utredning 6, Placering 6 in one department, Ekonomi 10 in another, k 5: one of
    Utredning and Placering is hidden. Had renaming flipped which, the department minus both would be
    Mottagning's two people."""
    survey_round, (utredning, _mottagning, placering, _ekonomi) = _closed(world, department_of_three, (6, 2, 6, 10))
    first = _published(world, survey_round)
    assert ("unit", utredning.pk) in first or ("unit", placering.pk) in first
    # Swap the two names (through a third, names are unique), both orders of the names.
    Unit.objects.filter(pk=utredning.pk).update(name="Tillfälligt")
    Unit.objects.filter(pk=placering.pk).update(name="Utredning")
    Unit.objects.filter(pk=utredning.pk).update(name="Placering")
    second = _published(world, survey_round)
    union = {**first, **second}
    respondents = _respondents(world)
    assert isolated_groups(list(union.values()), respondents, set(), 5) == []
    assert second == first


def test_raising_the_floor_after_a_first_computation_only_hides_more(world, department_of_three, settings):
    """Utredning 10, Mottagning 2, Placering 2, Ekonomi 5: at k 5 the organisation and Barn och unga are
    published; computed afresh at 7 it would be the organisation and Utredning, and Barn och unga minus
    Utredning is Mottagning and Placering, four people."""
    survey_round, (utredning, *_rest) = _closed(world, department_of_three, (10, 2, 2, 5))
    first = _published(world, survey_round)
    settings.SURVEYS_MIN_RESPONDENTS_FLOOR = 7
    results = tertial_results(organisation=world.org, survey_round=survey_round, viewer=ORGANISATION_WIDE)
    assert results.min_respondents == 7
    assert all(c.respondents >= 7 for c in results.published())
    second = {(c.kind, c.pk): c.units for c in results.published() if c.units}
    assert set(second) <= set(first)
    union = {**first, **second}
    assert isolated_groups(list(union.values()), _respondents(world), set(), 5) == []
    # Lowering it again does not bring back what was hidden: the stored set only shrinks.
    settings.SURVEYS_MIN_RESPONDENTS_FLOOR = 5
    assert set(_published(world, survey_round)) <= set(second)


@pytest.mark.django_db(transaction=False)
def test_the_published_set_is_stored_once_per_viewer_class(world, department_of_three):
    survey_round, _units = _closed(world, department_of_three, (6, 2, 6, 10))
    _published(world, survey_round)
    _published(world, survey_round)
    assert PublishedCells.objects.filter(round=survey_round).count() == 1


def test_a_search_out_of_time_hides_everything_and_stores_nothing(world, department_of_three, settings):
    """Utredning 10, Mottagning 2, Placering 10, Ekonomi 10 needs complementary suppression: the search
    runs. Given no time it gives no answer: the viewer is shown nothing, and nothing is stored for later."""
    survey_round, _units = _closed(world, department_of_three, (10, 2, 10, 10))
    settings.SURVEYS_DISCLOSURE_SECONDS = 0
    results = tertial_results(organisation=world.org, survey_round=survey_round, viewer=ORGANISATION_WIDE)
    assert results.failed_closed and results.published() == []
    assert not PublishedCells.objects.filter(round=survey_round).exists()
    settings.SURVEYS_DISCLOSURE_SECONDS = 5
    results = tertial_results(organisation=world.org, survey_round=survey_round, viewer=ORGANISATION_WIDE)
    assert not results.failed_closed and results.published()
    assert PublishedCells.objects.filter(round=survey_round).count() == 1


def test_a_stored_set_is_read_not_searched_again(world, department_of_three, settings):
    """Once stored, the same round and class is read: no search runs (none could, with no time)."""
    survey_round, _units = _closed(world, department_of_three, (10, 2, 10, 10))
    first = _published(world, survey_round)
    settings.SURVEYS_DISCLOSURE_SECONDS = 0
    assert _published(world, survey_round) == first
    # The unit page (its trend chart and the chosen round) reads the stored sets too.
    shown = [pk for kind, pk in first if kind == "unit"]
    assert shown
    html = world.client("erin").get(reverse("surveys:unit_results", args=[shown[0]])).content.decode()
    assert "10 / 10" in html
