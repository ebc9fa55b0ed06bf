"""Benchmark of the staff import (issue 19) against a bulk COPY of the same rows, in one run.

Generates --rows staff rows (an HR export: employee number, names, e-mail, unit, title, FTE, start) for a new
organisation with --units units, then times (median of --repeat runs, each in a transaction rolled back at the
end, so the database is left as it was):

  copy       COPY ... FROM STDIN of the same CSV into a scratch table of text columns (no checks, no indexes)
  preview    staff.imports.services: run_create (read the file, propose the mapping, encrypt and keep the file)
             and the preview (read again, plan every row against the organisation's units and staff, store
             the plans and counts)
  apply      the apply of that run: plan again inside the transaction, then create the people and their FTE
             periods with bulk statements and their history rows
  reapply    the same file previewed and applied again: every row unchanged, nothing written

and prints each as a ratio to copy (the issue's aim: preview and apply each at most 5x).

    DATABASE_URL=postgres://stabil:stabil@127.0.0.1:5432/stabil_bench .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python bench/import_staff_bench.py --rows 10000
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from staff.imports import services  # noqa: E402
from staff.models import Department, Organisation, StaffMember, Unit  # noqa: E402

HEADER = "Anst.nr;Förnamn;Efternamn;E-post;Enhet;Befattning;Syss.grad;Anställningsdatum;Slutdatum"
MAPPING = {
    "employee_number": "Anst.nr",
    "first_name": "Förnamn",
    "last_name": "Efternamn",
    "email": "E-post",
    "unit": "Enhet",
    "title": "Befattning",
    "fte": "Syss.grad",
    "employment_start": "Anställningsdatum",
    "employment_end": "Slutdatum",
}
FTES = ("100 %", "0,75", "0.5", "1", "80 %")


class _Rollback(Exception):
    pass


def _file(rows: int, units: int) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        lines.append(
            f"{100000 + n};Förnamn{n};Efternamn{n};person{n}@kommun.example;Enhet {n % units:03};"
            f"Socialsekreterare;{FTES[n % len(FTES)]};20{10 + n % 15}-0{1 + n % 9}-1{n % 9};"
        )
    return ("\n".join(lines) + "\n").encode()


def _organisation(units: int) -> Organisation:
    stamp = time.time_ns()
    org = Organisation.objects.create(name=f"Importbänk {stamp}", slug=f"importbank-{stamp}")
    dept = Department.objects.create(organisation=org, name="Barn och unga")
    Unit.objects.bulk_create(
        [
            Unit(organisation=org, department=dept, name=f"Enhet {n:03}", kind=Unit.Kind.INVESTIGATION)
            for n in range(units)
        ]
    )
    return org


def _copy(data: bytes) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE import_bench_copy (nr text, first_name text, last_name text, email text, unit text, "
            "title text, fte text, start_date text, end_date text) ON COMMIT DROP"
        )
        started = time.perf_counter()
        cursor.cursor.copy_expert(
            "COPY import_bench_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)", io.BytesIO(data)
        )
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM import_bench_copy")
        copied = cursor.fetchone()[0]
    return elapsed, copied


def _once(data: bytes, rows: int, units: int) -> dict[str, float]:
    times: dict[str, float] = {}
    try:
        with transaction.atomic():
            times["copy"], copied = _copy(data)
            assert copied == rows, copied
            org = _organisation(units)
            started = time.perf_counter()
            run = services.run_create(organisation=org, kind_key="staff", by=None, filename="hr.csv", data=data)
            services.run_set_mapping(run=run, mapping=MAPPING, by=None)
            run = services.run_preview_now(run=run)
            times["preview"] = time.perf_counter() - started
            assert run.counts == {"create": rows}, (run.counts, run.error)
            started = time.perf_counter()
            run = services.run_apply_now(run=run, by=None)
            times["apply"] = time.perf_counter() - started
            assert run.status == "applied", run.error
            assert StaffMember.objects.filter(organisation=org).count() == rows
            started = time.perf_counter()
            again = services.run_create(organisation=org, kind_key="staff", by=None, filename="hr.csv", data=data)
            again = services.run_apply_now(run=services.run_preview_now(run=again), by=None)
            times["reapply"] = time.perf_counter() - started
            assert again.counts == {"unchanged": rows}, again.counts
            raise _Rollback
    except _Rollback:
        pass
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL (COPY): set DATABASE_URL.")
    data = _file(args.rows, args.units)
    runs = [_once(data, args.rows, args.units) for _ in range(args.repeat)]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    load = os.getloadavg()[0]
    print(f"staff import of {args.rows} rows ({len(data) / 1e6:.1f} MB), median of {args.repeat}, load {load:.1f}")
    for key in ("copy", "preview", "apply", "reapply"):
        ratio = median[key] / median["copy"]
        print(f"  {key:8} {median[key]:8.3f} s   {ratio:6.1f}x copy")


if __name__ == "__main__":
    main()
