"""Demo ladder. Demo kommun: Umeå's four levels with two years of history (earlier levels, joint
assessments), an ongoing introduction for the level-1 people, appointments for the four specialists
(one ending within the renewal notice), trainings and one change of supplement amounts.
Grannby kommun: a plain ladder with everyone's current level."""

from __future__ import annotations

import datetime
from decimal import Decimal

from staff.demo import DemoContext
from staff.models import Role, StaffMember, Unit

from . import payroll
from .dates import add_months
from .models import (
    Appointment,
    Assessment,
    IntroductionItem,
    LadderLevel,
    LevelPlacement,
    Mentorship,
    PayrollLayout,
    PlannedTraining,
    ReflectionSession,
    SupplementRate,
    Training,
    UnitCostCentre,
)
from .services import introduction_plan_create, ladder_setup_default, reflection_sessions_plan

ONE_DAY = datetime.timedelta(days=1)
# The one change of amounts: levels 2–4 were raised at the start of the month ten months ago.
RAISE = {2: Decimal("2200"), 3: Decimal("3800"), 4: Decimal("5500")}
MOTIVATIONS = {
    2: "Introduktionen är genomförd och hen arbetar alltmer självständigt.",
    3: "Hen stödjer kollegor, handleder studenter och handlägger komplexa ärenden.",
    4: "Förordnas som specialistsocionom: introduktionsansvar och ärendehandledning.",
}


def seed(ctx: DemoContext) -> None:
    org = ctx.organisation
    if LadderLevel.objects.filter(organisation=org).exists():
        return
    ladder_setup_default(organisation=org, rates_from=datetime.date(2015, 1, 1))
    _seed_payroll(org)
    levels = {level.number: level for level in LadderLevel.objects.filter(organisation=org)}
    if org.slug != "demo":
        for staff_id, number in ctx.planned_levels.items():
            member = StaffMember.objects.get(pk=staff_id)
            LevelPlacement.objects.create(
                organisation=org, staff=member, level=levels[number], start=member.employment_start
            )
        return
    _seed_history(ctx, levels)


def _seed_payroll(org) -> None:
    """The payroll file's layout (the documented Stabil CSV with a made-up pay code) and a cost centre per
    unit, so that HR can prepare a month in the demo."""
    PayrollLayout.objects.create(organisation=org, **(payroll.preset_fields("stabil_csv") | {"pay_code": "321"}))
    for number, unit in enumerate(Unit.objects.filter(organisation=org).order_by("pk"), start=1):
        UnitCostCentre.objects.create(organisation=org, unit=unit, code=f"KS{400 + 10 * number}")


