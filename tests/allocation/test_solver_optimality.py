"""The proposal is the optimum: equal to brute force on many small generated meetings."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from caseload.allocation import AllocationRules, costs, propose, propose_greedy
from caseload.allocation.sample import sample_meeting

from .helpers import brute_force, hard_rule_violations

SIZES = [(3, 3), (3, 4), (4, 3), (2, 4)]


def _rules(rng: random.Random) -> AllocationRules:
    """Vary the rules too, so optimality does not hinge on one set of weights."""
    return replace(
        AllocationRules(),
        co_handler_required_for_new=rng.random() < 0.7,
        pairing=rng.choice([0, 30_000, 200_000]),
        interest_main=rng.choice([0, 20_000, 400_000]),
        continuity_main=rng.choice([0, 15_000]),
        duty_per_weight=rng.choice([0, 10_000]),
        missing_co=rng.choice([0, 100_000, 600_000]),
    )


@pytest.mark.parametrize("seed", range(36))
def test_solver_matches_brute_force(seed):
    rng = random.Random(seed)
    n_cases, n_workers = SIZES[seed % len(SIZES)]
    cases, workers = sample_meeting(1000 + seed, n_cases, n_workers, load_percent=(55, 100))
    rules = _rules(rng)

    proposal = propose(cases, workers, rules)

    assert proposal.status == "OPTIMAL"
    assert proposal.objective == brute_force(cases, workers, rules)
    assert proposal.lower_bound == proposal.objective and proposal.gap == 0
    assert proposal.objective == costs.objective(cases, workers, rules, proposal.pairs())
    assert hard_rule_violations(cases, workers, rules, proposal) == []
    assert propose_greedy(cases, workers, rules).objective >= proposal.objective


@pytest.mark.parametrize("seed", range(8))
def test_greedy_never_beats_the_solver_on_larger_meetings(seed):
    cases, workers = sample_meeting(2000 + seed, 16, 6)

    proposal = propose(cases, workers, time_limit=30)
    greedy = propose_greedy(cases, workers)

    assert proposal.status == "OPTIMAL"
    assert greedy.objective >= proposal.objective
    assert hard_rule_violations(cases, workers, AllocationRules(), greedy) == []


def test_same_meeting_gives_the_same_proposal():
    cases, workers = sample_meeting(7, 20, 7)

    first, second = propose(cases, workers), propose(cases, workers)

    assert first.pairs() == second.pairs()
    assert first.objective == second.objective


def test_out_of_time_the_best_allocation_so_far_comes_back_within_the_rules():
    cases, workers = sample_meeting(11, 60, 20)

    proposal = propose(cases, workers, time_limit=0.01)

    assert proposal.status == "FEASIBLE"
    assert hard_rule_violations(cases, workers, AllocationRules(), proposal) == []
    assert proposal.objective <= propose_greedy(cases, workers).objective
    assert proposal.objective == costs.objective(cases, workers, AllocationRules(), proposal.pairs())
