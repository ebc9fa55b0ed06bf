"""Issue 16, the weekly carry-over (docs/domain.md section 7, seed 000: "Om inte alla ärenden kan fördelas sparas
dessa som inte är akuta till veckan därpå"): a non-acute case the confirmed allocation leaves over is shown at
the next week's allocation point, marked where from and first after the acute ones, and that point's proposal
takes it. Not in the same week; not once it has been allocated in between; and from the cycle's last week to
the next cycle's meeting.

Alfa's unit meets every five weeks from Monday 12 January 2026: weeks 1-5 start 12, 19, 26 January, 2 and
9 February; the next meeting is Monday 16 February."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from caseload.meeting import selectors
from caseload.models import Case, CaseloadSettings, MeetingCycle, ProposedAllocation
from tests.caseload.factories import case, worker
from tests.caseload.meeting.test_board import _board, _post

WEEK_1 = datetime.date(2026, 1, 12)
WEEK_2 = datetime.date(2026, 1, 19)
WEEK_5 = datetime.date(2026, 2, 9)
NEXT_MEETING = datetime.date(2026, 2, 16)


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, 0), tick=False)


@pytest.fixture
def unit(cycle):
    """Bob (level 2) and Dora (level 3) with room; LEFT and KEPT wait for the meeting of 12 January."""
    settings = CaseloadSettings.for_org(cycle.org)
    settings.capacity_level_2 = settings.capacity_level_3 = 6
    settings.save()
    cycle.dora = worker(cycle.unit, "dora", level=3)
    cycle.left = case(cycle.unit, "LEFT", start=datetime.date(2025, 12, 15))
    cycle.kept = case(cycle.unit, "KEPT", start=datetime.date(2025, 12, 22))
    return cycle


def _queue(html: str) -> str:
    return html.split('id="queue-table"', 1)[1].split("</table>", 1)[0]


def _leave_over(w, number: str) -> None:
    """Make the board's proposal, leave ``number`` without handlers (carried over) and confirm."""
    _post(w, "alice", "proposal_make")
    row = ProposedAllocation.objects.get(case__number=number, confirmed=False, cycle__confirmed_at__isnull=True)
    _post(w, "alice", "proposal_adjust", {"row": row.pk, "main": "", "co": ""})
    html = _post(w, "alice", "proposal_confirm").content.decode()
    assert "Fördelningen är fastställd" in html


def _confirm_week_1_leaving_left_over(w) -> None:
    with at(WEEK_1):
        _leave_over(w, "LEFT")
    assert Case.objects.get(pk=w.left.pk).status == Case.Status.AWAITING_ALLOCATION
    assert Case.objects.get(pk=w.kept.pk).status == Case.Status.OPEN


def test_a_case_left_over_at_week_1_is_shown_at_week_2s_allocation_point_first_and_marked(unit):
    w = unit
    _confirm_week_1_leaving_left_over(w)
    # Waiting longer than LEFT, but new to the queue since the meeting: not carried over, so after it.
    old = case(w.unit, "OLD", start=datetime.date(2025, 12, 1))
    for day in (WEEK_2, WEEK_2 + datetime.timedelta(days=1)):  # on the Monday and after
        with at(day):
            html = _board(w)
        assert (
            "Fördelningstillfälle vecka 2, måndag 19 januari 2026, 08:30: 1 ärende överfört från veckan före." in html
        )
        queue = _queue(html)
        assert 'LEFT</a> <span class="badge text-bg-warning">Överförd från vecka 1 (12 januari)</span>' in queue
        assert queue.index("LEFT") < queue.index("OLD")
        assert "Överförd" not in queue.split("OLD", 1)[1].split("</tr>", 1)[0]
    assert selectors.carried_over_into(organisation=w.org, unit=w.unit, monday=WEEK_2).keys() == {w.left.pk}
    assert old.pk not in selectors.carried_over_into(organisation=w.org, unit=w.unit, monday=WEEK_2)


def test_the_week_2_proposal_takes_the_carried_over_case_and_confirming_allocates_it(unit):
    w = unit
    _confirm_week_1_leaving_left_over(w)
    case(w.unit, "OLD", start=datetime.date(2025, 12, 1))  # new to the queue: waits for the next meeting
    with at(WEEK_2):
        html = _post(w, "alice", "proposal_make").content.decode()
        point = MeetingCycle.objects.get(allocation_monday=WEEK_2)
        assert point.week == 2
        rows = list(ProposedAllocation.objects.filter(cycle=point))
        assert [r.case.number for r in rows] == ["LEFT"]  # the engine's input: the carried-over case
        assert rows[0].carried_from == MeetingCycle.objects.get(allocation_monday=WEEK_1)
        assert rows[0].outcome == "assigned"
        proposal = html.split('id="proposal-table"', 1)[1].split("</table>", 1)[0]
        assert "Överförd från vecka 1 (12 januari)" in proposal
        _post(w, "alice", "proposal_confirm")
        html = _board(w)  # the confirmed point stays on the board that week
    assert "Fördelningstillfälle vecka 2, måndag 19 januari 2026, 08:30: 1 ärende överfört" in html
    assert 'id="confirmed"' in html
    assert Case.objects.get(pk=w.left.pk).status == Case.Status.OPEN
    assert Case.objects.get(number="OLD").status == Case.Status.AWAITING_ALLOCATION