def _seed_history(ctx: DemoContext, levels: dict[int, LadderLevel]) -> None:
    org, today, rng = ctx.organisation, ctx.today, ctx.rng
    raise_from = add_months(today.replace(day=1), -10)
    for number, amount in RAISE.items():
        SupplementRate.objects.create(organisation=org, level=levels[number], amount=amount, valid_from=raise_from)
    people = {m.pk: m for m in StaffMember.objects.filter(pk__in=ctx.planned_levels).select_related("unit")}
    specialists = [people[pk] for pk, n in ctx.planned_levels.items() if n == 4]
    managers = {}
    for member in ctx.managers:
        if member.roles.filter(role=Role.UNIT_MANAGER).exists():
            managers[member.unit_id] = member
    # Specialists: appointments started 21, 16, 12 and 6 months ago; the first ends within 4 months.
    specialists.sort(key=lambda m: m.employment_start)
    for member, months_ago in zip(specialists, (21, 16, 12, 6), strict=True):
        start = add_months(today, -months_ago)
        if member.employment_start > start - datetime.timedelta(days=400):
            member.employment_start = start - datetime.timedelta(days=400)
            member.save(update_fields=["employment_start"])
    training_names = list(Training.objects.filter(organisation=org).order_by("name"))
    for staff_id, number in sorted(ctx.planned_levels.items()):
        member = people[staff_id]
        starts = _level_starts(member, number, today, rng, specialists)
        for level_number, start in starts.items():
            end = starts.get(level_number + 1)
            placement = LevelPlacement.objects.create(
                organisation=org,
                staff=member,
                level=levels[level_number],
                start=start,
                end=end - ONE_DAY if end else None,
            )
            if level_number > 1:
                Assessment.objects.create(
                    organisation=org,
                    staff=member,
                    placement=placement,
                    from_level=levels[level_number - 1],
                    to_level=levels[level_number],
                    assessed_on=start - datetime.timedelta(days=14),
                    manager=managers.get(member.unit_id) or ctx.managers[0],
                    specialist=specialists[level_number % len(specialists)]
                    if member not in specialists
                    else specialists[(specialists.index(member) + 1) % len(specialists)],
                    motivation=MOTIVATIONS[level_number],
                )
            if level_number == 4:
                Appointment.objects.create(
                    organisation=org,
                    staff=member,
                    start=start,
                    end=add_months(start, 24) - ONE_DAY,
                    renewal_due=add_months(add_months(start, 24), -4),
                )
        if number == 1:
            _seed_introduction(ctx, member, starts[1], specialists)
        for i, training in enumerate(rng.sample(training_names, 2)):
            done = i == 0 and number > 1
            PlannedTraining.objects.create(
                organisation=org,
                staff=member,
                training=training,
                status=PlannedTraining.Status.COMPLETED if done else PlannedTraining.Status.PLANNED,
                completed_on=today - datetime.timedelta(days=rng.randint(30, 300)) if done else None,
                planned_on=None if done else today + datetime.timedelta(days=rng.randint(20, 200)),
                goal="Fördjupad kunskap i arbetet med barn och familjer.",
                purpose="Används i utredningsarbetet och vid handledning av kollegor.",
                follow_up_on=add_months(today.replace(day=1), 6),
            )


def _level_starts(member, number, today, rng, specialists) -> dict[int, datetime.date]:
    """Start dates of levels 1..number: the last move inside the last two years when possible."""
    first = member.employment_start
    if number == 1:
        return {1: first}
    if number == 4:
        months_ago = (21, 16, 12, 6)[specialists.index(member)]
        last = add_months(today, -months_ago)
    else:
        earliest = max(first + datetime.timedelta(days=120 * (number - 1)), add_months(today, -24))
        latest = today - datetime.timedelta(days=30)
        last = earliest + datetime.timedelta(days=rng.randint(0, max((latest - earliest).days, 0)))
    starts = {1: first, number: last}
    for n in range(2, number):  # spread the levels in between evenly
        starts[n] = first + (last - first) * (n - 1) / (number - 1)
    return dict(sorted(starts.items()))


def _seed_introduction(ctx: DemoContext, member: StaffMember, start: datetime.date, specialists) -> None:
    org, today = ctx.organisation, ctx.today
    introduction_plan_create(organisation=org, staff=member, start=start)
    reflection_sessions_plan(organisation=org, staff=member, start=start)
    mentor = next((s for s in specialists if s.unit_id == member.unit_id), specialists[0])
    Mentorship.objects.create(organisation=org, staff=member, mentor=mentor, start=start, end=add_months(start, 9))
    items = list(IntroductionItem.objects.filter(organisation=org, staff=member).order_by("due"))
    is_worker = ctx.logins.get("worker") and ctx.logins["worker"].pk == member.pk
    # Everything due more than two weeks ago is done; the `worker` login has just two items left,
    # so the manager can complete the introduction and promote them in the browser.
    keep_open = 2 if is_worker else None
    for index, item in enumerate(items):
        done = index < len(items) - keep_open if keep_open else item.due < today - datetime.timedelta(days=14)
        if done:
            item.done_on = min(item.due, today)
            item.done_by = item.responsible
            item.save(update_fields=["done_on", "done_by"])
    ReflectionSession.objects.filter(organisation=org, staff=member, on__lt=today).update(attended=True)
