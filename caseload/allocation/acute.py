"""An acute case is always allocated (docs/domain.md section 7): one the proposal could not place within
capacity goes to the least loaded worker who may take it, over capacity, with the load said.

The engine's optimum is over the hard capacity rule; this step runs after it, on the cases it left flagged,
so the proof covers every other case and the acute ones are placed even when nobody has room."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from fractions import Fraction

from . import costs
from .model import CaseProposal, Choice, Outcome, Proposal, QueuedCase, Reason, Worker, from_units, to_units


def _share(units: int, worker: Worker) -> Fraction:
    """Load relative to capacity (a worker with no capacity comes last)."""
    if worker.capacity_units == 0:
        return Fraction(10**9 + units)
    return Fraction(units, worker.capacity_units)


def _least_loaded(candidates: list[Worker], loads: dict[int, int], added: int) -> Worker | None:
    if not candidates:
        return None
    return min(candidates, key=lambda w: (_share(loads[w.id] + added, w), loads[w.id], w.id))


def place_least_loaded(
    case: QueuedCase, workers: Sequence[Worker], loads: dict[int, int], rules
) -> CaseProposal | None:
    """One case to the least loaded worker who may be its main handler (the lowest load relative to capacity
    after taking it; reason OVER_CAPACITY when it does not fit), with a co-handler who fits (or, when the
    level rules require one, the least loaded over capacity). ``loads`` (hundredths per worker id) is updated.
    None when nobody may take it at all (everyone absent, say)."""
    mu, cu = costs.main_units(case), costs.co_units(case, rules)
    main = _least_loaded([w for w in workers if costs.may_be_main(w, case, rules)], loads, mu)
    if main is None:
        return None
    others = [w for w in workers if w.id != main.id and costs.may_co_handle(w, case, rules)]
    fitting = [w for w in others if loads[w.id] + cu <= w.capacity_units]
    co = _least_loaded(fitting, loads, cu)
    if co is None and costs.needs_co(main, rules):
        co = _least_loaded(others, loads, cu)
        if co is None:
            return None

    def choice(worker: Worker, units: int) -> Choice:
        before = loads[worker.id]
        loads[worker.id] = before + units
        over = loads[worker.id] > worker.capacity_units
        return Choice(
            worker_id=worker.id,
            reasons=(Reason.OVER_CAPACITY,) if over else (Reason.LOAD,),
            load_before=from_units(before),
            load_after=from_units(loads[worker.id]),
            capacity=from_units(worker.capacity_units),
        )

    main_choice = choice(main, mu)
    co_choice = choice(co, cu) if co is not None else None
    notes = () if co is not None else (Reason.NO_CO_HANDLER,)
    return CaseProposal(case.id, Outcome.ASSIGNED, main=main_choice, co=co_choice, notes=notes)


def place_acute_over_capacity(
    proposal: Proposal, cases: Sequence[QueuedCase], workers: Sequence[Worker], rules
) -> Proposal:
    """The proposal with every flagged acute case assigned by ``place_least_loaded``. A case stays flagged
    only when nobody may take it at all."""
    by_case = {c.id: c for c in cases}
    loads = {w.id: to_units(proposal.load_after.get(w.id, from_units(w.load_units))) for w in workers}
    out = []
    for p in proposal.cases:
        placed = place_least_loaded(by_case[p.case_id], workers, loads, rules) if p.outcome == Outcome.FLAGGED else None
        out.append(placed or p)
    load_after = {w.id: from_units(loads[w.id]) for w in workers}
    return dataclasses.replace(proposal, cases=tuple(out), load_after=load_after)
