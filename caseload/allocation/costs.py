"""The rules and the objective, in one place: who may take which role, and what an allocation costs.

The HiGHS model (solver.py), the greedy baseline (greedy.py) and the brute-force checks in the tests all
price an allocation with these functions, so "optimal" means the same thing everywhere. Every number is
an integer: loads in hundredths (model.LOAD_SCALE), costs in points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .model import LOAD_SCALE, AllocationRules, QueuedCase, Worker

Pair = tuple[int, int | None]  # (main handler id, co-handler id or None)
Allocation = Mapping[int, Pair | None]  # {case id: pair, or None when the case is not placed}


class InfeasibleAllocation(ValueError):
    """An allocation breaks a hard rule (the message names the case, the worker and the rule)."""


def _round(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def main_units(case: QueuedCase) -> int:
    return case.weight * LOAD_SCALE


def co_units(case: QueuedCase, rules: AllocationRules) -> int:
    return _round(Decimal(case.weight * LOAD_SCALE) * Decimal(rules.co_fraction))


def is_new(worker: Worker, rules: AllocationRules) -> bool:
    return worker.level == rules.new_level


def may_be_main(worker: Worker, case: QueuedCase, rules: AllocationRules) -> bool:
    """The level rules for the main handler (capacity is checked separately)."""
    if worker.absent or not worker.may_be_main:
        return False
    if worker.is_specialist and rules.specialists_never_main:
        return False
    return not (is_new(worker, rules) and case.weight > rules.new_max_main_weight)


def may_co_handle(worker: Worker, case: QueuedCase, rules: AllocationRules) -> bool:
    return not worker.absent


def needs_co(worker: Worker, rules: AllocationRules) -> bool:
    return rules.co_handler_required_for_new and is_new(worker, rules)


@dataclass(frozen=True)
class LoadCurve:
    """A worker's convex piecewise-linear load penalty: sum of coef * max(0, load - threshold)."""

    thresholds: tuple[int, ...]
    coefs: tuple[int, ...]

    def cost(self, load_units: int) -> int:
        return sum(c * max(0, load_units - t) for t, c in zip(self.thresholds, self.coefs, strict=True))


def load_curve(worker: Worker, rules: AllocationRules) -> LoadCurve:
    """Slopes are points per percentage point of capacity, so the coefficient per hundredth is
    slope * 100 / capacity (rounded to an integer, at least 1 for a positive slope)."""
    cap = worker.capacity_units
    if cap == 0:
        return LoadCurve((), ())
    thresholds, coefs = [], []
    for ratio, slope in rules.load_breakpoints:
        if slope == 0:
            continue
        thresholds.append(int((Decimal(ratio) * cap).to_integral_value(rounding=ROUND_FLOOR)))
        coefs.append(max(1, _round(Decimal(slope * 100) / cap)))
    return LoadCurve(tuple(thresholds), tuple(coefs))


def unassigned_cost(case: QueuedCase, rules: AllocationRules) -> int:
    if case.acute:
        return rules.acute_unplaced
    return rules.carry_over + rules.carry_over_per_week_waited * case.weeks_waited


def _role_cost(case: QueuedCase, worker: Worker, *, interest: int, continuity: int, duty: int) -> int:
    cost = duty if worker.on_duty else 0
    if worker.id in case.interested:
        cost -= interest
    if worker.id in case.earlier_handlers:
        cost -= continuity
    return cost


def main_cost(case: QueuedCase, worker: Worker, rules: AllocationRules) -> int:
    duty = rules.duty_per_weight * case.weight
    return _role_cost(case, worker, interest=rules.interest_main, continuity=rules.continuity_main, duty=duty)


def co_cost(case: QueuedCase, worker: Worker, rules: AllocationRules) -> int:
    duty = _round(Decimal(rules.duty_per_weight * case.weight) * Decimal(rules.co_fraction))
    return _role_cost(case, worker, interest=rules.interest_co, continuity=rules.continuity_co, duty=duty)


def pairing_cost(main: Worker, co: Worker | None, rules: AllocationRules) -> int:
    if is_new(main, rules) and (co is None or co.level not in rules.pairing_levels):
        return rules.pairing
    return 0


def new_loads(
    cases: Iterable[QueuedCase],
    workers: Iterable[Worker],
    rules: AllocationRules,
    allocation: Allocation,
) -> dict[int, int]:
    """Added load in hundredths per worker id."""
    added = {w.id: 0 for w in workers}
    for case in cases:
        pair = allocation.get(case.id)
        if pair is None:
            continue
        main_id, co_id = pair
        added[main_id] += main_units(case)
        if co_id is not None:
            added[co_id] += co_units(case, rules)
    return added


def check(
    cases: Iterable[QueuedCase],
    workers: Iterable[Worker],
    rules: AllocationRules,
    allocation: Allocation,
) -> None:
    """Raise InfeasibleAllocation on the first broken hard rule."""
    cases, workers = list(cases), list(workers)
    by_id = {w.id: w for w in workers}
    for case in cases:
        pair = allocation.get(case.id)
        if pair is None:
            continue
        main_id, co_id = pair
        if main_id not in by_id or (co_id is not None and co_id not in by_id):
            raise InfeasibleAllocation(f"case {case.number}: unknown worker")
        main = by_id[main_id]
        if not may_be_main(main, case, rules):
            raise InfeasibleAllocation(f"case {case.number}: worker {main_id} may not be main handler")
        if co_id is not None:
            if co_id == main_id:
                raise InfeasibleAllocation(f"case {case.number}: co-handler is the main handler")
            if not may_co_handle(by_id[co_id], case, rules):
                raise InfeasibleAllocation(f"case {case.number}: worker {co_id} may not co-handle")
        elif needs_co(main, rules):
            raise InfeasibleAllocation(f"case {case.number}: a level-{main.level} main handler needs a co-handler")
    for worker_id, added in new_loads(cases, workers, rules, allocation).items():
        if added > by_id[worker_id].free_units:
            raise InfeasibleAllocation(f"worker {worker_id}: over capacity")


def objective(
    cases: Iterable[QueuedCase],
    workers: Iterable[Worker],
    rules: AllocationRules,
    allocation: Allocation,
) -> int:
    """The cost of a feasible allocation (lower is better); raises InfeasibleAllocation otherwise."""
    cases, workers = list(cases), list(workers)
    check(cases, workers, rules, allocation)
    by_id = {w.id: w for w in workers}
    total = 0
    for case in cases:
        pair = allocation.get(case.id)
        if pair is None:
            total += unassigned_cost(case, rules)
            continue
        main, co = by_id[pair[0]], by_id.get(pair[1]) if pair[1] is not None else None
        total += main_cost(case, main, rules) + pairing_cost(main, co, rules)
        total += co_cost(case, co, rules) if co is not None else rules.missing_co
    added = new_loads(cases, workers, rules, allocation)
    for worker in workers:
        total += load_curve(worker, rules).cost(worker.load_units + added[worker.id])
    return total
