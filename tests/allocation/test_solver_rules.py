"""Each rule and preference of the proposal, on meetings small enough to read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from caseload.allocation import AllocationRules, Outcome, QueuedCase, Reason, Worker, propose
from caseload.allocation.explain import describe
from caseload.allocation.sample import sample_meeting

from .helpers import hard_rule_violations


def case(id, weight=1, **kw):
    return QueuedCase(id=id, number=f"C-{id}", weight=weight, **kw)


def worker(id, level=2, capacity=10, load=5, **kw):
    return Worker(id=id, level=level, capacity=capacity, load=load, **kw)


def only(proposal, case_id):
    return next(c for c in proposal.cases if c.case_id == case_id)


@pytest.mark.parametrize("seed", range(12))
def test_no_hard_rule_is_ever_broken(seed):
    cases, workers = sample_meeting(300 + seed, 14, 6, load_percent=(60, 100))

    proposal = propose(cases, workers, time_limit=5)

    assert hard_rule_violations(cases, workers, AllocationRules(), proposal) == []
    placed = {c.case_id for c in proposal.cases if c.outcome == Outcome.ASSIGNED}
    assert placed | set(proposal.carried_over) | set(proposal.flagged) == {c.id for c in cases}


def test_what_does_not_fit_is_carried_over_longest_waiting_first():
    cases = [case(1), case(2, weeks_waited=2), case(3)]
    workers = [worker(10, capacity=6, load=5), worker(11, capacity=6, load=5.5)]  # room for one main only

    proposal = propose(cases, workers)

    assert only(proposal, 2).outcome == Outcome.ASSIGNED
    assert set(proposal.carried_over) == {1, 3}
    assert proposal.flagged == ()
    assert only(proposal, 1).notes == (Reason.NO_CAPACITY,)


def test_acute_case_goes_first_and_is_flagged_when_it_cannot_be_placed():
    workers = [worker(10, capacity=6, load=5), worker(11, capacity=6, load=6)]

    first = propose([case(1, weeks_waited=3), case(2, acute=True)], workers)
    assert only(first, 2).outcome == Outcome.ASSIGNED
    assert first.carried_over == (1,)

    second = propose([case(3, weight=3, acute=True)], workers)
    assert second.flagged == (3,)
    assert only(second, 3).outcome == Outcome.FLAGGED
    assert second.carried_over == ()


def test_interest_wins_between_equal_colleagues():
    proposal = propose([case(1, interested=frozenset({11}))], [worker(10), worker(11), worker(12)])

    row = only(proposal, 1)
    assert row.main_id == 11
    assert row.main.reasons[0] == Reason.INTEREST


def test_continuity_with_the_same_case_number():
    proposal = propose([case(1, earlier_handlers=frozenset({12}))], [worker(10), worker(11), worker(12)])

    assert only(proposal, 1).main_id == 12
    assert Reason.CONTINUITY in only(proposal, 1).main.reasons


def test_even_load_relative_to_capacity():
    workers = [worker(10, capacity=10, load=8), worker(11, capacity=20, load=6), worker(12, capacity=10, load=9)]

    row = only(propose([case(1)], workers), 1)

    assert row.main_id == 11  # 30 % of capacity against 80 % and 90 %
    assert row.main.reasons == (Reason.LOAD,)
    assert (row.main.load_before, row.main.load_after, row.main.capacity) == (
        Decimal("6.00"),
        Decimal("7.00"),
        Decimal("20.00"),
    )


def test_on_duty_colleague_is_spared():
    workers = [worker(10, on_duty=True), worker(11, load=5.5), worker(12, on_duty=True)]

    assert only(propose([case(1, weight=2)], workers), 1).main_id == 11


def test_new_worker_is_paired_with_an_experienced_co_handler():
    workers = [worker(10, level=1, load=0), worker(11, level=2, load=0), worker(12, level=3, load=4)]

    row = only(propose([case(1, interested=frozenset({10}))], workers), 1)

    assert (row.main_id, row.co_id) == (10, 12)
    assert Reason.PAIRED_WITH_EXPERIENCED in row.co.reasons


def test_level_rules_specialists_absence_and_the_callers_verdict():
    workers = [
        worker(10, level=1, load=0),
        worker(11, level=4, is_specialist=True, load=0),
        worker(12, level=3, absent=True, load=0),
        worker(13, level=3, may_be_main=False, load=0),
    ]

    proposal = propose([case(1, weight=3, interested=frozenset({10, 11, 12, 13}))], workers)

    assert proposal.carried_over == (1,)  # nobody may be main of a top-weight case here


def test_new_worker_needs_a_co_handler():
    workers = [worker(10, level=1, load=0), worker(12, level=3, absent=True)]

    assert propose([case(1)], workers).carried_over == (1,)
    relaxed = AllocationRules(co_handler_required_for_new=False)
    assert only(propose([case(1)], workers, relaxed), 1).main_id == 10


def test_co_handled_case_counts_at_half_its_weight():
    workers = [worker(10, capacity=10, load=9), worker(11, capacity=10, load=9.5)]

    row = only(propose([case(1)], workers), 1)

    assert (row.main_id, row.co_id) == (10, 11)
    assert row.co.load_after == Decimal("10.00")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="weight"):
        case(1, weight=0)
    with pytest.raises(ValueError, match="unique"):
        propose([case(1), case(1)], [worker(10)])
    with pytest.raises(ValueError, match="convex"):
        AllocationRules(load_breakpoints=((Decimal("0"), -1),))


def test_every_reason_has_a_text_for_the_board():
    with translation.override("en"):
        assert describe(Reason.INTEREST) == "wants this case"
    assert all(describe(reason) for reason in Reason)


def test_empty_meetings():
    assert propose([], [worker(10)]).cases == ()
    nobody = propose([case(1), case(2, acute=True)], [])
    assert (nobody.status, nobody.carried_over, nobody.flagged) == ("OPTIMAL", (1,), (2,))
