"""A person not (yet) placed on the ladder is level 1 for every caseload rule (issue 16, item 8).

Before, a new hire without a placement got the capacity of the other levels (22) and could be main handler
of a top-weight case with no co-handler. Nina is placed on level 2 from 1 March 2024: before that day she is
not placed, and the level-1 rules hold; from it, the level-2 rules.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from caseload import services
from caseload.models import Assignment, Case, CaseloadSettings
from caseload.selectors import worker_loads
from tests.caseload.factories import case, place, worker

PLACED = datetime.date(2024, 3, 1)


@pytest.fixture
def nina(ladder):
    person = worker(ladder.unit, "nina", level=2)
    place(person, 2, start=PLACED)
    return person


@pytest.mark.parametrize(("today", "capacity"), [(PLACED - datetime.timedelta(days=1), 12), (PLACED, 22)])
def test_capacity_is_level_ones_until_placed(ladder, nina, today, capacity):
    settings = CaseloadSettings.for_org(ladder.org)
    [load] = worker_loads(organisation=ladder.org, staff=[nina], today=today, settings=settings)
    assert load.capacity == capacity
    assert load.level is None or load.level.number == 2


def _assign(w, c, main, co, on):
    return services.case_assign(
        organisation=w.org,
        actor=w.alice,
        case=c,
        main=main,
        co=co,
        expected_version=Case.objects.get(pk=c.pk).version,
        on=on,
    )


@pytest.mark.parametrize(
    ("weight", "co", "field", "message"),
    [
        (3, "bob", "main", "En medarbetare på nivå 1 kan inte vara huvudhandläggare för ett ärende med högsta vikt."),
        (1, None, "co", "En medarbetare på nivå 1 har alltid en medhandläggare: välj en."),
    ],
)
def test_case_assignment_applies_the_level_one_rules_until_placed(ladder, nina, weight, co, field, message):
    c = case(ladder.unit, "NEW-1", weight=weight)
    co_handler = getattr(ladder, co) if co else None
    with pytest.raises(ValidationError) as exc:
        _assign(ladder, c, nina, co_handler, on=PLACED - datetime.timedelta(days=1))
    assert message in exc.value.message_dict[field]
    assert not Assignment.objects.filter(case=c).exists()
    _assign(ladder, c, nina, co_handler, on=PLACED)  # placed on level 2 that day: allowed
    assert Assignment.objects.get(case=c, role="main", end__isnull=True).staff == nina


def test_a_person_never_placed_is_level_one(ladder):
    never = worker(ladder.unit, "noa", level=2)
    never.level_placements.all().delete()
    c = case(ladder.unit, "NEW-2", weight=3)
    with pytest.raises(ValidationError) as exc:
        _assign(ladder, c, never, ladder.bob, on=datetime.date(2024, 6, 14))
    assert "nivå 1" in exc.value.message_dict["main"][0]
    settings = CaseloadSettings.for_org(ladder.org)
    [load] = worker_loads(organisation=ladder.org, staff=[never], today=datetime.date(2024, 6, 14), settings=settings)
    assert load.capacity == settings.capacity_level_1
