"""The aggregated model behind propose: it prices every allocation as costs.py does and admits every
allocation that obeys the rules (so its optimum is a proven lower bound), and a case the counts cannot
be turned back into is modelled worker by worker ("exploded") until they can."""

from __future__ import annotations

import dataclasses
import random
import time
from decimal import Decimal

import numpy as np
import pytest

from caseload.allocation import AllocationRules, QueuedCase, Worker, costs, propose
from caseload.allocation import solver as engine
from caseload.allocation.greedy import greedy_allocation
from caseload.allocation.sample import sample_meeting

from .helpers import brute_force

RULES = [
    AllocationRules(),
    AllocationRules(co_fraction=Decimal("0.4"), new_max_main_weight=1, interest_main=33_000, pairing=0),
    AllocationRules(co_handler_required_for_new=False, pairing_levels=frozenset({4}), missing_co=0),
    AllocationRules(co_fraction=Decimal("0"), duty_per_weight=0),
]


def _random_allocation(rng, cases, workers, rules):
    """Cases in random order, each left out or given a random main and maybe a co-handler that fit."""
    free = {w.id: w.free_units for w in workers}
    allocation = {}
    for case in rng.sample(cases, len(cases)):
        allocation[case.id] = None
        mains = [w for w in workers if costs.may_be_main(w, case, rules) and costs.main_units(case) <= free[w.id]]
        if not mains or rng.random() < 0.2:
            continue
        main = rng.choice(mains)
        cos = [
            w
            for w in workers
            if w.id != main.id and costs.may_co_handle(w, case, rules) and costs.co_units(case, rules) <= free[w.id]
        ]
        co = rng.choice(cos) if cos and (costs.needs_co(main, rules) or rng.random() < 0.6) else None
        if co is None and costs.needs_co(main, rules):
            continue
        free[main.id] -= costs.main_units(case)
        if co is not None:
            free[co.id] -= costs.co_units(case, rules)
        allocation[case.id] = (main.id, co.id if co else None)
    costs.check(cases, workers, rules, allocation)
    return allocation


def _rows(model):
    starts = [*model.row_start, len(model.row_index)]
    for r in range(len(model.row_lower)):
        yield (
            model.row_index[starts[r] : starts[r + 1]],
            model.row_value[starts[r] : starts[r + 1]],
            model.row_lower[r],
            model.row_upper[r],
        )


@pytest.mark.parametrize("seed", range(8))
def test_every_allocation_is_a_point_of_the_model_at_its_cost(seed):
    """The model is a relaxation that prices exactly: any allocation within the rules (random ones,
    greedy's) maps onto columns within their bounds that satisfy every row, and the model's objective
    there is costs.objective. That is what makes the model's optimum a proven bound."""
    rng = random.Random(seed)
    rules = RULES[seed % len(RULES)]
    cases, workers = sample_meeting(900 + seed, 40, 15, load_percent=(30, 90))
    workers[0] = dataclasses.replace(workers[0], may_be_main=False)
    exploded = set(rng.sample(range(len(cases)), 5)) if seed % 2 else set()
    model = engine._Aggregate(cases, workers, rules, exploded)
    assert any(c.interested or c.earlier_handlers for c in cases)

    allocations = [greedy_allocation(cases, workers, rules)] + [
        _random_allocation(rng, cases, workers, rules) for _ in range(10)
    ]
    for allocation in allocations:
        values = model.columns(allocation)
        assert (values >= 0).all() and (values <= np.array(model.upper) + 1e-9).all()
        for cols, coefs, lower, upper in _rows(model):
            activity = float(np.dot(values[cols], coefs))
            assert lower - 1e-9 <= activity <= upper + 1e-9
        assert round(float(np.dot(model.cost, values)) + model.offset) == costs.objective(
            cases, workers, rules, allocation
        )


