"""Knowledge from roles held earlier: a former unit manager keeps knowing the unit's raw figures."""

from __future__ import annotations

import datetime

import time_machine

from staff.access import Access
from staff.models import Role, RoleAssignment
from staff.services import role_assign, role_remove
from surveys.permissions import result_viewer
from surveys.selectors import tertial_results
from tests.surveys.test_anonymity import _respondents
from tests.surveys.test_disclosure_property import isolated_groups
from tests.surveys.test_published_sets import _closed


def _leave(world, person, unit, when: datetime.datetime) -> None:
    with time_machine.travel(when, tick=False):
        for assignment in RoleAssignment.objects.filter(staff=person, unit=unit):
            role_remove(organisation=world.org, assignment=assignment)


def test_a_manager_who_becomes_hr_still_cannot_derive_a_small_unit(world, department_of_three):
    """Utredning 10, Mottagning 2, Placering 10, Ekonomi 10: what HR is shown plus Utredning's raw figures
    would give Mottagning's two. Alice managed Utredning in the round, then left the role and became HR."""
    survey_round, (utredning, mottagning, _placering, _ekonomi) = _closed(world, department_of_three, (10, 2, 10, 10))
    _leave(world, world.alice, utredning, survey_round.closes_at + datetime.timedelta(days=30))
    role_assign(organisation=world.org, member=world.alice, role=Role.HR, actor=None)
    viewer = result_viewer(Access.load(world.alice))
    assert not viewer.knows and [u for u, _ended in viewer.knew] == [utredning.pk]
    results = tertial_results(organisation=world.org, survey_round=survey_round, viewer=viewer)
    assert results.viewer.knows == {utredning.pk}
    shown = [c.units for c in results.published() if c.units]
    assert isolated_groups(shown, _respondents(world), {utredning.pk}, 5) == []
    assert mottagning.pk not in {u for cell in shown if len(cell) == 1 for u in cell}
    # What HR is shown would have given it to her: the case is a real attack.
    erin = result_viewer(Access.load(world.erin))
    hr = tertial_results(organisation=world.org, survey_round=survey_round, viewer=erin)
    assert isolated_groups([c.units for c in hr.published() if c.units], _respondents(world), {utredning.pk}, 5)


def test_a_role_that_ended_before_the_round_opened_gives_no_knowledge(world, department_of_three):
    """The edge: ended a second before the round opened it saw nothing of it; ended at the opening, it did."""
    survey_round, (utredning, *_rest) = _closed(world, department_of_three, (10, 2, 10, 10))
    _leave(world, world.ivan, utredning, survey_round.opens_at - datetime.timedelta(seconds=1))
    _leave(world, world.alice, utredning, survey_round.opens_at)
    before = result_viewer(Access.load(world.ivan)).on(survey_round)
    at_opening = result_viewer(Access.load(world.alice)).on(survey_round)
    assert before.knows == frozenset() and at_opening.knows == {utredning.pk}


def test_current_and_new_managers_know_their_unit(world, department_of_three):
    survey_round, (utredning, mottagning, *_rest) = _closed(world, department_of_three, (10, 2, 10, 10))
    role_assign(organisation=world.org, member=world.bob, role=Role.UNIT_MANAGER, actor=None, unit=mottagning)
    viewer = result_viewer(Access.load(world.bob)).on(survey_round)
    assert viewer.knows == {mottagning.pk}
    assert result_viewer(Access.load(world.alice)).on(survey_round).knows == {utredning.pk}
