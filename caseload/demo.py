"""Demo cases: a year of open and closed investigations in Demo kommun's and Grannby's investigation units."""

from __future__ import annotations

import datetime

from competence.selectors import levels_on
from staff.demo import DemoContext
from staff.models import MANAGER_ROLES, Role, RoleAssignment, StaffMember, Unit

from .generator import Plan, generate
from .models import Assignment, Case, CaseloadSettings
from .services import case_assign, case_create, investigation_open


def _unit_people(unit: Unit):
    roles = RoleAssignment.objects.filter(organisation=unit.organisation, unit=unit).select_related("staff")
    workers = [r.staff for r in roles if r.role in (Role.SOCIAL_WORKER, Role.SPECIALIST)]
    managers = [r.staff for r in roles if r.role in MANAGER_ROLES]
    return workers, managers


def seed(ctx: DemoContext) -> None:
    _seed_cases(ctx)
    from .meeting.demo import seed_meeting

    seed_meeting(ctx)


def _seed_cases(ctx: DemoContext) -> None:
    org = ctx.organisation
    if Case.objects.filter(organisation=org).exists():
        return
    unit = ctx.units.get("investigation")
    if unit is None:
        return
    settings = CaseloadSettings.for_org(org)
    people, managers = _unit_people(unit)
    levels = levels_on(organisation=org, on=ctx.today, staff_ids=[p.pk for p in people])
    specialist_ids = {p.pk for p in people if levels.get(p.pk) and levels[p.pk].is_specialist}
    worker_login = ctx.logins.get("worker")
    own = [p for p in people if p.pk not in specialist_ids and (worker_login is None or p.pk != worker_login.pk)]
    big = org.slug == "demo"
    plan = Plan(
        unit=unit,
        workers=own,
        # the `worker` login's own cases come below, so that at the meeting the engine finds room for one more
        co_handlers=[p for p in people if worker_login is None or p.pk != worker_login.pk],
        levels=levels,
        manager=managers[0] if managers else None,
        prefix="BoU-D" if big else "IFO-G",
        open_cases=len(own) * 9 if big else 12,
        closed_cases=len(own) * 12 if big else 8,
        co_share=0.8,
        heavy_workers=3 if big else 0,
    )
    generate(plan, today=ctx.today, rng=ctx.rng)
    if worker_login is not None and managers:
        _worker_cases(ctx, unit, worker_login, people, specialist_ids, managers[0], settings)


def _worker_cases(ctx, unit, worker: StaffMember, people, specialist_ids, manager, settings) -> None:
    """The `worker` login (level 1): cases at every stage, each with a co-handler, none of top weight."""
    org = ctx.organisation
    partners = [p for p in people if p.pk != worker.pk]
    for n, days_ago in enumerate((5, 40, 62, 80, 96, 20)):
        start = ctx.today - datetime.timedelta(days=days_ago)
        case = case_create(
            organisation=org,
            actor=manager,
            number=f"BoU-W-{n + 1:03d}",
            unit=unit,
            opened_on=start - datetime.timedelta(days=7),
            weight=2 if n == 2 else 1,  # room left at the meeting: the demo worker gets a case there
        )
        investigation_open(organisation=org, actor=manager, case=case, start_date=start, new_report=True)
        co = partners[n % len(partners)]
        case_assign(
            organisation=org, actor=manager, case=case, main=worker, co=co, reason="", expected_version=0, on=start
        )
    # Co-handler in two colleagues' cases.
    for case in Case.objects.filter(organisation=org, unit=unit, status=Case.Status.OPEN).exclude(
        assignments__role=Assignment.Role.CO, assignments__end__isnull=True
    )[:2]:
        Assignment.objects.create(
            organisation=org, case=case, staff=worker, role=Assignment.Role.CO, start=ctx.today, assigned_by=manager
        )
