"""The cycle calendar: weeks, meeting times across daylight saving and the year boundary."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from caseload.allocation.cycle import CycleRules

UTC = datetime.UTC
STOCKHOLM = ZoneInfo("Europe/Stockholm")
D = datetime.date


ANCHOR = D(2026, 1, 5)


def rules(anchor=ANCHOR, **kw):
    return CycleRules(anchor=anchor, **kw)


def test_a_cycle_has_its_weeks():
    cycle = rules().cycle_on(D(2026, 2, 25))

    assert cycle.number == 1
    assert cycle.allocation_monday == D(2026, 2, 9)
    assert cycle.review_week.monday == D(2026, 2, 2)
    assert cycle.allocation_week.friday == D(2026, 2, 13)
    assert [w.monday for w in cycle.work_weeks] == [D(2026, 2, 16), D(2026, 2, 23), D(2026, 3, 2), D(2026, 3, 9)]
    assert (cycle.starts, cycle.ends) == (D(2026, 2, 9), D(2026, 3, 15))
    assert cycle.phase_on(D(2026, 2, 25)) == "work-2"
    assert cycle.phase_on(D(2026, 2, 9)) == "allocation"


def test_review_week_is_the_last_work_week_before_the_next_meeting():
    cycle = rules().cycle(0)

    assert cycle.is_review_week(D(2026, 2, 4))
    assert not cycle.is_review_week(D(2026, 1, 28))
    assert rules().cycle(1).review_week == cycle.work_weeks[-1]


def test_dates_before_the_anchor_belong_to_earlier_cycles():
    cycle = rules().cycle_on(D(2025, 12, 31))

    assert cycle.number == -1
    assert cycle.allocation_monday == D(2025, 12, 1)
    assert D(2025, 12, 31) in cycle


def test_meeting_stays_at_0830_across_daylight_saving():
    r = rules(anchor=D(2026, 3, 23), period_weeks=2)  # allocation Mondays 23 March, 6 April, ...
    before, after = r.cycle(0), r.cycle(1)  # summer time starts on 29 March 2026

    assert before.meeting_start.astimezone(UTC) == datetime.datetime(2026, 3, 23, 7, 30, tzinfo=UTC)
    assert after.meeting_start.astimezone(UTC) == datetime.datetime(2026, 4, 6, 6, 30, tzinfo=UTC)
    assert after.meeting_start.astimezone(STOCKHOLM).time() == datetime.time(8, 30)
    autumn = rules(anchor=D(2026, 10, 19)).cycle(0)  # winter time returns on 25 October 2026
    assert autumn.wrap_up_start.astimezone(UTC) == datetime.datetime(2026, 10, 23, 12, 0, tzinfo=UTC)
    assert rules(anchor=D(2026, 10, 26)).cycle(0).meeting_start.astimezone(UTC).hour == 7


def test_cycles_across_the_year_boundary():
    r = rules(anchor=D(2025, 12, 29))

    cycles = r.cycles_between(D(2025, 12, 1), D(2026, 2, 10))

    assert [c.allocation_monday for c in cycles] == [D(2025, 11, 24), D(2025, 12, 29), D(2026, 2, 2)]
    assert cycles[1].review_week.monday == D(2025, 12, 22)
    assert cycles[1].wrap_up_start == datetime.datetime(2026, 1, 2, 14, 0, tzinfo=STOCKHOLM)


def test_next_meeting_with_the_clock_frozen():
    r = rules()
    with time_machine.travel(datetime.datetime(2026, 2, 9, 8, 29, tzinfo=STOCKHOLM), tick=False):
        assert r.next_meeting(timezone.now()).allocation_monday == D(2026, 2, 9)
    with time_machine.travel(datetime.datetime(2026, 2, 9, 8, 31, tzinfo=STOCKHOLM), tick=False):
        assert r.next_meeting(timezone.now()).allocation_monday == D(2026, 3, 16)


def test_anchor_must_be_a_monday():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        rules(anchor=D(2026, 1, 6))

    assert caught.value.error_dict["anchor"][0].code == "anchor_not_monday"
    assert caught.value.message_dict == {"anchor": ["Cykeln måste börja på en måndag."]}


def test_period_must_be_sensible():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        rules(period_weeks=1)

    assert caught.value.message_dict == {"period_weeks": ["En cykel är mellan 2 och 12 veckor lång."]}


def test_each_week_of_a_cycle_has_an_allocation_point_and_the_last_one_carries_to_the_next_meeting():
    """Seed 000: non-acute cases left over are kept for the week after; week 1 is the meeting."""
    r = rules()  # cycles from 5 January 2026: weeks 5, 12, 19, 26 January and 2 February; next 9 February
    assert r.point_on(D(2026, 1, 11)).week == 1  # the allocation week's Sunday
    second = r.point_on(D(2026, 1, 12))
    assert (second.week, second.allocation_monday, second.is_meeting) == (2, D(2026, 1, 12), False)
    assert second.ends == D(2026, 2, 8)  # capacity counts to the cycle's end
    assert second.meeting_start == datetime.datetime(2026, 1, 12, 8, 30, tzinfo=STOCKHOLM)
    last = r.point_on(D(2026, 2, 8))
    assert last.week == 5
    assert (last.next.week, last.next.allocation_monday, last.next.is_meeting) == (1, D(2026, 2, 9), True)
    assert r.point_on(D(2026, 2, 9)) == last.next
    with pytest.raises(ValueError):
        r.cycle(0).point(6)
