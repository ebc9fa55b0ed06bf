"""A greedy baseline under the same hard rules, in two passes that follow the objective's priorities:
first a main handler for as many cases as fit (acute first, then the longest-waiting and heaviest; each
takes the main with the lowest marginal cost, a new worker's main case takes its co-handler at once),
then co-handlers for the placed cases with the room that is left. Used as the solver's fallback and
starting point, and as the yardstick in the benchmark (it is never better than the solver's optimum)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from . import costs
from .model import AllocationRules, Proposal, QueuedCase, Worker


class _State:
    """Free room and load per worker as arrays, so a case is priced against every worker at once."""

    def __init__(self, workers: Sequence[Worker], rules: AllocationRules) -> None:
        self.workers = list(workers)
        self.rules = rules
        self.ids = np.array([w.id for w in workers], dtype=np.int64)
        self.free = np.array([w.free_units for w in workers], dtype=np.int64)
        self.load = np.array([w.load_units for w in workers], dtype=np.int64)
        self.index = {w.id: j for j, w in enumerate(workers)}
        curves = [costs.load_curve(w, rules) for w in workers]
        width = max((len(c.thresholds) for c in curves), default=0)
        # padded with zero slopes: sum(coef * max(0, load - threshold)) as in costs.LoadCurve.cost
        self.thresholds = np.zeros((len(workers), width), dtype=np.int64)
        self.coefs = np.zeros((len(workers), width), dtype=np.int64)
        for j, curve in enumerate(curves):
            self.thresholds[j, : len(curve.thresholds)] = curve.thresholds
            self.coefs[j, : len(curve.coefs)] = curve.coefs
        self._by_weight: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        self._pairing: dict[int, np.ndarray] = {}

    def marginal(self, units: int) -> np.ndarray:
        """The load penalty's increase per worker if ``units`` are added to each one's load."""
        before = (self.coefs * np.maximum(0, self.load[:, None] - self.thresholds)).sum(axis=1)
        after = (self.coefs * np.maximum(0, self.load[:, None] + units - self.thresholds)).sum(axis=1)
        return after - before

    def take(self, worker_id: int, units: int) -> None:
        j = self.index[worker_id]
        self.free[j] -= units
        self.load[j] += units

    def _weight_terms(self, weight: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per worker for a case of this weight without interest or continuity (from costs.py):
        may be main, may co-handle, main cost, co cost."""
        if weight not in self._by_weight:
            stand_in = QueuedCase(id=-1, number="", weight=weight)
            rules = self.rules
            self._by_weight[weight] = (
                np.array([costs.may_be_main(w, stand_in, rules) for w in self.workers], dtype=bool),
                np.array([costs.may_co_handle(w, stand_in, rules) for w in self.workers], dtype=bool),
                np.array([costs.main_cost(stand_in, w, rules) for w in self.workers], dtype=np.int64),
                np.array([costs.co_cost(stand_in, w, rules) for w in self.workers], dtype=np.int64),
            )
        return self._by_weight[weight]

    def role_costs(self, case: QueuedCase) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(may be main, may co-handle, main cost, co cost) per worker for this case."""
        may_main, may_co, main_cost, co_cost = self._weight_terms(case.weight)
        special = [self.index[w] for w in case.interested | case.earlier_handlers if w in self.index]
        if special:
            main_cost, co_cost = main_cost.copy(), co_cost.copy()
            for j in special:  # interest and continuity: priced worker by worker
                main_cost[j] = costs.main_cost(case, self.workers[j], self.rules)
                co_cost[j] = costs.co_cost(case, self.workers[j], self.rules)
        return may_main, may_co, main_cost, co_cost

    def pairing(self, main: Worker) -> np.ndarray:
        if main.id not in self._pairing:
            self._pairing[main.id] = np.array([costs.pairing_cost(main, w, self.rules) for w in self.workers])
        return self._pairing[main.id]

    def best_co(self, case: QueuedCase, main: Worker) -> tuple[int, int] | None:
        """(cost incl. pairing, worker id) of the cheapest co-handler who fits, or None."""
        units = costs.co_units(case, self.rules)
        _, may_co, _, co_cost = self.role_costs(case)
        fits = may_co & (units <= self.free) & (self.ids != main.id)
        if not fits.any():
            return None
        price = co_cost + self.marginal(units) + self.pairing(main)
        options = np.flatnonzero(fits)
        best = options[np.lexsort((self.ids[options], price[options]))[0]]
        return int(price[best]), int(self.ids[best])


def greedy_allocation(
    cases: Sequence[QueuedCase], workers: Sequence[Worker], rules: AllocationRules
) -> dict[int, costs.Pair | None]:
    state = _State(workers, rules)
    by_id = {w.id: w for w in workers}
    allocation: dict[int, costs.Pair | None] = {c.id: None for c in cases}
    order = sorted(cases, key=lambda c: (not c.acute, -c.weeks_waited, -c.weight, c.number, c.id))
    for case in order:
        units = costs.main_units(case)
        may_main, _, main_cost, _ = state.role_costs(case)
        fits = np.flatnonzero(may_main & (units <= state.free))
        price = main_cost + state.marginal(units)
        candidates = fits[np.lexsort((state.ids[fits], price[fits]))]
        for j in candidates.tolist():
            cost, main_id = int(price[j]), int(state.ids[j])
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
