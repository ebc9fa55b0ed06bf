"""Benchmark of the staff import (issue 19) against a bulk COPY of the same rows, in one run.

Generates --rows staff rows (an HR export: employee number, names, e-mail, unit, title, FTE, start) for a new
organisation with --units units, then times, interleaved in each of --repeat rounds (each round in a transaction
rolled back at the end, so the database is left as it was), and prints the medians:

  copy_rows  the baseline: COPY ... FROM STDIN of exactly the rows the import writes into their real tables, with
             their indexes and constraints: the people into staff_staffmember (ids taken from its sequence
             first, as the import does) and each one's FTE period into staff_employmentextent; no history rows;
             the text of the two COPYs is made from values parsed beforehand (in a savepoint, rolled back)
  copy_text  informational: COPY of the file itself into a temporary table of text columns (no parsing, no
             checks, no indexes): the floor of any import
  preview    staff.imports.services: run_create (read the file, propose the mapping, encrypt and keep the file)
             and the preview (read again, plan every row against the organisation's units and staff, store
             the plans and counts)
  apply      the apply of that run: plan again inside the transaction, then create the people and their FTE
             periods and a history row of each (staff.platform.bulk on PostgreSQL)
  reapply    the same file previewed and applied again: every row unchanged, nothing written

and each as the median of its ratios to copy_rows (and to copy_text) in the same rounds (the issue's aim:
preview and apply each at most 5x a COPY of the same rows). The run fails (exit status 1) on a wrong answer:
the counts of the runs, the rows, FTE periods and history rows written, and every written person's values
against the file's; never on a slow figure.

    DATABASE_URL=postgres://stabil:stabil@127.0.0.1:5432/stabil_bench .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python bench/import_staff_bench.py --rows 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402

from staff.imports import services  # noqa: E402
from staff.models import Department, EmploymentExtent, Organisation, StaffMember, Unit  # noqa: E402

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
FTE_VALUES = tuple(Decimal(v) for v in ("1.00", "0.75", "0.50", "1.00", "0.80"))  # the same, as stored


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


def _people(rows: int, units: int) -> list[tuple]:
    """What the import must write for each row of _file, worked out here and not by the import's parser:
    (employee number, first name, last name, e-mail, unit name, title, FTE, employment start)."""
    return [
        (
            str(100000 + n),
            f"Förnamn{n}",
            f"Efternamn{n}",
            f"person{n}@kommun.example",
            f"Enhet {n % units:03}",
            "Socialsekreterare",
            FTE_VALUES[n % len(FTES)],
            dt.date(2010 + n % 15, 1 + n % 9, 10 + n % 9),
        )
        for n in range(rows)
    ]


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


def _copy_text(data: bytes) -> tuple[float, int]:
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
        cursor.execute("DROP TABLE import_bench_copy")
    return elapsed, copied


def _text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_sql(model, columns: list[str]) -> str:
    qn = connection.ops.quote_name
    names = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
    return f"COPY {qn(model._meta.db_table)} ({names}) FROM STDIN"


def _lines(model, rows: list[dict], now, first: str) -> tuple[list[str], str]:
    """Each row's line of COPY text but its first column `first` (the person's id, which the timed part takes
    from the sequence), and the COPY statement: `rows` (attname -> value) and every other column as Model.save
    fills it."""
    given = list(rows[0])
    rest = []
    for f in model._meta.concrete_fields:
        if f.attname == first or f.primary_key or f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            rest.append((f.attname, _text(now)))
        else:
            rest.append((f.attname, _text(f.get_db_prep_save(f.get_default(), connection))))
    tail = "".join("\t" + text for _name, text in rest)
    lines = ["\t".join(map(_text, row.values())) + tail + "\n" for row in rows]
    return lines, _copy_sql(model, [first, *given, *(name for name, _text in rest)])


def _copy_rows(org: Organisation, people: list[tuple]) -> tuple[float, int, int]:
    """The baseline: the people and their FTE periods by COPY into their real tables, in a savepoint rolled back.
    The COPY text is made beforehand but for the ids, which come from the sequence in the timed part, as in the
    import; so the time is the database's, and the ids' (one query and a string join)."""
    units = dict(Unit.objects.filter(organisation=org).values_list("name", "pk"))
    now = timezone.now()
    staff_lines, staff_sql = _lines(
        StaffMember,
        [
            {
                "organisation_id": org.pk,
                "employee_number": number,
                "first_name": first,
                "last_name": last,
                "email": email,
                "unit_id": units[unit],
                "title": title,
                "fte": fte,
                "employment_start": start,
                "employment_end": None,
            }
            for number, first, last, email, unit, title, fte, start in people
        ],
        now,
        "id",
    )
    extent_lines, extent_sql = _lines(
        EmploymentExtent,
        [
            {"organisation_id": org.pk, "fte": fte, "valid_from": start, "created_by_id": None}
            for *_values, fte, start in people
        ],
        now,
        "staff_id",
    )
    meta = StaffMember._meta
    copied = periods = 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(people)],
            )
            ids = [str(row[0]) + "\t" for row in cursor.fetchall()]
            for sql, lines in ((staff_sql, staff_lines), (extent_sql, extent_lines)):
                text = "".join([pk + line for pk, line in zip(ids, lines, strict=True)])
                cursor.cursor.copy_expert(sql, io.StringIO(text))
            elapsed = time.perf_counter() - started
            copied = StaffMember.objects.filter(organisation=org).count()
            periods = EmploymentExtent.objects.filter(organisation=org, staff__organisation=org).count()
            raise _Rollback
    except _Rollback:
        pass
    return elapsed, copied, periods


def _written(org: Organisation) -> list[tuple]:
    return sorted(
        StaffMember.objects.filter(organisation=org).values_list(
            "employee_number", "first_name", "last_name", "email", "unit__name", "title", "fte", "employment_start"
        )
    )


def _check(wrong: list[str], what: str, got, expected) -> None:
    if got != expected:
        wrong.append(f"{what}: {got!r}, expected {expected!r}"[:300])


def _round(data: bytes, people: list[tuple], units: int, wrong: list[str]) -> dict[str, float]:
    """One round: every side once, in one transaction rolled back at the end."""
    rows = len(people)
    times: dict[str, float] = {}
    try:
        with transaction.atomic():
            times["copy_text"], copied = _copy_text(data)
            _check(wrong, "copy_text rows", copied, rows)
            copy_org = _organisation(units)
            times["copy_rows"], copied, periods = _copy_rows(copy_org, people)
            _check(wrong, "copy_rows (people, FTE periods)", (copied, periods), (rows, rows))
            org = _organisation(units)
            started = time.perf_counter()
            run = services.run_create(organisation=org, kind_key="staff", by=None, filename="hr.csv", data=data)
            services.run_set_mapping(run=run, mapping=MAPPING, by=None)
            run = services.run_preview_now(run=run)
            times["preview"] = time.perf_counter() - started
            _check(wrong, "preview counts", (run.counts, run.error), ({"create": rows}, ""))
            started = time.perf_counter()
            run = services.run_apply_now(run=run, by=None)
            times["apply"] = time.perf_counter() - started
            _check(wrong, "apply", (run.status, run.counts, run.error), ("applied", {"create": rows}, ""))
            history = (
                StaffMember.history.filter(organisation_id=org.pk, history_type="+").count(),
                EmploymentExtent.history.filter(organisation_id=org.pk, history_type="+").count(),
            )
            written = (
                StaffMember.objects.filter(organisation=org).count(),
                EmploymentExtent.objects.filter(organisation=org).count(),
                *history,
            )
            _check(wrong, "people, FTE periods and their history rows written", written, (rows,) * 4)
            _check(wrong, "the people written", _written(org), sorted(people))
            periods = EmploymentExtent.objects.filter(organisation=org).values_list("staff__fte", "fte", "valid_from")
            other = [p for p in periods if p[0] != p[1]]
            _check(wrong, "FTE periods with another FTE than their person's", other, [])
            _check(
                wrong,
                "FTE periods from another day than their person's start",
                periods.exclude(valid_from=F("staff__employment_start")).count(),
                0,
            )
            started = time.perf_counter()
            again = services.run_create(organisation=org, kind_key="staff", by=None, filename="hr.csv", data=data)
            again = services.run_apply_now(run=services.run_preview_now(run=again), by=None)
            times["reapply"] = time.perf_counter() - started
            _check(wrong, "reapply", (again.status, again.counts), ("applied", {"unchanged": rows}))
            _check(
                wrong,
                "history rows after the reapply",
                (
                    StaffMember.history.filter(organisation_id=org.pk).count(),
                    EmploymentExtent.history.filter(organisation_id=org.pk).count(),
                ),
                history,
            )
            raise _Rollback
    except _Rollback:
        pass
    return times


SIDES = ("copy_rows", "preview", "apply", "reapply")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL (COPY): set DATABASE_URL.")
    data, people = _file(args.rows, args.units), _people(args.rows, args.units)
    wrong: list[str] = []
    rounds = [_round(data, people, args.units, wrong) for _ in range(args.repeat)]
    median = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    now = dt.datetime.now(dt.UTC)
    load = os.getloadavg()[0]
    print(
        f"staff import of {args.rows} rows ({len(data) / 1e6:.1f} MB, {args.units} units), median of {args.repeat}, "
        f"{now:%Y-%m-%d %H:%M} UTC, load {load:.1f}"
    )
    for key in SIDES:
        to_rows = statistics.median(r[key] / r["copy_rows"] for r in rounds)
        to_text = statistics.median(r[key] / r["copy_text"] for r in rounds)
        runs = " ".join(f"{r[key]:.3f}" for r in rounds)
        print(f"  {key:9} {median[key]:8.3f} s  {to_rows:6.1f}x copy_rows  {to_text:7.1f}x copy_text   runs {runs}")
    print(f"  copy_text {median['copy_text']:8.3f} s  (the file into a temporary text table, informational)")
    # A wrong answer fails the run (make bench, CI); a slow figure never does.
    if wrong:
        sys.exit("wrong answer:\n  " + "\n  ".join(wrong))


if __name__ == "__main__":
    main()
