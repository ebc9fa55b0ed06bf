"""Bulk generation of realistic cases for the demo seed and the load generator (fast: bulk_create).

Respects the hard rules: a level-1 worker is never main handler of a top-weight case and always has
a co-handler; specialists only co-handle; main and co-handler differ and work in the case's unit.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from competence.models import LadderLevel
from staff.models import StaffMember, Unit

from . import rules
from .models import Assignment, Case, CaseEvent, CaseloadSettings, Extension, Investigation


@dataclass
class Plan:
    unit: Unit
    workers: list[StaffMember]  # may hold own cases
    co_handlers: list[StaffMember]  # workers and specialists
    levels: dict[int, LadderLevel]
    manager: StaffMember | None
    prefix: str
    open_cases: int
    closed_cases: int
    co_share: float = 0.85  # share of cases with a co-handler (level 1 always has one)
    heavy_workers: int = 0  # the first N workers get twice their share (overloaded)


def generate(plan: Plan, *, today: datetime.date, rng: random.Random) -> int:
    """Create open and closed cases with investigations, handlers, a few extensions and timeline rows."""
    org = plan.unit.organisation
    settings = CaseloadSettings.for_org(org)
    top = settings.top_weight
    pool = [w for i, w in enumerate(plan.workers) for _ in range(2 if i < plan.heavy_workers else 1)]
    cases, specs = [], []
    total = plan.open_cases + plan.closed_cases
    for n in range(total):
        is_open = n < plan.open_cases
        main = pool[n % len(pool)] if pool else None
        level = plan.levels.get(main.pk) if main else None
        novice = level is not None and level.number == 1
        weight = rng.choice([1, 1, 1, 2]) if novice else rng.choice([1, 1, 2, 2, top])
        if is_open:
            r = rng.random()
            age = rng.randint(0, 55) if r < 0.6 else rng.randint(55, 95) if r < 0.88 else rng.randint(95, 140)
            start = today - datetime.timedelta(days=age)
        else:
            start = today - datetime.timedelta(days=rng.randint(100, 360))
        opened = start - datetime.timedelta(days=rng.randint(3, 14))
        closed = None if is_open else min(today, start + datetime.timedelta(days=rng.randint(40, 125)))
        cases.append(
            Case(
                organisation=org,
                number=f"{plan.prefix}-{n + 1:05d}",
                kind=Case.Kind.INVESTIGATION,
                weight=weight,
                acute=rng.random() < 0.08,
                unit=plan.unit,
                status=Case.Status.OPEN if is_open else Case.Status.CLOSED,
                opened_on=opened,
                closed_on=closed,
            )
        )
        others = [c for c in plan.co_handlers if main is None or c.pk != main.pk]
        co = rng.choice(others) if others and (novice or rng.random() < plan.co_share) else None
        specs.append((main, co, start, closed))
    Case.objects.bulk_create(cases, batch_size=1000)
    investigations, assignments, events = [], [], []
    for case, (main, co, start, closed) in zip(cases, specs, strict=True):
        investigations.append(
            Investigation(
                organisation=org,
                case=case,
                start_date=start,
                target_date=rules.target_date(start, settings),
                legal_deadline=rules.legal_deadline(start, settings),
                closed_on=closed,
                outcome=rng.choice(Investigation.Outcome.values) if closed else "",
                closed_by_handler=main if closed else None,
            )
        )
        for role, person in ((Assignment.Role.MAIN, main), (Assignment.Role.CO, co)):
            if person is not None:
                assignments.append(
                    Assignment(
                        organisation=org,
                        case=case,
                        staff=person,
                        role=role,
                        start=start,
                        end=closed,
                        assigned_by=plan.manager,
                    )
                )
        events.append(CaseEvent(organisation=org, case=case, actor=plan.manager, kind=CaseEvent.Kind.CREATED))
    Investigation.objects.bulk_create(investigations, batch_size=1000)
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    if plan.manager is not None:
        late = [i for i in investigations if i.closed_on is None and i.legal_deadline < today + datetime.timedelta(7)]
        extensions = []
        for inv in late[::2]:
            inv.extended_until = inv.legal_deadline + datetime.timedelta(days=30)
            extensions.append(
                Extension(
                    organisation=org,
                    investigation=inv,
                    new_deadline=inv.extended_until,
                    reason="Inväntar utlåtande från barn- och ungdomspsykiatrin.",
                    decided_by=plan.manager,
                )
            )
        Extension.objects.bulk_create(extensions)
        Investigation.objects.bulk_update([e.investigation for e in extensions], ["extended_until"])
    return total
