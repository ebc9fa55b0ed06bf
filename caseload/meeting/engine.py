"""The engine's input from the unit's rows: the rules from the caseload settings, the queued cases and the
workers. Used by the proposal (services) and by "allocate now" (selectors) alike."""

from __future__ import annotations

from decimal import Decimal

from staff.models import Organisation

from ..allocation import AllocationRules, QueuedCase, Worker
from ..models import Assignment, Case, CaseloadSettings


def allocation_rules(settings: CaseloadSettings) -> AllocationRules:
    """The engine's rules from the organisation's caseload settings."""
    return AllocationRules(
        co_fraction=Decimal(settings.co_handler_fraction),
        new_max_main_weight=max(1, settings.top_weight - 1),
        specialists_never_main=settings.specialists_hold_no_cases,
    )


def _earlier_handlers(organisation: Organisation, cases: list[Case]) -> dict[str, set[int]]:
    """Workers who handled a case with the same number before (continuity)."""
    numbers = {c.number for c in cases}
    result: dict[str, set[int]] = {}
    for number, staff_id in Assignment.objects.filter(organisation=organisation, case__number__in=numbers).values_list(
        "case__number", "staff_id"
    ):
        result.setdefault(number, set()).add(staff_id)
    return result


def queued_cases(organisation: Organisation, queue) -> list[QueuedCase]:
    """The queue's rows (selectors.QueueRow) as the engine reads them."""
    earlier = _earlier_handlers(organisation, [r.case for r in queue])
    return [
        QueuedCase(
            id=r.case.pk,
            number=r.case.number,
            weight=r.case.weight,
            acute=r.case.acute,
            interested=frozenset(p.pk for p in r.interested),
            earlier_handlers=frozenset(earlier.get(r.case.number, ())),
            weeks_waited=r.weeks_waited,
        )
        for r in queue
    ]


def workers(situations) -> list[Worker]:
    """The workers' situations (selectors.WorkerSituation) as the engine reads them."""
    return [
        Worker(
            id=s.staff.pk,
            level=s.level,
            capacity=s.capacity,
            load=s.load,
            is_specialist=s.is_specialist,
            on_duty=bool(s.duty_days),
            absent=s.absent,
        )
        for s in situations
    ]
