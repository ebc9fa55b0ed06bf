"""Turn an allocation ({case id: (main, co) or None}) into a Proposal with a reason for every choice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from .costs import Pair, is_new, new_loads
from .model import AllocationRules, CaseProposal, Choice, Outcome, Proposal, QueuedCase, Reason, Worker, from_units


def _choice(
    worker: Worker, case: QueuedCase, loads_after: Mapping[int, int], *, extra: tuple[Reason, ...] = ()
) -> Choice:
    reasons: list[Reason] = []
    if worker.id in case.interested:
        reasons.append(Reason.INTEREST)
    if worker.id in case.earlier_handlers:
        reasons.append(Reason.CONTINUITY)
    reasons.extend(extra)
    if not reasons:
        reasons.append(Reason.LOAD)  # chosen for the even load: no interest or continuity behind it
    if worker.on_duty:
        reasons.append(Reason.ON_DUTY)
    return Choice(
        worker_id=worker.id,
        reasons=tuple(reasons),
        load_before=from_units(worker.load_units),
        load_after=from_units(loads_after[worker.id]),
        capacity=from_units(worker.capacity_units),
    )


def build_proposal(
    cases: Sequence[QueuedCase],
    workers: Sequence[Worker],
    rules: AllocationRules,
    allocation: Mapping[int, Pair | None],
    *,
    status: str,
    objective: int,
    wall_seconds: float,
) -> Proposal:
    by_id = {w.id: w for w in workers}
    added = new_loads(cases, workers, rules, allocation)
    loads_after = {w.id: w.load_units + added[w.id] for w in workers}
    out = []
    for case in cases:
        pair = allocation.get(case.id)
        if pair is None:
            outcome = Outcome.FLAGGED if case.acute else Outcome.CARRIED_OVER
            out.append(CaseProposal(case_id=case.id, outcome=outcome, notes=(Reason.NO_CAPACITY,)))
            continue
        main = by_id[pair[0]]
        co = by_id[pair[1]] if pair[1] is not None else None
        paired = co is not None and is_new(main, rules) and co.level in rules.pairing_levels
        out.append(
            CaseProposal(
                case_id=case.id,
                outcome=Outcome.ASSIGNED,
                main=_choice(main, case, loads_after),
                co=_choice(co, case, loads_after, extra=(Reason.PAIRED_WITH_EXPERIENCED,) if paired else ())
                if co
                else None,
                notes=() if co else (Reason.NO_CO_HANDLER,),
            )
        )
    return Proposal(
        status=status,
        objective=objective,
        cases=tuple(out),
        load_after={w.id: from_units(loads_after[w.id]) for w in workers},
        wall_seconds=wall_seconds,
    )


def describe(reason: Reason) -> str:
    """The reason in the active language, for the allocation board."""
    return {
        Reason.INTEREST: _("wants this case"),
        Reason.CONTINUITY: _("has handled this case number before"),
        Reason.LOAD: _("has room: evens out the load"),
        Reason.ON_DUTY: _("on duty this week"),
        Reason.PAIRED_WITH_EXPERIENCED: _("experienced support for a new colleague"),
        Reason.NO_CO_HANDLER: _("no co-handler available"),
        Reason.NO_CAPACITY: _("no one has room for it"),
        Reason.OVER_CAPACITY: _("acute: the least loaded who may take it, over capacity"),
    }[reason]
