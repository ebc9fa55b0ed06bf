"""Benchmark of the case import (issue 19): 50 000 rows with 1 % bad rows, against PostgreSQL COPY, in one run.

Makes a fresh organisation (--units units, --workers case workers on levels 2 and 3 with employee numbers),
writes a file of --rows case rows (a third closed with an outcome, most with a co-handler, 1 % bad: an
unknown employee number, an investigation starting before the case was received, a received date in the
future, a number outside the case-number shape), and times (median of --repeat runs, the sides interleaved):

  copy       COPY of the same rows (the 99 % good ones) into caseload_case (the cases only), rolled back
  copy_all   COPY of every row the import writes but its history rows: cases, then investigations,
             assignments and timeline events keyed by the new case ids (one SELECT between), rolled back
  import     screen + plan + apply of the kind (caseload.imports.CASE_IMPORT) in one transaction, as the
             framework's tasks run it, rolled back: the preview's plans with the digest of their inputs, then
             apply, which reads the inputs' digest under row locks, plans again the rows it writes and
             bulk-writes them with history and events
  reimport   the same file again after one import was committed: screen + plan + apply, which writes nothing
             and (the digest being the preview's) plans nothing again

and prints the ratios import / copy, import / copy_all and reimport / import (aim ≤ 0.3).

    DATABASE_URL=postgres://stabil:stabil@127.0.0.1:5432/stabil_bench .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python bench/import_cases_bench.py --rows 50000
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from caseload.imports import CASE_IMPORT  # noqa: E402
from caseload.models import Case  # noqa: E402
from competence.models import LadderLevel, LevelPlacement  # noqa: E402
from staff.imports.kinds import Action, RowPlan  # noqa: E402
from staff.models import Department, Organisation, Role, RoleAssignment, StaffMember, Unit  # noqa: E402


class Rollback(Exception):
    pass


def organisation(units: int, workers: int) -> tuple[Organisation, StaffMember, list[StaffMember]]:
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    org = Organisation.objects.create(name=f"Importbänk {stamp}", slug=f"importbank-{stamp}")
    dept = Department.objects.create(organisation=org, name="Barn och unga")
    unit_list = [
        Unit.objects.create(organisation=org, department=dept, name=f"Utredning {u}", kind=Unit.Kind.INVESTIGATION)
        for u in range(units)
    ]
    levels = {
        n: LadderLevel.objects.create(organisation=org, number=n, name=f"Nivå {n}", is_specialist=n == 4)
        for n in (1, 2, 3, 4)
    }
    user = get_user_model().objects.create(username=f"importbank-{stamp}")
    admin = StaffMember.objects.create(
        organisation=org, user=user, first_name="Ada", last_name="Admin", employment_start=datetime.date(2020, 1, 1)
    )
    RoleAssignment.objects.create(organisation=org, staff=admin, role=Role.ORG_ADMIN)
    people = []
    for i in range(workers):
        unit = unit_list[i % units]
        person = StaffMember.objects.create(
            organisation=org,
            unit=unit,
            first_name=f"Person{i}",
            last_name="Bänk",
            employment_start=datetime.date(2020, 1, 1),
            employee_number=f"7{i:04d}",
        )
        RoleAssignment.objects.create(organisation=org, staff=person, role=Role.SOCIAL_WORKER, unit=unit)
        LevelPlacement.objects.create(
            organisation=org, staff=person, level=levels[2 + i % 2], start=datetime.date(2020, 1, 1)
        )
        people.append(person)
    return org, admin, people


def rows_of(n: int, people: list[StaffMember], units: int, seed: int) -> tuple[list[tuple[int, dict[str, str]]], set]:
    """The file's rows, and the numbers of its bad rows (which no COPY writes)."""
    rng = random.Random(seed)
    today = timezone.localdate()
    by_unit: dict[int, list[StaffMember]] = {}
    for p in people:
        by_unit.setdefault(p.unit_id, []).append(p)
    groups = list(by_unit.values())
    out, bad_rows = [], set()
    for i in range(n):
        group = groups[i % len(groups)]
        main, co = rng.sample(group, 2)
        received = today - datetime.timedelta(days=rng.randint(30, 400))
        investigation = rng.random() < 0.8
        row = {
            "number": f"BoU-{2025 + i % 2}-{i:06d}",
            "kind": "Utredning" if investigation else "Uppföljning",
            "received": received.isoformat(),
            "opened": (received + datetime.timedelta(days=7)).isoformat() if investigation else "",
            "main": main.employee_number,
            "co": co.employee_number if rng.random() < 0.9 else "",
            "closed": "",
            "outcome": "",
        }
        if rng.random() < 0.33:
            row["closed"] = (received + datetime.timedelta(days=rng.randint(10, 25))).isoformat()
            row["outcome"] = rng.choice(["Insats beviljad", "Ingen insats", "Hänvisad"])
        if i % 100 == 50:  # 1 % bad rows, four kinds in turn
            bad_rows.add(i + 2)
            bad = (i // 100) % 4
            if bad == 0:
                row["main"] = "99999"
            elif bad == 1 and investigation:
                row["opened"] = (received - datetime.timedelta(days=3)).isoformat()
            elif bad == 2:
                row["received"] = (today + datetime.timedelta(days=5)).isoformat()
            else:
                row["number"] = f"BoU-{i}-x"
        out.append((i + 2, row))
    return out, bad_rows


def run_import(org, admin, rows) -> tuple[dict[str, int], int, int]:
    """screen + plan + apply as the framework does; (counts, queries, errors)."""
    refused = {n: CASE_IMPORT.screen(r) for n, r in rows}
    kept = [(n, r) for n, r in rows if not refused[n]]
    plans, digest = CASE_IMPORT.plan_with_digest(organisation=org, rows=kept, progress=lambda done: None)
    counts = CASE_IMPORT.apply(organisation=org, rows=kept, plans=plans, by=admin, digest=digest)
    refused_plans = [RowPlan(n, Action.ERROR, errors=[refused[n]]) for n in refused if refused[n]]
    return counts, len(refused_plans), sum(1 for p in plans if p.action == Action.ERROR)


def copy_cases(cursor, org, rows, unit_of) -> None:
    buf = io.StringIO()
    for _n, r in rows:
        closed = r["closed"] or "\\N"
        status = "closed" if r["closed"] else "open"
        kind = "investigation" if r["kind"] == "Utredning" else "follow_up"
        buf.write(
            f"{org.pk}\t{r['number']}\t{kind}\t1\tf\t{unit_of[r['main']]}\t{status}\t{r['received']}\t{closed}\t0\n"
        )
    buf.seek(0)
    cursor.copy_expert(
        "COPY caseload_case (organisation_id, number, kind, weight, acute, unit_id, status, opened_on, closed_on,"
        " version) FROM STDIN",
        buf,
    )


def copy_all(cursor, org, rows, unit_of, staff_of) -> None:
    copy_cases(cursor, org, rows, unit_of)
    cursor.execute("SELECT number, id FROM caseload_case WHERE organisation_id = %s", [org.pk])
    ids = dict(cursor.fetchall())
    inv, asg, ev = io.StringIO(), io.StringIO(), io.StringIO()
    now = timezone.now().isoformat()
    for _n, r in rows:
        case_id = ids[r["number"]]
        if r["opened"]:
            start = datetime.date.fromisoformat(r["opened"])
            closed = r["closed"] or "\\N"
            outcome = "intervention" if r["closed"] else ""
            target = start + datetime.timedelta(days=90)
            inv.write(
                f"{org.pk}\t{case_id}\t{unit_of[r['main']]}\t{start}\t{target}\t{target}\t{closed}\t{outcome}\t\tf\n"
            )
        for role in ("main", "co"):
            if r[role]:
                end = r["closed"] or "\\N"
                asg.write(f"{org.pk}\t{case_id}\t{staff_of[r[role]]}\t{role}\t{r['received']}\t{end}\tImport\n")
        for kind in ("created", "assigned", "opened"):
            ev.write(f"{org.pk}\t{case_id}\t{now}\t{kind}\t\n")
    for sql, buf in (
        (
            "COPY caseload_investigation (organisation_id, case_id, unit_id, start_date, target_date,"
            " legal_deadline, closed_on, outcome, overrun_reason, chained) FROM STDIN",
            inv,
        ),
        ('COPY caseload_assignment (organisation_id, case_id, staff_id, role, start, "end", reason) FROM STDIN', asg),
        ("COPY caseload_caseevent (organisation_id, case_id, at, kind, detail) FROM STDIN", ev),
    ):
        buf.seek(0)
        cursor.copy_expert(sql, buf)


def timed(fn) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            fn()
            raise Rollback
    except Rollback:
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (COPY).")
    org, admin, people = organisation(args.units, args.workers)
    rows, bad_rows = rows_of(args.rows, people, args.units, args.seed)
    good = [(n, r) for n, r in rows if n not in bad_rows]
    unit_of = {p.employee_number: p.unit_id for p in people}
    unit_of["99999"] = people[0].unit_id
    staff_of = {p.employee_number: p.pk for p in people}
    staff_of["99999"] = people[0].pk
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    times: dict[str, list[float]] = {"copy": [], "copy_all": [], "import": [], "reimport": []}
    counts = {}
    for _ in range(args.repeat):
        with connection.cursor() as cursor:
            times["copy"].append(timed(lambda c=cursor: copy_cases(c, org, good, unit_of)))
            times["copy_all"].append(timed(lambda c=cursor: copy_all(c, org, good, unit_of, staff_of)))
        times["import"].append(timed(lambda: counts.update(run=run_import(org, admin, rows))))
    with transaction.atomic():
        first, refused, errors = run_import(org, admin, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE caseload_case; ANALYZE caseload_assignment; ANALYZE caseload_investigation")
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as queries:
            times["reimport"].append(timed(lambda: counts.update(again=run_import(org, admin, rows))))
    again = counts["again"][0]
    median = {k: statistics.median(v) for k, v in times.items()}
    load = os.getloadavg()[0]
    print(f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, load {load:.1f}, rows {args.rows}")
    print(f"first import: {first} (refused by screen: {refused}, plan errors: {errors})")
    print(f"re-import: {again} in {len(queries.captured_queries)} queries")
    held = Case.objects.filter(organisation=org).count()
    print(f"cases in the organisation: {held}")
    # A wrong answer fails the run (make bench, CI); a slow figure never does.
    bad = len(bad_rows)
    if (first["create"], first["error"] + refused, again["unchanged"], held) != (len(good), bad, len(good), len(good)):
        sys.exit(f"wrong answer: {len(good)} good and {bad} bad rows, but {first}, {again}, {held} cases held")
    for key, value in median.items():
        print(f"{key:9} median {value:7.2f} s  runs {' '.join(f'{t:.2f}' for t in times[key])}")
    print(f"import / copy     = {median['import'] / median['copy']:.1f}")
    print(f"import / copy_all = {median['import'] / median['copy_all']:.1f}")
    print(f"reimport / import = {median['reimport'] / median['import']:.2f} (aim <= 0.3)")


if __name__ == "__main__":
    main()
