"""Bulk generation of realistic cases for the demo seed and the load generator (fast: bulk_create).

Respects the hard rules: a level-1 worker is never main handler of a top-weight case and always has
a co-handler; specialists only co-handle; main and co-handler differ and work in the case's unit.
"""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import dataclass

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from competence.models import LadderLevel
from staff.models import StaffMember, Unit

from . import rules
from .models import Assignment, Case, CaseEvent, CaseloadSettings, CycleSettings, Extension, Investigation


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
    awaiting_cases: int = 0  # new investigations without handlers, in the allocation queue


def _csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows (attribute names, e.g. "case_id"): COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        body = io.StringIO("".join(",".join(_csv(v) for v in row) + "\n" for row in rows))
        names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {model._meta.db_table} ({names}) FROM STDIN WITH (FORMAT csv)", body)
    else:
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=1000)


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for rows inserted with explicit ids (the caller holds a transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]
    first = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    return list(range(first, first + count))


def generate(plan: Plan, *, today: datetime.date, rng: random.Random) -> int:
    """Create open and closed cases with investigations, handlers, a few extensions and timeline rows."""
    org = plan.unit.organisation
    settings = CaseloadSettings.for_org(org)
    top = settings.top_weight
    now = timezone.now()
    manager_id = plan.manager.pk if plan.manager else None
    pool = [w for i, w in enumerate(plan.workers) for _ in range(2 if i < plan.heavy_workers else 1)]
    total = plan.open_cases + plan.closed_cases + plan.awaiting_cases
    case_ids = reserve_ids(Case, total)
    investigation_ids = reserve_ids(Investigation, total)
    cases, investigations, assignments, events, extensions = [], [], [], [], []
    soon = today + datetime.timedelta(7)
    late = 0
    for n, (case_id, investigation_id) in enumerate(zip(case_ids, investigation_ids, strict=True)):
        is_open = n < plan.open_cases or n >= plan.open_cases + plan.closed_cases
        awaiting = n >= plan.open_cases + plan.closed_cases
        main = pool[n % len(pool)] if pool and not awaiting else None
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
        if awaiting:
            start = today - datetime.timedelta(days=rng.randint(0, 20))
            opened = start - datetime.timedelta(days=rng.randint(0, 7))
        status = Case.Status.AWAITING_ALLOCATION if awaiting else Case.Status.OPEN if is_open else Case.Status.CLOSED
        cases.append(
            (
                case_id,
                org.pk,
                f"{plan.prefix}-{n + 1:05d}",
                Case.Kind.INVESTIGATION.value,
                weight,
                rng.random() < 0.08,
                plan.unit.pk,
                status.value,
                opened,
                closed,
                0,
            )
        )
        others = [c for c in plan.co_handlers if main is None or c.pk != main.pk]
        co = rng.choice(others) if others and not awaiting and (novice or rng.random() < plan.co_share) else None
        legal = rules.legal_deadline(start, settings)
        extended = None
        if manager_id and closed is None and legal < soon:
            late += 1
            if late % 2:  # every other late investigation was extended
                extended = legal + datetime.timedelta(days=30)
                extensions.append(
                    (org.pk, investigation_id, extended, "Inväntar utlåtande från barn- och ungdomspsykiatrin.")
                    + (manager_id, now)
                )
        investigations.append(
            [
                investigation_id,
                org.pk,
                case_id,
                start,
                rules.target_date(start, settings),
                legal,
                extended,
                closed,
                "",  # the outcome, drawn below
                False,
                main.pk if closed and main else None,
                plan.unit.pk,
            ]
        )
        for role, person in ((Assignment.Role.MAIN, main), (Assignment.Role.CO, co)):
            if person is not None:
                assignments.append((org.pk, case_id, person.pk, role.value, start, closed, manager_id, "", now))
        events.append((org.pk, case_id, manager_id, now, CaseEvent.Kind.CREATED.value, ""))
    # Outcomes are drawn after all cases, as before the COPY rewrite: the demo seed shares this random
    # stream with the other apps' seeds, so its draws keep their order.
    for row in investigations:
        if row[7]:
            row[8] = rng.choice(Investigation.Outcome.values)
    columns = ["id", "organisation_id", "number", "kind", "weight", "acute", "unit_id", "status", "opened_on"]
    insert_rows(Case, [*columns, "closed_on", "version"], cases)
    insert_rows(
        Investigation,
        ["id", "organisation_id", "case_id", "start_date", "target_date", "legal_deadline", "extended_until"]
        + ["closed_on", "outcome", "chained", "closed_by_handler_id", "unit_id"],
        investigations,
    )
    insert_rows(
        Assignment,
        ["organisation_id", "case_id", "staff_id", "role", "start", "end", "assigned_by_id", "reason", "created_at"],
        assignments,
    )
    insert_rows(CaseEvent, ["organisation_id", "case_id", "actor_id", "at", "kind", "detail"], events)
    insert_rows(
        Extension,
        ["organisation_id", "investigation_id", "new_deadline", "reason", "decided_by_id", "decided_at"],
        extensions,
    )
    return total


