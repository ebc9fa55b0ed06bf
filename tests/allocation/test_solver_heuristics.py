"""The upper-bound steps of the solver: the LP rounding and the load penalty on reachable loads."""

from __future__ import annotations

import dataclasses
import time
from decimal import Decimal

import numpy as np
import pytest

from caseload.allocation import AllocationRules, costs, propose, propose_greedy
from caseload.allocation import solver as engine
from caseload.allocation._rounding import round_lp
from caseload.allocation.explain import build_proposal
from caseload.allocation.sample import sample_meeting

from .helpers import hard_rule_violations


def _rounded(cases, workers, rules):
    matrix, x, y = engine._build(cases, workers, rules)
    lp = matrix.solve(keep=None, integral=False, clashes=[], deadline=time.perf_counter() + 60, seed=0)
    reduced, lower = matrix.pricing(lp.row_duals)
    return round_lp(cases, workers, rules, x, y, lp.values, reduced), lower


@pytest.mark.parametrize("seed", range(6))
def test_the_rounded_lp_obeys_every_rule_and_beats_greedy_on_crowded_meetings(seed):
    rules = AllocationRules()
    cases, workers = sample_meeting(500 + seed, 90, 30)

    allocation, lower = _rounded(cases, workers, rules)

    value = costs.objective(cases, workers, rules, allocation)  # raises on a broken hard rule
    proposal = build_proposal(cases, workers, rules, allocation, status="ROUNDED", objective=value, wall_seconds=0.0)
    assert hard_rule_violations(cases, workers, rules, proposal) == []
    assert lower <= value
    assert value < propose_greedy(cases, workers, rules).objective


def test_load_penalty_columns_reproduce_the_cost_function_at_every_reachable_load():
    """The model prices the load on the lattice of reachable loads; at each of them it must equal
    costs.load_curve, so the LP optimum of the model with the allocation fixed is its true cost."""
    rules = AllocationRules()
    cases, workers = sample_meeting(77, 12, 5, load_percent=(50, 90))
    proposal = propose(cases, workers, rules, time_limit=30)
    assert proposal.status == "OPTIMAL"
    matrix, x, y = engine._build(cases, workers, rules)
    pairs = proposal.pairs()
    fixed = np.zeros(len(matrix.cost))
    for ci, case in enumerate(cases):
        if (pair := pairs[case.id]) is not None:
            fixed[x[ci, pair[0]]] = 1
            if pair[1] is not None:
                fixed[y[ci, pair[1]]] = 1
    choice = np.zeros(len(matrix.cost), dtype=bool)
    choice[list(x.values()) + list(y.values())] = True
    keep = ~choice | (fixed > 0.5)
    lp = matrix.solve(keep=keep, integral=False, clashes=[], deadline=time.perf_counter() + 60, seed=0, lower=fixed)

    assert round(lp.objective) == costs.objective(cases, workers, rules, pairs) == proposal.objective


@pytest.mark.parametrize("seed", range(4))
def test_without_the_lp_cases_go_by_value_per_room_and_still_beat_greedy(seed):
    """The fallback when the LP does not finish in time: no LP values, the columns' own costs."""
    rules = AllocationRules()
    cases, workers = sample_meeting(600 + seed, 90, 30)
    matrix, x, y = engine._build(cases, workers, rules)

    allocation = round_lp(cases, workers, rules, x, y, None, matrix.cost)

    value = costs.objective(cases, workers, rules, allocation)
    proposal = build_proposal(cases, workers, rules, allocation, status="FALLBACK", objective=value, wall_seconds=0.0)
    assert hard_rule_violations(cases, workers, rules, proposal) == []
    assert value < propose_greedy(cases, workers, rules).objective


@pytest.mark.parametrize("seed", range(3))
def test_the_numpy_build_prices_every_column_as_the_cost_function(seed):
    """The model is built with arrays per case weight plus the pairs with interest or continuity; every
    main and co column must still carry exactly the cost costs.py gives that choice, and exist exactly
    where costs.py allows the role and the worker has room for it."""
    rules = AllocationRules(co_fraction=Decimal("0.4"), new_max_main_weight=1, interest_main=33_000)
    cases, workers = sample_meeting(900 + seed, 40, 15)
    workers[0] = dataclasses.replace(workers[0], may_be_main=False)
    matrix, x, y = engine._build(cases, workers, rules)

    for ci, case in enumerate(cases):
        left_out = costs.unassigned_cost(case, rules)
        for w in workers:
            may_main = costs.may_be_main(w, case, rules) and costs.main_units(case) <= w.free_units
            may_co = costs.may_co_handle(w, case, rules) and costs.co_units(case, rules) <= w.free_units
            assert ((ci, w.id) in x) == may_main
            assert ((ci, w.id) in y) == may_co
            if may_main:
                assert matrix.cost[x[ci, w.id]] == costs.main_cost(case, w, rules) - left_out + rules.missing_co
            if may_co:
                assert matrix.cost[y[ci, w.id]] == costs.co_cost(case, w, rules) - rules.missing_co
    assert any(case.interested or case.earlier_handlers for case in cases)
    assert not any((ci, workers[0].id) in x for ci in range(len(cases)))
