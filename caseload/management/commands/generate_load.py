"""Fill a new organisation "Lasttest N" with N case workers and M cases (bulk inserts) for benchmarks."""

from __future__ import annotations

import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from caseload.generator import Plan, generate
from competence.models import LadderLevel, LevelPlacement
from staff.models import Department, Organisation, Role, RoleAssignment, StaffMember, Unit

PASSWORD = "stabil-demo"


class Command(BaseCommand):
    help = "Create an organisation 'Lasttest N' with N case workers, a manager and M cases (half of them open)."

    def add_arguments(self, parser):
        parser.add_argument("--staff", type=int, required=True)
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    @transaction.atomic
    def handle(self, *args, staff: int, cases: int, seed: int, **options):
        if staff < 2 or cases < 1:
            raise CommandError("Give at least 2 staff and 1 case.")
        started = time.monotonic()
        rng = random.Random(seed)  # noqa: S311
        today = timezone.localdate()
        base = f"Lasttest {staff}"
        name, n = base, 1
        while Organisation.objects.filter(name=name).exists():
            n += 1
            name = f"{base} ({n})"
        slug = f"lasttest-{staff}-{n}"
        org = Organisation.objects.create(name=name, slug=slug)
        dept = Department.objects.create(organisation=org, name="Barn och unga")
        unit = Unit.objects.create(organisation=org, department=dept, name="Utredning", kind=Unit.Kind.INVESTIGATION)
        levels = {
            number: LadderLevel.objects.create(
                organisation=org, number=number, name=f"Nivå {number}", is_specialist=number == 4
            )
            for number in (1, 2, 3, 4)
        }
        people = StaffMember.objects.bulk_create(
            [
                StaffMember(
                    organisation=org,
                    first_name=f"Person{i}",
                    last_name="Lasttest",
                    unit=unit,
                    employment_start=today.replace(year=today.year - 3),
                )
                for i in range(staff + 1)
            ]
        )
        manager, workers = people[0], people[1:]
        plan_levels = [1 if i % 4 == 0 else 4 if i % 10 == 9 else 2 + i % 2 for i in range(len(workers))]
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(organisation=org, staff=manager, role=Role.UNIT_MANAGER, unit=unit)]
            + [
                RoleAssignment(
                    organisation=org, staff=w, role=Role.SPECIALIST if lvl == 4 else Role.SOCIAL_WORKER, unit=unit
                )
                for w, lvl in zip(workers, plan_levels, strict=True)
            ]
        )
        LevelPlacement.objects.bulk_create(
            [
                LevelPlacement(organisation=org, staff=w, level=levels[lvl], start=w.employment_start)
                for w, lvl in zip(workers, plan_levels, strict=True)
            ]
        )
        User = get_user_model()
        password = make_password(PASSWORD)
        own = [w for w, lvl in zip(workers, plan_levels, strict=True) if lvl != 4]
        for username, member in ((f"{slug}-manager", manager), (f"{slug}-worker", own[1])):
            member.user = User.objects.create(username=username, password=password)
            member.save(update_fields=["user"])
        placed = {w.pk: levels[lvl] for w, lvl in zip(workers, plan_levels, strict=True)}
        open_cases = cases // 2
        plan = Plan(
            unit=unit,
            workers=own,
            co_handlers=workers,
            levels=placed,
            manager=manager,
            prefix=f"LT{staff}",
            open_cases=open_cases,
            closed_cases=cases - open_cases,
        )
        generate(plan, today=today, rng=rng)
        self.stdout.write(
            f"{name}: {staff} case workers, {cases} cases in {time.monotonic() - started:.1f} s. "
            f"Logins {slug}-manager and {slug}-worker (password {PASSWORD}); unit id {unit.pk}."
        )