def test_a_case_left_over_is_not_carried_over_within_the_same_week(unit):
    w = unit
    _confirm_week_1_leaving_left_over(w)
    for day in (WEEK_1, WEEK_2 - datetime.timedelta(days=1)):  # the meeting's Monday and the Sunday after
        with at(day, hour=20):
            html = _board(w)
        assert "Fördelningsmöte måndag 12 januari 2026, 08:30." in html  # still the meeting of week 1
        assert "LEFT" in _queue(html) and "Överförd" not in _queue(html)
        assert 'id="carried-to"' in html and "vecka 2, måndag 19 januari" in html  # where it goes next
    assert selectors.carried_over_into(organisation=w.org, unit=w.unit, monday=WEEK_1) == {}


def test_a_case_allocated_in_between_is_not_carried_over(unit):
    w = unit
    _confirm_week_1_leaving_left_over(w)
    with at(WEEK_1 + datetime.timedelta(days=2)):  # allocate now, on the Wednesday
        assign = reverse("caseload:case_assign", args=[w.left.pk])
        response = w.client("alice").post(assign, {"main": w.dora.pk, "co": w.bob.pk, "reason": "", "version": 0})
        assert response.status_code == 302
    with at(WEEK_2):
        html = _board(w)
    assert "Fördelningstillfälle" not in html
    assert "Fördelningsmöte måndag 16 februari 2026, 08:30." in html  # the next cycle's meeting, as before
    assert "Överförd" not in html
    assert selectors.carried_over_into(organisation=w.org, unit=w.unit, monday=WEEK_2) == {}


def test_an_acute_case_is_not_carried_over_as_a_left_over(unit):
    w = unit
    _confirm_week_1_leaving_left_over(w)
    Case.objects.filter(pk=w.left.pk).update(acute=True)  # found acute since: allocated at once, not carried
    assert selectors.carried_over_into(organisation=w.org, unit=w.unit, monday=WEEK_2) == {}


def test_a_case_left_over_in_the_cycles_last_week_is_carried_to_the_next_cycles_meeting(unit):
    w = unit
    _confirm_week_1_leaving_left_over(w)
    with at(WEEK_5):  # not allocated in weeks 2-4 either: still carried over, from week 1
        assert 'LEFT</a> <span class="badge text-bg-warning">Överförd från vecka 1 (12 januari)</span>' in _board(w)
        _leave_over(w, "LEFT")  # the point of week 5 leaves it over again
    assert MeetingCycle.objects.get(allocation_monday=WEEK_5).week == 5
    with at(NEXT_MEETING - datetime.timedelta(days=1)):  # the Sunday: still week 5's point, no new mark
        html = _board(w)
        assert "Fördelningstillfälle vecka 5" in html
        assert "Överförd från vecka 5" not in html
        assert "vecka 1, måndag 16 februari" in html.split('id="carried-to"', 1)[1]
    for day in (NEXT_MEETING, NEXT_MEETING + datetime.timedelta(days=1)):
        with at(day):
            html = _board(w)
        assert "Fördelningsmöte måndag 16 februari 2026, 08:30." in html
        assert "Överförd från vecka 5 (9 februari)" in _queue(html)
    new = case(w.unit, "NEW", start=datetime.date(2025, 11, 3))  # waited longer, not carried over
    with at(NEXT_MEETING):
        _post(w, "alice", "proposal_make")
    meeting = MeetingCycle.objects.get(allocation_monday=NEXT_MEETING)
    rows = selectors.proposals(organisation=w.org, meeting=meeting)
    assert [r.case.number for r in rows] == ["LEFT", "NEW"]  # the meeting takes the whole queue, carried first
    assert rows[0].carried_from == MeetingCycle.objects.get(allocation_monday=WEEK_5)
    assert rows[1].carried_from is None and rows[1].case == new


def test_the_weekly_point_is_another_units_404(unit):
    w = unit
    _confirm_week_1_leaving_left_over(w)
    with at(WEEK_2):
        response = w.client("charlie").get(reverse("caseload:board", args=[w.unit.pk]))
    assert response.status_code == 404


def test_a_weekly_point_is_not_counted_as_a_cycle_of_its_own_in_the_follow_up(unit):
    w = unit
    _confirm_week_1_leaving_left_over(w)
    with at(WEEK_2):
        _post(w, "alice", "proposal_make")
        _post(w, "alice", "proposal_confirm")
    follow_ups = selectors.cycle_follow_ups(organisation=w.org, unit=w.unit)
    assert [f.meeting.allocation_monday for f in follow_ups] == [WEEK_1]
