"""Benchmark of the HR tertial report against hand-written SQL computing the same numbers, in one run.

Generates a load-test organisation (manage.py generate_load), spreads its people and cases over
--units units in departments of ten, adds a closed survey round for the last closed tertial with
answers from about two thirds of the people, then times (median of --repeat runs):

  report  surveys.reports.tertial_report + its serializer: every figure of GET /api/v1/reports/tertial/{id}/
  sql     hand-written SQL (seven grouped statements, each filtered by the organisation; --explain prints
          their plans) for the same per-unit counts: employees, case
          workers, open and weighted cases, co-handler coverage, closed investigations within target /
          legal limit, employees' days and leavers, level distribution, invited and respondents and
          score sums.
          Supplement and consultant costs (day-by-day rate periods) are NOT in the SQL: the report's
          time includes them, so the ratio is pessimistic for the report.

and checks that both give the same numbers for every unit.

    DATABASE_URL=postgres://stabil:stabil@127.0.0.1:5432/stabil_bench .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python bench/hr_report_bench.py --staff 1000 --cases 100000 --units 100
"""

from __future__ import annotations

import argparse
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

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from caseload.models import Case, Investigation  # noqa: E402
from staff.models import Department, Organisation, StaffMember, Unit  # noqa: E402
from surveys.models import Answer, Invitation, SurveyRound  # noqa: E402
from surveys.reports.serializers import TertialReportSerializer  # noqa: E402
from surveys.reports.tertial_report import tertial_report  # noqa: E402
from surveys.selectors import ORGANISATION_WIDE  # noqa: E402
from surveys.services import round_ensure  # noqa: E402
from surveys.tertials import Tertial  # noqa: E402

# The fastest correct statements we could write, each filtered by the organisation (so on a database with
# other organisations the planner can use the organisation indexes, as the report's queries do); their plans
# are printed by --explain. One pass over the organisation's open cases counts them, their weights and
# (a hashed subplan over the current co-handler assignments) the covered ones; investigations carry their
# unit, so no join with the cases.
SQL = {
    "staff": """
        SELECT unit_id,
          COUNT(*) FILTER (WHERE employment_start <= %(on)s AND (employment_end IS NULL OR employment_end >= %(on)s)),
          COALESCE(SUM(LEAST(COALESCE(employment_end, %(on)s), %(on)s) - GREATEST(employment_start, %(start)s) + 1)
              FILTER (WHERE employment_type <> 'consultant' AND employment_start <= %(on)s
                AND (employment_end IS NULL OR employment_end >= %(start)s)), 0),
          COUNT(*) FILTER (WHERE employment_type <> 'consultant' AND employment_end >= %(start)s
                AND employment_end <= %(on)s)
        FROM staff_staffmember WHERE organisation_id = %(org)s AND unit_id IS NOT NULL GROUP BY unit_id""",
    "case_workers": """
        SELECT r.unit_id, COUNT(DISTINCT r.staff_id)
        FROM staff_roleassignment r JOIN staff_staffmember s ON s.id = r.staff_id AND s.organisation_id = %(org)s
        WHERE r.organisation_id = %(org)s AND r.role IN ('social_worker', 'specialist')
          AND s.employment_start <= %(on)s AND (s.employment_end IS NULL OR s.employment_end >= %(on)s)
        GROUP BY r.unit_id""",
    "cases": """
        SELECT unit_id, COUNT(*), SUM(weight),
          COUNT(*) FILTER (WHERE id IN (SELECT case_id FROM caseload_assignment WHERE organisation_id = %(org)s
                AND role = 'co' AND start <= %(on)s AND ("end" IS NULL OR "end" > %(on)s)))
        FROM caseload_case
        WHERE organisation_id = %(org)s AND opened_on <= %(on)s AND (closed_on IS NULL OR closed_on > %(on)s)
          AND status <> 'awaiting'
        GROUP BY unit_id""",
    "investigations": """
        SELECT unit_id, COUNT(*), COUNT(*) FILTER (WHERE closed_on <= target_date),
          COUNT(*) FILTER (WHERE closed_on <= legal_deadline)
        FROM caseload_investigation
        WHERE organisation_id = %(org)s AND closed_on >= %(start)s AND closed_on <= %(on)s
        GROUP BY unit_id""",
    "levels": """
        SELECT s.unit_id, l.number, COUNT(*)
        FROM staff_staffmember s
        LEFT JOIN competence_levelplacement p ON p.organisation_id = %(org)s AND p.staff_id = s.id
             AND p.start <= %(on)s AND (p."end" IS NULL OR p."end" >= %(on)s)
        LEFT JOIN competence_ladderlevel l ON l.id = p.level_id
        WHERE s.organisation_id = %(org)s AND s.unit_id IS NOT NULL AND s.employment_start <= %(on)s
          AND (s.employment_end IS NULL OR s.employment_end >= %(on)s)
        GROUP BY s.unit_id, l.number""",
    "invited": """SELECT unit_id, COUNT(*) FROM surveys_invitation
        WHERE organisation_id = %(org)s AND round_id = %(round)s GROUP BY unit_id""",
    "answers": """SELECT unit_id, COUNT(*), SUM(q1), SUM(q2), SUM(q3) FROM surveys_answer
        WHERE organisation_id = %(org)s AND round_id = %(round)s GROUP BY unit_id""",
}


