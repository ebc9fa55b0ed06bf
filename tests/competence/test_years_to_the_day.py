"""Years of experience are whole calendar years counted to the day (issue 16, item 1).

Exactly 5 years on the decision date meets the level-3 rule; one day short needs an override reason.
A start on 29 February reaches its anniversary on 28 February in a common year (Lag (1930:173)
om beräkning av lagstadgad tid, 1 §: no matching day in the final month, its last day ends the period).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from competence.models import Assessment, LevelPlacement
from competence.selectors import eligibility
from competence.selectors.people import staff_list
from competence.services import placement_promote
from staff.dates import add_years, latest_start_for, whole_years_between, years_reached
from tests.competence.conftest import TODAY

D = datetime.date


@pytest.mark.parametrize(
    ("start", "on", "years"),
    [
        (D(2021, 3, 10), D(2026, 3, 9), 4),  # the day before the fifth anniversary
        (D(2021, 3, 10), D(2026, 3, 10), 5),  # on it
        (D(2021, 3, 10), D(2026, 3, 11), 5),  # the day after
        (D(2020, 2, 29), D(2025, 2, 27), 4),
        (D(2020, 2, 29), D(2025, 2, 28), 5),  # 29 February: the anniversary in a common year is 28 February
        (D(2020, 2, 29), D(2024, 2, 28), 3),  # in a leap year it is 29 February itself
        (D(2020, 2, 29), D(2024, 2, 29), 4),
        (D(2021, 3, 10), D(2021, 3, 1), 0),  # not started yet
    ],
)
def test_whole_calendar_years_to_the_day(start, on, years):
    assert whole_years_between(start, on) == years


def test_add_years_and_the_latest_start_that_has_reached_a_number_of_years():
    assert add_years(D(2020, 2, 29), 5) == D(2025, 2, 28)
    assert add_years(D(2020, 2, 29), 4) == D(2024, 2, 29)
    assert latest_start_for(D(2026, 3, 10), months=60) == D(2021, 3, 10)
    # On 28 February 2025 both a 28 and a 29 February 2020 start have five years.
    assert latest_start_for(D(2025, 2, 28), months=60) == D(2020, 2, 29)
    assert latest_start_for(D(2025, 3, 1), months=60) == D(2020, 3, 1)
    assert years_reached(D(2021, 9, 10), D(2026, 3, 10), years=4.5)
    assert not years_reached(D(2021, 9, 11), D(2026, 3, 10), years=4.5)


def test_staff_member_years_of_experience_are_whole_years(world):
    world.heidi.profession_start = D(2021, 3, 11)
    assert world.heidi.years_of_experience(TODAY) == 4  # 18 hours short of 5 would have been 5.0 by days / 365.25
    world.heidi.profession_start = D(2021, 3, 10)
    assert world.heidi.years_of_experience(TODAY) == 5


def _heidi_from(world, start):
    world.heidi.profession_start = start
    world.heidi.save()


def test_level3_rule_one_day_short_is_not_met_exactly_five_years_is(world, ladder):
    _heidi_from(world, D(2021, 3, 11))  # 1825 days: 4.997 years, rounded to 5.0 before
    check = eligibility(staff=world.heidi, on=TODAY)
    assert check.next.number == 3
    assert check.unmet == ["Minst 5,0 års erfarenhet krävs; hittills 4 hela år, uppnås 2026-03-11."]
    assert check.soon
    _heidi_from(world, D(2021, 3, 10))
    assert eligibility(staff=world.heidi, on=TODAY).eligible
    _heidi_from(world, D(2021, 3, 9))
    assert eligibility(staff=world.heidi, on=TODAY).eligible


def test_level3_rule_for_a_29_february_start(world, ladder):
    _heidi_from(world, D(2020, 2, 29))
    LevelPlacement.objects.filter(staff=world.heidi).update(start=D(2020, 3, 1))
    assert not eligibility(staff=world.heidi, on=D(2025, 2, 27)).eligible
    assert eligibility(staff=world.heidi, on=D(2025, 2, 28)).eligible


def test_promotion_one_day_short_of_five_years_needs_an_override_reason(world, ladder):
    world.heidi.unit = world.unit  # managed by alice
    _heidi_from(world, D(2021, 3, 11))
    args = {
        "organisation": world.org,
        "staff": world.heidi,
        "level": ladder[3],
        "start": TODAY,
        "assessed_on": TODAY,
        "manager": world.alice,
        "specialist": world.carol,
        "motivation": "Stöttar kollegor.",
    }
    with pytest.raises(ValidationError) as exc:
        placement_promote(**args)
    assert "Minst 5,0 års erfarenhet krävs" in exc.value.message_dict["override_reason"][0]
    assert not Assessment.objects.filter(staff=world.heidi).exists()
    _heidi_from(world, D(2021, 3, 10))
    placement = placement_promote(**args)
    assert not placement.assessment.is_override


def test_staff_list_years_filter_counts_to_the_day(world, ladder):
    def matched(on, **filters):
        qs = staff_list(organisation=world.org, unit_ids=None, on=on, **filters)
        return world.heidi.pk in {p.pk for p in qs}

    _heidi_from(world, D(2020, 2, 2))  # 1825 days to 1 February 2025 (two leap days): one day short
    assert not matched(D(2025, 2, 1), min_years=5)
    assert matched(D(2025, 2, 1), max_years=5)
    assert matched(D(2025, 2, 2), min_years=5)  # on the anniversary
    _heidi_from(world, D(2020, 2, 29))
    assert not matched(D(2025, 2, 27), min_years=5)
    assert matched(D(2025, 2, 28), min_years=5)
    assert not matched(D(2025, 2, 28), max_years=5)
