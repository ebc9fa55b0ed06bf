"""Fill new organisations "Lasttest S" with S case workers and C cases each (bulk inserts) for benchmarks.

It lives in surveys, the app at the top of the layers, because it fills every app below it too."""

from __future__ import annotations

import random
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from caseload.generator import LOAD_PASSWORD, STAFF_PER_UNIT, analyse_loaded_tables, load_organisation
from staff.models import Organisation
from surveys.generator import load_rounds


class Command(BaseCommand):
    help = (
        "Create N organisations 'Lasttest S' with S case workers and C cases each (half open), units of about "
        f"{STAFF_PER_UNIT} workers, ladder histories and two survey rounds. Logins <slug>-worker<i>, "
        f"<slug>-manager<i>, <slug>-hr, password {LOAD_PASSWORD}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=1, help="how many organisations (default 1)")
        parser.add_argument("--staff", type=int, required=True, help="case workers per organisation")
        parser.add_argument("--cases", type=int, required=True, help="cases per organisation")
        parser.add_argument(
            "--units", type=int, default=0, help=f"units per organisation (default: one per {STAFF_PER_UNIT} staff)"
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, organisations: int, staff: int, cases: int, units: int, seed: int, **options):
        if organisations < 1 or staff < 2 or cases < 1:
            raise CommandError("Give at least 1 organisation, 2 staff and 1 case.")
        started = time.monotonic()
        rng = random.Random(seed)  # noqa: S311 - test data
        today = timezone.localdate()
        password_hash = make_password(LOAD_PASSWORD)
        units = units or max(1, round(staff / STAFF_PER_UNIT))
        base = f"Lasttest {staff}"
        n = 0
        for _ in range(organisations):
            n += 1
            while Organisation.objects.filter(slug=f"lasttest-{staff}-{n}").exists():
                n += 1
            name = base if n == 1 else f"{base} ({n})"
            with transaction.atomic():
                result = load_organisation(
                    name=name,
                    slug=f"lasttest-{staff}-{n}",
                    staff=staff,
                    cases=cases,
                    units=units,
                    today=today,
                    rng=rng,
                    password_hash=password_hash,
                )
                load_rounds(result.organisation, result.workers, today=today, rng=rng)
            self.stdout.write(
                f"{name}: {result.staff} staff in {len(result.units)} units, {cases} cases "
                f"(first unit id {result.units[0].pk}); logins {', '.join(result.logins.values())}"
            )
        analyse_loaded_tables()
        self.stdout.write(
            f"{organisations} organisation(s), {organisations * cases} cases in {time.monotonic() - started:.1f} s "
            f"(password {LOAD_PASSWORD})."
        )