def hand_written(params: dict, times: dict[str, list[float]] | None = None) -> dict[str, list[tuple]]:
    """Every statement's rows; with `times`, each statement's seconds are appended to times[name]."""
    with connection.cursor() as cursor:
        out = {}
        for name, sql in SQL.items():
            started = time.perf_counter()
            cursor.execute(sql, params)
            out[name] = cursor.fetchall()
            if times is not None:
                times.setdefault(name, []).append(time.perf_counter() - started)
        return out


def explain(params: dict) -> None:
    """The plan of each statement as PostgreSQL ran it (EXPLAIN ANALYZE): which index, how many rows."""
    with connection.cursor() as cursor:
        for name, sql in SQL.items():
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print(f"# --- {name}\n" + "\n".join(f"#   {row[0]}" for row in cursor.fetchall()))


@transaction.atomic
def prepare(staff: int, cases: int, units: int, seed: int) -> tuple[Organisation, Tertial]:
    started = time.monotonic()
    with open(os.devnull, "w") as quiet:
        call_command("generate_load", staff=staff, cases=cases, units=1, seed=seed, stdout=quiet)
    org = Organisation.objects.filter(slug__startswith=f"lasttest-{staff}-").order_by("-pk").first()
    first = Unit.objects.get(organisation=org)
    all_units = [first]
    for i in range(1, units):
        if i % 10 == 0:
            dept = Department.objects.create(organisation=org, name=f"Avdelning {i // 10 + 1}")
        else:
            dept = all_units[-1].department
        all_units.append(Unit.objects.create(organisation=org, department=dept, name=f"Enhet {i:03d}"))
    people = list(StaffMember.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True))
    case_ids = list(Case.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True))
    for i, unit in enumerate(all_units):
        StaffMember.objects.filter(pk__in=people[i::units]).update(unit=unit)
        Case.objects.filter(pk__in=case_ids[i::units]).update(unit=unit)
        Investigation.objects.filter(case_id__in=case_ids[i::units]).update(unit=unit)  # its copy of the unit
    tertial = Tertial.of(timezone.localdate()).previous()
    survey_round = round_ensure(organisation=org, tertial=tertial)
    # generate_load answered this round for one unit; answer it again over the units spread above.
    Answer.objects.filter(round=survey_round).delete()
    Invitation.objects.filter(round=survey_round).delete()
    rng = random.Random(seed)  # noqa: S311
    unit_of = dict(StaffMember.objects.filter(organisation=org).values_list("pk", "unit_id"))
    Invitation.objects.bulk_create(
        [
            Invitation(organisation=org, round=survey_round, staff_id=pk, unit_id=u, invited_at=survey_round.opens_at)
            for pk, u in unit_of.items()
        ]
    )
    Answer.objects.bulk_create(
        [
            Answer(
                organisation=org,
                round=survey_round,
                staff_id=pk,
                unit_id=u,
                q1=rng.randint(1, 5),
                q2=rng.randint(1, 5),
                q3=rng.randint(1, 5),
            )
            for pk, u in unit_of.items()
            if rng.random() < 0.67
        ]
    )
    SurveyRound.objects.filter(pk=survey_round.pk).update(status=SurveyRound.Status.CLOSED)
    print(f"generated {staff} staff, {cases} cases, {units} units in {time.monotonic() - started:.1f} s")
    return org, tertial


