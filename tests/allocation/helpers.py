"""Brute force and an independent check of the hard rules, for the allocation tests."""

from __future__ import annotations

import itertools
from decimal import Decimal

from caseload.allocation import costs
from caseload.allocation.model import AllocationRules, QueuedCase, Worker


def brute_force(cases: list[QueuedCase], workers: list[Worker], rules: AllocationRules) -> int:
    """The lowest objective over every allocation: each case unplaced or (main, co or none), main != co."""
    options = [None] + [(m.id, co) for m in workers for co in [None, *(w.id for w in workers if w.id != m.id)]]
    best = None
    for combo in itertools.product(options, repeat=len(cases)):
        allocation = {case.id: pair for case, pair in zip(cases, combo, strict=True)}
        try:
            value = costs.objective(cases, workers, rules, allocation)
        except costs.InfeasibleAllocation:
            continue
        best = value if best is None else min(best, value)
    assert best is not None  # leaving every case unplaced is always allowed
    return best


def hard_rule_violations(cases, workers, rules, proposal) -> list[str]:
    """The hard rules restated from docs/domain.md, in Decimals, without the engine's helpers."""
    by_id = {w.id: w for w in workers}
    added = {w.id: Decimal(0) for w in workers}
    found = []
    for case, row in zip(cases, proposal.cases, strict=True):
        assert row.case_id == case.id
        if row.main is None:
            if row.co is not None:
                found.append(f"{case.number}: co-handler without a main handler")
            expected = "flagged" if case.acute else "carried_over"
            if row.outcome != expected:
                found.append(f"{case.number}: unplaced but {row.outcome}")
            continue
        main = by_id[row.main_id]
        added[main.id] += case.weight
        if main.absent:
            found.append(f"{case.number}: absent main handler")
        if main.is_specialist:
            found.append(f"{case.number}: specialist as main handler")
        if not main.may_be_main:
            found.append(f"{case.number}: main handler not allowed by the caller")
        if main.level == 1 and case.weight >= 3:
            found.append(f"{case.number}: level 1 main handler of a top-weight case")
        if main.level == 1 and row.co is None and rules.co_handler_required_for_new:
            found.append(f"{case.number}: level 1 main handler without co-handler")
        if row.co is not None:
            co = by_id[row.co_id]
            if co.id == main.id:
                found.append(f"{case.number}: co-handler is the main handler")
            if co.absent:
                found.append(f"{case.number}: absent co-handler")
            added[co.id] += Decimal(case.weight) * Decimal("0.5")
    for worker in workers:
        if added[worker.id] and Decimal(str(worker.load)) + added[worker.id] > Decimal(str(worker.capacity)):
            found.append(f"worker {worker.id}: over capacity")
    return found