# --- Organisations at scale (manage.py generate_load) -----------------------------------------------

LOAD_PASSWORD = "stabil-demo"
STAFF_PER_UNIT = 20
UNITS_PER_DEPARTMENT = 10
OPEN_PER_WORKER = 15  # open cases a worker holds as main handler (capacity 12 at level 1, 22 above)


@dataclass
class LoadResult:
    organisation: object
    units: list[Unit]
    staff: int
    cases: int
    logins: dict[str, str]  # role -> username of the first of its kind
    workers: list[StaffMember]  # the case workers and specialists, for the survey rounds (surveys.generator)
    levels: dict[int, LadderLevel]  # staff id -> the level each worker holds now


def _level_numbers(count: int) -> list[int]:
    """A unit's ladder: about a quarter at level 1, a tenth specialists (4), the rest levels 2 and 3."""
    return [1 if i % 4 == 0 else 4 if i % 10 == 9 else 2 + i % 2 for i in range(count)]


def load_organisation(
    *,
    name: str,
    slug: str,
    staff: int,
    cases: int,
    units: int,
    today: datetime.date,
    rng: random.Random,
    password_hash: str,
) -> LoadResult:
    """One organisation in bulk: departments of ten units, a manager and case workers per unit, HR, ladder
    histories (a level-2+ worker first held the level below), cases with investigations and handlers (the survey
    rounds come from `surveys.generator.load_rounds`, the app above). At most half the cases are open, and at
    most OPEN_PER_WORKER per worker: the rest is closed history.

    Every worker, manager and HR person gets a login `<slug>-<role><n>` (the first also `<slug>-<role>`).
    """
    from competence.models import LevelPlacement
    from staff.models import Department, Organisation, Role, RoleAssignment

    org = Organisation.objects.create(name=name, slug=slug)
    units = max(1, min(units, staff // 2))
    departments = Department.objects.bulk_create(
        [
            Department(organisation=org, name=f"Avdelning {d + 1}")
            for d in range((units + UNITS_PER_DEPARTMENT - 1) // UNITS_PER_DEPARTMENT)
        ]
    )
    unit_rows = Unit.objects.bulk_create(
        [
            Unit(
                organisation=org,
                department=departments[u // UNITS_PER_DEPARTMENT],
                name="Utredning" if units == 1 else f"Utredning {u + 1:03d}",
                kind=Unit.Kind.INVESTIGATION,
            )
            for u in range(units)
        ]
    )
    levels = {
        number: LadderLevel.objects.create(
            organisation=org, number=number, name=f"Nivå {number}", is_specialist=number == 4
        )
        for number in (1, 2, 3, 4)
    }
    started = today.replace(year=today.year - 3)
    people = StaffMember.objects.bulk_create(
        [
            StaffMember(
                organisation=org,
                first_name=f"Person{i}",
                last_name="Lasttest",
                email=f"person{i}@{slug}.example",
                unit=unit_rows[i % units] if i < staff + units else None,
                employment_start=started - datetime.timedelta(days=rng.randint(0, 2000)),
                profession_start=started - datetime.timedelta(days=rng.randint(0, 3000)),
            )
            for i in range(staff + units + 1)
        ],
        batch_size=2000,
    )
    managers, workers, hr = people[:units], people[units:-1], people[-1]
    by_unit: dict[int, list[StaffMember]] = {u.pk: [] for u in unit_rows}
    for w in workers:
        by_unit[w.unit_id].append(w)
    placed: dict[int, LadderLevel] = {}
    roles = [RoleAssignment(organisation=org, staff=hr, role=Role.HR)]
    placements = []
    for unit, manager in zip(unit_rows, managers, strict=True):
        roles.append(RoleAssignment(organisation=org, staff=manager, role=Role.UNIT_MANAGER, unit=unit))
        for w, number in zip(by_unit[unit.pk], _level_numbers(len(by_unit[unit.pk])), strict=True):
            placed[w.pk] = levels[number]
            role = Role.SPECIALIST if number == 4 else Role.SOCIAL_WORKER
            roles.append(RoleAssignment(organisation=org, staff=w, role=role, unit=unit))
            start = w.employment_start
            if number > 1:  # ladder history: the level below first, then the current level
                moved = start + datetime.timedelta(days=rng.randint(200, 700))
                placements.append(
                    LevelPlacement(
                        organisation=org,
                        staff=w,
                        level=levels[number - 1],
                        start=start,
                        end=moved - datetime.timedelta(days=1),
                    )
                )
                start = moved
            placements.append(LevelPlacement(organisation=org, staff=w, level=levels[number], start=start))
    RoleAssignment.objects.bulk_create(roles, batch_size=2000)
    LevelPlacement.objects.bulk_create(placements, batch_size=2000)
    logins = _logins(org, slug, managers=managers, workers=workers, hr=hr, placed=placed, password_hash=password_hash)
    per_unit = [cases // units + (1 if u < cases % units else 0) for u in range(units)]
    for u, (unit, manager) in enumerate(zip(unit_rows, managers, strict=True)):
        crew = by_unit[unit.pk]
        own = [w for w in crew if not placed[w.pk].is_specialist] or crew
        # At most half open, and no more than a full caseload each: the rest is closed history.
        awaiting_n = per_unit[u] // 50
        open_n = min(per_unit[u] // 2 - awaiting_n, OPEN_PER_WORKER * len(own))
        generate(
            Plan(
                unit=unit,
                workers=own,
                co_handlers=crew,
                levels=placed,
                manager=manager,
                prefix=f"LT{u + 1}",
                open_cases=open_n,
                closed_cases=per_unit[u] - open_n - awaiting_n,
                awaiting_cases=awaiting_n,
            ),
            today=today,
            rng=rng,
        )
    monday = today - datetime.timedelta(days=today.weekday())
    CycleSettings.objects.bulk_create(
        [CycleSettings(organisation=org, unit=unit, anchor=monday, period_weeks=5) for unit in unit_rows]
    )
    return LoadResult(
        organisation=org, units=unit_rows, staff=len(people), cases=cases, logins=logins, workers=workers, levels=placed
    )


def _logins(org, slug, *, managers, workers, hr, placed, password_hash) -> dict[str, str]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    own = [w for w in workers if not placed[w.pk].is_specialist]
    owners = (
        [(f"{slug}-hr", hr)]
        + [(f"{slug}-manager{i}", m) for i, m in enumerate(managers)]
        + [(f"{slug}-worker{i}", w) for i, w in enumerate(own)]
    )
    users = User.objects.bulk_create(
        [User(username=name, password=password_hash) for name, _m in owners], batch_size=2000
    )
    for user, (_name, member) in zip(users, owners, strict=True):
        member.user = user
    StaffMember.objects.bulk_update([m for _n, m in owners], ["user"], batch_size=2000)
    # worker0 is at level 1 (always co-handled); worker1 at level 2 is the typical social worker.
    return {"hr": f"{slug}-hr", "manager": f"{slug}-manager0", "worker": f"{slug}-worker{min(1, len(own) - 1)}"}


def analyse_loaded_tables() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL): without them the planner estimated one row per
    organisation and scanned the organisation index, 40-58 ms a query on my caseload instead of under 2 ms."""
    if connection.vendor != "postgresql":
        return
    from django.apps import apps

    with connection.cursor() as cursor:
        for label in ("staff", "competence", "caseload", "surveys"):
            for model in apps.get_app_config(label).get_models():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
