"""A greedy baseline under the same hard rules: acute cases first, then the longest-waiting and heaviest;
each case takes the main handler with the lowest marginal cost, then the best co-handler for that main.
Used to hint the solver and as the yardstick in the benchmark (it is never better than the solver)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from . import costs
from .model import AllocationRules, Proposal, QueuedCase, Worker


def _marginal(curve: costs.LoadCurve, load: int, units: int) -> int:
    return curve.cost(load + units) - curve.cost(load)


def greedy_allocation(
    cases: Sequence[QueuedCase], workers: Sequence[Worker], rules: AllocationRules
) -> dict[int, costs.Pair | None]:
    free = {w.id: w.free_units for w in workers}
    load = {w.id: w.load_units for w in workers}
    curves = {w.id: costs.load_curve(w, rules) for w in workers}
    allocation: dict[int, costs.Pair | None] = {c.id: None for c in cases}
    order = sorted(cases, key=lambda c: (not c.acute, -c.weeks_waited, -c.weight, c.number, c.id))
    for case in order:
        mu, cu = costs.main_units(case), costs.co_units(case, rules)

        def best_co(main: Worker, mu: int = mu, cu: int = cu, case: QueuedCase = case) -> tuple[int, int | None]:
            """(cost, co id) of the best co-handler for this main, or of none where allowed."""
            options: list[tuple[int, int, int | None]] = []
            if not costs.needs_co(main, rules):
                options.append((rules.missing_co + costs.pairing_cost(main, None, rules), 0, None))
            for w in workers:
                if w.id == main.id or not costs.may_co_handle(w, case, rules) or cu > free[w.id]:
                    continue
                cost = costs.co_cost(case, w, rules) + _marginal(curves[w.id], load[w.id], cu)
                options.append((cost + costs.pairing_cost(main, w, rules), w.id, w.id))
            if not options:
                return (0, -1)  # sentinel: this main cannot take the case
            cost, _, co_id = min(options, key=lambda o: (o[0], o[1]))
            return (cost, co_id)

        candidates = []
        for w in workers:
            if costs.may_be_main(w, case, rules) and mu <= free[w.id]:
                cost = costs.main_cost(case, w, rules) + _marginal(curves[w.id], load[w.id], mu)
                candidates.append((cost, w.id, w))
        candidates.sort(key=lambda c: (c[0], c[1]))
        for cost, _, main in candidates:
            co_cost, co_id = best_co(main)
            if co_id == -1:
                continue
            if cost + co_cost >= costs.unassigned_cost(case, rules):
                break
            allocation[case.id] = (main.id, co_id)
            free[main.id] -= mu
            load[main.id] += mu
            if co_id is not None:
                free[co_id] -= cu
                load[co_id] += cu
            break
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