def compare(report, rows: dict[str, list[tuple]]) -> int:
    """Every unit's numbers from the report equal those of the SQL; returns the number of units checked."""
    staff = {r[0]: r[1:] for r in rows["staff"]}
    cases = {r[0]: r[1:] for r in rows["cases"]}
    inv = {r[0]: r[1:] for r in rows["investigations"]}
    case_workers = dict(rows["case_workers"])
    levels: dict = {}
    for unit_id, number, n in rows["levels"]:
        levels.setdefault(unit_id, {})[number] = n
    invited = dict(rows["invited"])
    answers = {r[0]: r[1:] for r in rows["answers"]}
    checked = 0
    for block in report.unit_blocks():
        f = block.figures
        employees, staff_days, leavers = staff.get(block.id, (0, 0, 0))
        open_cases, weighted, covered = cases.get(block.id, (0, 0, 0))
        closed, within_target, within_legal = inv.get(block.id, (0, 0, 0))
        assert (f.employees, f.staff_turnover.staff_days, f.leavers) == (employees, staff_days, leavers)
        assert f.case_workers == case_workers.get(block.id, 0)
        assert (f.open_cases, f.weighted_cases or 0, f.with_co_handler) == (open_cases, weighted or 0, covered)
        assert (f.investigations_closed, f.closed_within_target, f.closed_within_legal_limit) == (
            closed,
            within_target,
            within_legal,
        )
        assert {k: v for k, v in f.levels.items() if v} == levels.get(block.id, {}), block.name
        survey = block.survey
        if not survey["suppressed"]:
            n, *sums = answers.get(block.id, (0, 0, 0, 0))
            assert (survey["invited"], survey["respondents"]) == (invited.get(block.id, 0), n)
            for q, total in zip(survey["questions"], sums, strict=True):
                assert sum((i + 1) * c for i, c in enumerate(q["distribution"])) == total
        checked += 1
    return checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=300)
    parser.add_argument("--cases", type=int, default=30000)
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true", help="print each statement's plan (EXPLAIN ANALYZE)")
    args = parser.parse_args()
    org, tertial = prepare(args.staff, args.cases, args.units, args.seed)
    today = timezone.localdate()
    on = min(tertial.end, today)
    survey_round = SurveyRound.objects.get(organisation=org, year=tertial.year, tertial=tertial.number)
    params = {"org": org.pk, "on": on, "start": tertial.start, "end": tertial.end, "round": survey_round.pk}

    def run_report():
        report = tertial_report(organisation=org, tertial=tertial, today=today, viewer=ORGANISATION_WIDE)
        TertialReportSerializer(report).data  # noqa: B018 - serialisation is part of the answer
        return report

    run_report()  # settings rows created on first use
    report_times, sql_times, statement_times = [], [], {}
    for _ in range(args.repeat):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            report = run_report()
        report_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        rows = hand_written(params, statement_times)
        sql_times.append(time.perf_counter() - started)
    checked = compare(report, rows)
    if args.explain and connection.vendor == "postgresql":
        explain(params)
    report_s, sql_s = statistics.median(report_times), statistics.median(sql_times)
    each = ", ".join(f"{name} {statistics.median(t) * 1000:.1f}" for name, t in statement_times.items())
    print(
        f"# load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
        f"database={connection.vendor} staff={args.staff} cases={args.cases} units={args.units} "
        f"tertial={tertial.year}-T{tertial.number} units_checked={checked} (same numbers as the SQL)\n"
        f"report: {report_s * 1000:.0f} ms median of {args.repeat}, {len(queries)} queries; "
        f"hand-written SQL: {sql_s * 1000:.0f} ms median ({len(SQL)} statements, without supplement costs; "
        f"ms each: {each}); ratio report/sql = {report_s / sql_s:.2f} (aim <= 1.5)"
    )


if __name__ == "__main__":
    main()
