"""Demo of the allocation meeting: Demo kommun's investigation unit meets next Monday (or this Monday).

A queue of 15 investigations (two acute), interests from workers, a duty roster for the week, and
review forms submitted by half of the workers.
Idempotent on its own: nothing happens when the unit already has cycle settings.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from staff.demo import DemoContext
from staff.models import MANAGER_ROLES, Role, RoleAssignment

from ..models import CycleSettings, DutyDay, Interest, ReviewEntry, ReviewForm
from ..services import case_create, investigation_open
from .reviews import review_cases
from .selectors import board_cycle
from .services import meeting_cycle_ensure

QUEUE_SIZE = 15


def seed_meeting(ctx: DemoContext) -> None:
    org = ctx.organisation
    unit = ctx.units.get("investigation")
    if org.slug != "demo" or unit is None or CycleSettings.objects.filter(organisation=org, unit=unit).exists():
        return
    roles = RoleAssignment.objects.filter(organisation=org, unit=unit).select_related("staff")
    workers = [r.staff for r in roles if r.role == Role.SOCIAL_WORKER]
    managers = [r.staff for r in roles if r.role in MANAGER_ROLES]
    if not workers or not managers:
        return
    monday = ctx.today - datetime.timedelta(days=ctx.today.weekday())
    anchor = monday if ctx.today.weekday() == 0 else monday + datetime.timedelta(days=7)
    settings = CycleSettings.objects.create(organisation=org, unit=unit, anchor=anchor)
    meeting, _created = meeting_cycle_ensure(organisation=org, unit=unit, cycle=board_cycle(settings, ctx.today))
    rng = ctx.rng
    cases = []
    for n in range(QUEUE_SIZE):
        opened = ctx.today - datetime.timedelta(days=rng.randint(1, 40))
        case = case_create(
            organisation=org,
            actor=managers[0],
            number=f"BoU-F-{n + 1:03d}",
            unit=unit,
            opened_on=opened,
            weight=rng.choice((1, 1, 1, 2, 2, 3)),
            acute=n in (3, 11),
        )
        investigation_open(organisation=org, actor=managers[0], case=case, start_date=opened, new_report=True)
        cases.append(case)
    for person in rng.sample(workers, min(6, len(workers))):
        for case in rng.sample(cases, 2):
            Interest.objects.get_or_create(organisation=org, case=case, staff=person)
    for offset, day in enumerate(meeting.allocation_days):
        for person in (workers[offset % len(workers)], workers[(offset + 3) % len(workers)]):
            DutyDay.objects.get_or_create(organisation=org, cycle=meeting, day=day, staff=person)
    # Review forms: about half of the workers have submitted theirs.
    for n, person in enumerate(workers[: len(workers) // 2]):
        form = ReviewForm.objects.create(
            organisation=org,
            cycle=meeting,
            staff=person,
            work_situation=(2, 3, 3, 4)[n % 4],
            submitted_at=timezone.now(),
        )
        for case in review_cases(organisation=org, staff=person)[:4]:
            ReviewEntry.objects.create(
                organisation=org,
                form=form,
                case=case,
                stands="Samtal med barn och vårdnadshavare genomförda.",
                basis_started=rng.random() < 0.6,
                journal_started=True,
                still_needed="Hembesök och referenser.",
            )