def _one_worker_for_both_roles():
    """One case; only Anna may be main (Bo is a specialist); as co-handler Anna would be cheaper than Bo,
    who is on duty. The counts put Anna in both roles: the model must explode the case."""
    case = QueuedCase(id=1, number="IFO-1", weight=1)
    anna = Worker(id=1, level=2, capacity=10, load=2)
    bo = Worker(id=2, level=4, capacity=10, load=2, is_specialist=True, on_duty=True)
    return [case], [anna, bo]


def test_counts_that_would_give_a_worker_both_roles_explode_the_case():
    cases, workers = _one_worker_for_both_roles()
    rules = AllocationRules()
    deadline = time.perf_counter() + 30

    aggregated = engine._Aggregate(cases, workers, rules, set())
    allocation, stuck = aggregated.disaggregate(aggregated.solve(deadline=deadline, seed=0).values)
    assert allocation is None and stuck == {0}

    exploded = engine._Aggregate(cases, workers, rules, {0})
    allocation, stuck = exploded.disaggregate(exploded.solve(deadline=deadline, seed=0).values)
    assert allocation == {1: (1, 2)} and stuck == set()

    proposal = propose(cases, workers, rules)
    assert proposal.status == "OPTIMAL"
    assert proposal.pairs() == {1: (1, 2)}
    assert proposal.objective == brute_force(cases, workers, rules)


@pytest.mark.parametrize("seed", range(3))
def test_the_benchmark_meeting_size_is_proven_optimal(seed):
    """300 queued cases, 100 workers (bench/allocation_bench.py's meeting): proven, within the rules, and
    at least as good as greedy. No wall-clock assertion (the machine is shared): the limit is generous."""
    cases, workers = sample_meeting(2026 + seed, 300, 100)

    proposal = propose(cases, workers, time_limit=60)

    assert proposal.status == "OPTIMAL"
    assert proposal.lower_bound == proposal.objective
    assert proposal.objective == costs.objective(cases, workers, AllocationRules(), proposal.pairs())
    assert proposal.objective < costs.objective(
        cases, workers, AllocationRules(), greedy_allocation(cases, workers, AllocationRules())
    )


def test_an_interrupted_solution_may_cost_less_than_the_model_says_but_never_more():
    """A solution HiGHS was interrupted in can put a generic role at a worker with interest in the case:
    turned back into cases it costs less than the model's figure (the reward is real). That is accepted;
    for a proven optimum the same difference means the model is wrong and is refused."""
    rules = AllocationRules()
    case = QueuedCase(id=1, number="IFO-1", weight=1, interested=frozenset({2}))
    anna, bo = Worker(id=1, level=2, capacity=10, load=2), Worker(id=2, level=3, capacity=10, load=2)
    model = engine._Aggregate([case], [anna, bo], rules, set())
    cols = model.columns_of[0]
    values = np.zeros(len(model.cost))
    # Anna main (generic), Bo co-handler through the generic column although his interest column exists.
    values[cols.generic_main[False]] = 1
    values[model.count_main[1, 0]] = 1
    values[cols.generic_co[True]] = 1
    values[model.count_co[1, 1]] = 1
    for j, units in ((0, 100), (1, 50)):
        left = units
        for col, length in model.segments[j]:
            values[col] = min(left, length)
            left -= values[col]
    figure = float(np.dot(model.cost, values)) + model.offset
    allocation, stuck = model.disaggregate(values)
    assert allocation == {1: (1, 2)} and stuck == set()
    value = costs.objective([case], [anna, bo], rules, allocation)
    assert value == figure - rules.interest_co  # the interest reward the generic column did not carry

    interrupted = engine._Result("Interrupted", False, figure, None, values)
    assert engine._checked(value, interrupted) == value
    with pytest.raises(engine.SolverError):
        engine._checked(value, engine._Result("Optimal", True, figure, figure, values))
    with pytest.raises(engine.SolverError):
        engine._checked(int(figure) + 1, interrupted)  # more than the model says: never
