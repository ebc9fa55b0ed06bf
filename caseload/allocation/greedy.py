"""A greedy baseline under the same hard rules, in two passes that follow the objective's priorities:
first a main handler for as many cases as fit (acute first, then the longest-waiting and heaviest; each
takes the main with the lowest marginal cost, a new worker's main case takes its co-handler at once),
then co-handlers for the placed cases with the room that is left. Used as the solver's fallback and
starting point, and as the yardstick in the benchmark (it is never better than the solver's optimum)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from . import costs
from .model import AllocationRules, Proposal, QueuedCase, Worker


class _State:
    def __init__(self, workers: Sequence[Worker], rules: AllocationRules) -> None:
        self.workers = list(workers)
        self.rules = rules
        self.free = {w.id: w.free_units for w in workers}
        self.load = {w.id: w.load_units for w in workers}
        self.curves = {w.id: costs.load_curve(w, rules) for w in workers}

    def marginal(self, worker: Worker, units: int) -> int:
        curve, load = self.curves[worker.id], self.load[worker.id]
        return curve.cost(load + units) - curve.cost(load)

    def take(self, worker_id: int, units: int) -> None:
        self.free[worker_id] -= units
        self.load[worker_id] += units

    def best_co(self, case: QueuedCase, main: Worker) -> tuple[int, int] | None:
        """(cost incl. pairing, worker id) of the cheapest co-handler who fits, or None."""
        units = costs.co_units(case, self.rules)
        rules = self.rules
        options = [
            (costs.co_cost(case, w, rules) + self.marginal(w, units) + costs.pairing_cost(main, w, rules), w.id)
            for w in self.workers
            if w.id != main.id and costs.may_co_handle(w, case, rules) and units <= self.free[w.id]
        ]
        return min(options) if options else None


def greedy_allocation(
    cases: Sequence[QueuedCase], workers: Sequence[Worker], rules: AllocationRules
) -> dict[int, costs.Pair | None]:
    state = _State(workers, rules)
    by_id = {w.id: w for w in workers}
    allocation: dict[int, costs.Pair | None] = {c.id: None for c in cases}
    order = sorted(cases, key=lambda c: (not c.acute, -c.weeks_waited, -c.weight, c.number, c.id))
    for case in order:
        units = costs.main_units(case)
        candidates = sorted(
            (costs.main_cost(case, w, rules) + state.marginal(w, units), w.id)
            for w in workers
            if costs.may_be_main(w, case, rules) and units <= state.free[w.id]
        )
        for cost, main_id in candidates:
            main = by_id[main_id]
            co = None
            if costs.needs_co(main, rules):
                state.take(main_id, units)  # the co-handler must fit beside the main case
                co = state.best_co(case, main)
                state.take(main_id, -units)
                if co is None:
                    continue
            if cost >= costs.unassigned_cost(case, rules):
                break
            state.take(main_id, units)
            if co is not None:
                state.take(co[1], costs.co_units(case, rules))
            allocation[case.id] = (main_id, co[1] if co else None)
            break
    for case in order:  # second pass: co-handlers where there is room and it pays
        pair = allocation[case.id]
        if pair is None or pair[1] is not None:
            continue
        main = by_id[pair[0]]
        co = state.best_co(case, main)
        if co is not None and co[0] < rules.missing_co + costs.pairing_cost(main, None, rules):
            state.take(co[1], costs.co_units(case, rules))
            allocation[case.id] = (main.id, co[1])
    return allocation


def propose_greedy(
    cases: Sequence[QueuedCase], workers: Sequence[Worker], rules: AllocationRules | None = None
) -> Proposal:
    from .explain import build_proposal

    rules = rules or AllocationRules()
    cases, workers = list(cases), list(workers)
    started = time.perf_counter()
    allocation = greedy_allocation(cases, workers, rules)
    value = costs.objective(cases, workers, rules, allocation)
    return build_proposal(
        cases, workers, rules, allocation, status="GREEDY", objective=value, wall_seconds=time.perf_counter() - started
    )
