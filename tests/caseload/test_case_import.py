"""The case kind of file import (issue 19 part 4), called as the framework will: screen, plan, then apply in a
transaction. Today is 2 March 2026 (frozen)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from caseload import rules, services
from caseload.imports import CASE_IMPORT, IMPORT_REASON
from caseload.models import Assignment, Case, CaseEvent, CaseloadSettings, Investigation
from staff.imports import kinds
from staff.imports.files import mapped_rows, proposed_mapping, read_table
from staff.imports.kinds import Action, RowPlan
from tests.caseload.factories import case, place, worker
from tests.written import by_simple_history_then_fast_path, rows

TODAY = datetime.date(2026, 3, 2)
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "cases.csv"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False), override("en"):
        yield


@pytest.fixture
def w(ladder):
    """Employee numbers: alice (manager) 1000, nina (level 1) 1001, bob (level 2) 1002, dora (level 3) 1003,
    carol (specialist) 1004; heidi (social worker in Mottagning) 2001."""
    w = ladder
    w.people["nina"] = worker(w.unit, "nina", level=1)
    w.people["dora"] = worker(w.unit, "dora", level=3)
    for name, number in (("alice", "1000"), ("nina", "1001"), ("bob", "1002"), ("dora", "1003"), ("carol", "1004")):
        w.people[name].employee_number = number
        w.people[name].save(update_fields=["employee_number"])
    w.heidi.employee_number = "2001"
    w.heidi.save(update_fields=["employee_number"])
    place(w.heidi, 2)
    return w


def numbered(*rows: dict) -> list[tuple[int, dict]]:
    return [(i, {k: v for k, v in row.items()}) for i, row in enumerate(rows, start=2)]


def row(number="BoU-2026-1", **cells) -> dict:
    base = {"number": number, "kind": "Utredning", "received": "2026-01-05", "opened": "2026-01-12", "main": "1002"}
    base.update(cells)
    return {k: v for k, v in base.items() if v is not None}


def framework_plan(org, rows) -> list[RowPlan]:
    """What the framework does: a refused row keeps its number and reason only; the others are planned."""
    refused = {n: CASE_IMPORT.screen(r) for n, r in rows}
    planned = iter(
        CASE_IMPORT.plan(organisation=org, rows=[(n, r) for n, r in rows if not refused[n]], progress=lambda done: None)
    )
    return [RowPlan(n, Action.ERROR, errors=[refused[n]]) if refused[n] else next(planned) for n, _r in rows]


def plan(w, *rows: dict, by=None) -> list[RowPlan]:
    return CASE_IMPORT.plan(organisation=w.org, rows=numbered(*rows), progress=lambda done: None, by=by)


def run(w, *rows: dict, by=None) -> tuple[list[RowPlan], dict[str, int]]:
    """Plan, then apply in one transaction, as the framework's task does."""
    by = by or w.alice
    numbered_rows = numbered(*rows)
    with transaction.atomic():
        plans = CASE_IMPORT.plan(organisation=w.org, rows=numbered_rows, progress=lambda done: None)
        counts = CASE_IMPORT.apply(organisation=w.org, rows=numbered_rows, plans=plans, by=by)
    return plans, counts


def one(w, **cells) -> RowPlan:
    return plan(w, row(**cells))[0]


def history_count() -> int:
    return sum(m.history.count() for m in (Case, Investigation, Assignment))


# -- the kind and who may use it ----------------------------------------------------------------------------------


def test_the_kind_is_registered_from_caseload():
    assert kinds.get("cases") is CASE_IMPORT
    assert [f.key for f in CASE_IMPORT.fields if f.required] == ["number"]


def test_managers_and_organisation_admins_may_import_cases_and_no_one_else(w):
    assert CASE_IMPORT.may_import(w.alice) and CASE_IMPORT.may_import(w.ivan) and CASE_IMPORT.may_import(w.frank)
    for name in ("bob", "carol", "dave", "erin", "grace"):
        assert not CASE_IMPORT.may_import(w.people[name]), name


# -- screen: no names and no identity numbers are kept -----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("number", "19121212-1212"),
        ("number", "BoU-121212-1212"),
        ("main", "121212-1212"),
        ("outcome", "Insats för 1212121212"),
        ("number", "Anna Svensson"),
        ("outcome", "Anna Svensson"),
        ("kind", "Karl-Erik Svensson"),
        ("main", "Svensson"),
        ("received", "Svensson"),
    ],
)
def test_a_row_with_an_identity_number_or_a_name_is_refused_and_named_by_its_number_only(w, key, value):
    rows = numbered(row(number="BoU-2026-1"), row(**{"number": "BoU-2026-2", key: value}))
    reason = CASE_IMPORT.screen(rows[1][1])
    assert reason and value not in reason
    plans = framework_plan(w.org, rows)
    assert [p.action for p in plans] == [Action.CREATE, Action.ERROR]
    assert plans[1].row == 3 and plans[1].key == "" and plans[1].changes == {}
    assert value not in repr(plans)


@pytest.mark.parametrize("outcome", ["Insats beviljad", "ingen insats", "Avslutad utan insats", "Hänvisad"])
def test_known_kind_and_outcome_phrases_are_not_taken_for_names(outcome):
    assert CASE_IMPORT.screen(row(kind="Uppföljning av insats", closed="2026-02-01", outcome=outcome)) is None


def test_plan_itself_keeps_nothing_of_an_identity_number_in_the_case_number_cell(w):
    [p] = plan(w, row(number="19121212-1212"))
    assert p.action == Action.ERROR and p.key == "" and "1212" not in repr(p)


# -- create ---------------------------------------------------------------------------------------------------------


def test_a_new_case_is_created_with_its_investigation_clocks_handlers_events_and_history(w):
    plans, counts = run(w, row(co="1004"))
    assert plans[0].action == Action.CREATE and plans[0].key == "BoU-2026-1"
    assert plans[0].changes["main"] == ("", "1002")
    assert counts["create"] == 1
    c = Case.objects.get(organisation=w.org, number="BoU-2026-1")
    held = (c.unit, c.kind, c.status, c.opened_on)
    assert held == (w.unit, Case.Kind.INVESTIGATION, Case.Status.OPEN, datetime.date(2026, 1, 5))
    inv = c.investigations.get()
    settings = CaseloadSettings.for_org(w.org)
    start = datetime.date(2026, 1, 12)
    assert (inv.start_date, inv.target_date, inv.legal_deadline) == (
        start,
        rules.target_date(start, settings),
        datetime.date(2026, 5, 12),
    )
    current = {a.role: a for a in c.assignments.filter(end__isnull=True)}
    assert (current["main"].staff, current["co"].staff) == (w.bob, w.carol)
    assert current["main"].reason == IMPORT_REASON and current["main"].assigned_by == w.alice
    assert current["main"].start == start
    kinds_logged = sorted(CaseEvent.objects.filter(case=c).values_list("kind", flat=True))
    assert kinds_logged == sorted(["created", "assigned", "opened"])
    assert set(CaseEvent.objects.filter(case=c).values_list("actor", flat=True)) == {w.alice.pk}
    for model in (Case, Investigation, Assignment):
        rows = list(model.history.filter(organisation_id=w.org.pk))
        assert rows and all(h.history_change_reason == "import" for h in rows), model
        assert all(h.history_user_id == w.alice.user_id for h in rows), model


def test_a_closed_case_from_the_file_is_created_closed_with_its_outcome(w):
    plans, counts = run(w, row(co="1004", closed="2026-02-20", outcome="Insats beviljad"))
    assert counts["create"] == 1
    c = Case.objects.get(number="BoU-2026-1")
    inv = c.investigations.get()
    assert (c.status, c.closed_on) == (Case.Status.CLOSED, datetime.date(2026, 2, 20))
    assert (inv.closed_on, inv.outcome, inv.closed_by_handler) == (datetime.date(2026, 2, 20), "intervention", w.bob)
    assert not c.assignments.filter(end__isnull=True).exists()
    assert CaseEvent.objects.filter(case=c, kind="closed").count() == 1


def test_a_follow_up_case_without_an_investigation_start_gets_no_investigation(w):
    run(w, row(kind="uppföljning", opened=None, main="1003"))
    c = Case.objects.get(number="BoU-2026-1")
    assert c.kind == Case.Kind.FOLLOW_UP and not c.investigations.exists()


# -- idempotence ----------------------------------------------------------------------------------------------------


def test_applying_the_same_file_twice_changes_nothing_the_second_time(w):
    old = case(w.unit, "BoU-2025-9", main=w.dora, co=w.bob, start=datetime.date(2026, 1, 10))
    file = [
        row(number="BoU-2026-1", co="1004"),
        row(number="BoU-2026-2", main="1001", co="1002", kind="Uppföljning", opened=None),
        row(number="BoU-2026-3", closed="2026-02-20", outcome="ingen insats"),
        row(number="bou-2025-9", received="2026-01-03", opened="2026-01-10", main="1003", co="1002"),
        row(number="BoU-2025-9-X"),  # an error row stays an error
    ]
    first, counts = run(w, *file)
    assert [p.action for p in first] == ["create", "create", "create", "unchanged", "error"]
    history, events = history_count(), CaseEvent.objects.count()
    second, counts = run(w, *file)
    assert [p.action for p in second] == ["unchanged"] * 4 + ["error"]
    assert counts == {"create": 0, "update": 0, "unchanged": 4, "end": 0, "conflict": 0, "error": 1, "skipped": 0}
    assert (history_count(), CaseEvent.objects.count()) == (history, events)
    old.refresh_from_db()
    assert old.number == "BoU-2025-9"  # matched without regard to case, never renamed


# -- update and end -------------------------------------------------------------------------------------------------


def test_an_update_recomputes_the_legal_clocks_from_the_new_start(w):
    run(w, row(co="1004"))
    [p] = plan(w, row(co="1004", opened="2025-10-31", received="2025-10-30", kind="Övrigt"))
    assert p.action == Action.UPDATE
    assert p.changes["opened"] == ("2026-01-12", "2025-10-31")
    assert p.changes["received"] == ("2026-01-05", "2025-10-30")
    plans, counts = run(w, row(co="1004", opened="2025-10-31", received="2025-10-30", kind="Övrigt"))
    assert counts["update"] == 1
    c = Case.objects.get(number="BoU-2026-1")
    inv = c.investigations.get()
    assert c.kind == Case.Kind.OTHER and c.opened_on == datetime.date(2025, 10, 30)
    # 31 October + 4 calendar months: the last day of February; + 90 days: 29 January.
    assert (inv.legal_deadline, inv.target_date) == (datetime.date(2026, 2, 28), datetime.date(2026, 1, 29))
    assert Investigation.history.filter(id=inv.pk, history_type="~", history_change_reason="import").exists()


def test_a_handler_the_import_assigned_follows_the_file(w):
    run(w, row(co="1004"))
    plans, counts = run(w, row(main="1003", co="1004"))
    assert plans[0].action == Action.UPDATE and plans[0].changes == {"main": ("1002", "1003")}
    c = Case.objects.get(number="BoU-2026-1")
    main = c.assignments.get(role="main", end__isnull=True)
    assert main.staff == w.dora and main.start == TODAY
    assert c.assignments.get(role="main", staff=w.bob).end == TODAY
    assert c.events.filter(kind="assigned").count() == 2
    assert c.version == 1


def test_an_empty_handler_cell_never_removes_a_handler(w):
    run(w, row(co="1004"))
    [p] = plan(w, row(co=""))
    assert p.action == Action.UNCHANGED


@pytest.mark.parametrize(
    ("closed_offset", "overrun"),
    [(-1, False), (0, False), (1, True)],
    ids=["day-before-legal-date", "on-legal-date", "day-after-legal-date"],
)
def test_a_closing_date_ends_an_open_case_at_the_legal_date_edges(w, closed_offset, overrun):
    start = datetime.date(2025, 10, 31)
    legal = rules.legal_deadline(start, CaseloadSettings.for_org(w.org))
    assert legal == datetime.date(2026, 2, 28)
    c = case(w.unit, "BoU-2025-7", main=w.bob, co=w.carol, start=start)
    closed = (legal + datetime.timedelta(days=closed_offset)).isoformat()
    plans, counts = run(
        w,
        row(number="BoU-2025-7", received="2025-10-24", opened="2025-10-31", closed=closed, outcome="Hänvisad"),
    )
    assert plans[0].action == Action.END and counts["end"] == 1
    c.refresh_from_db()
    inv = c.investigations.get()
    assert c.status == Case.Status.CLOSED and c.closed_on.isoformat() == closed
    assert (inv.outcome, inv.closed_by_handler) == ("referred", w.bob)
    assert bool(inv.overrun_reason) is overrun
    assert not c.assignments.filter(end__isnull=True).exists()
    assert c.events.get(kind="closed").actor == w.alice
    for model, lookup in ((Case, {"id": c.pk}), (Investigation, {"case_id": c.pk}), (Assignment, {"case_id": c.pk})):
        latest = model.history.filter(**lookup).order_by("-history_id").first()
        assert (latest.history_type, latest.history_change_reason, latest.history_user_id) == (
            "~",
            "import",
            w.alice.user_id,
        ), model


# -- conflicts: shown, never written ------------------------------------------------------------------------------


def test_a_case_closed_in_stabil_but_open_in_the_file_is_a_conflict_and_is_not_reopened(w):
    c = case(w.unit, "BoU-2025-8", main=w.bob, start=datetime.date(2026, 1, 10), closed_on=datetime.date(2026, 2, 1))
    plans, counts = run(w, row(number="BoU-2025-8", received="2026-01-03", opened="2026-01-10"))
    assert plans[0].action == Action.CONFLICT and plans[0].changes == {"closed": ("2026-02-01", "")}
    assert plans[0].errors and counts["conflict"] == 1
    c.refresh_from_db()
    assert c.status == Case.Status.CLOSED


def test_a_case_closed_in_stabil_on_another_date_is_a_conflict(w):
    case(w.unit, "BoU-2025-8", main=w.bob, start=datetime.date(2026, 1, 10), closed_on=datetime.date(2026, 2, 1))
    p = one(w, number="BoU-2025-8", received="2026-01-03", opened="2026-01-10", closed="2026-02-02", outcome="bifall")
    assert p.action == Action.CONFLICT and p.changes == {"closed": ("2026-02-01", "2026-02-02")}


def test_a_handler_assigned_in_stabil_is_not_overwritten_by_the_file(w):
    c = case(w.unit, "BoU-2025-5", main=w.bob, co=w.carol, start=datetime.date(2026, 1, 10))
    plans, counts = run(w, row(number="BoU-2025-5", received="2026-01-03", opened="2026-01-10", main="1003"))
    assert plans[0].action == Action.CONFLICT and plans[0].changes == {"main": ("1002", "1003")}
    assert c.assignments.get(role="main", end__isnull=True).staff == w.bob


def test_a_new_start_where_an_extension_was_decided_is_a_conflict(w):
    c = case(w.unit, "BoU-2025-6", main=w.bob, co=w.carol, start=datetime.date(2026, 1, 10))
    inv = c.investigations.get()
    services.extension_decide(
        organisation=w.org, actor=w.alice, investigation=inv, new_deadline=datetime.date(2026, 6, 30), reason="Skäl"
    )
    plans, _counts = run(w, row(number="BoU-2025-6", received="2026-01-03", opened="2026-01-20"))
    assert plans[0].action == Action.CONFLICT and plans[0].changes == {"opened": ("2026-01-10", "2026-01-20")}
    inv.refresh_from_db()
    assert inv.start_date == datetime.date(2026, 1, 10)


def test_a_row_changed_in_stabil_since_the_preview_is_skipped(w):
    run(w, row(co="1004"))
    changed = numbered(row(main="1003", co="1004"))
    preview = CASE_IMPORT.plan(organisation=w.org, rows=changed, progress=lambda done: None)
    assert preview[0].action == Action.UPDATE
    c = Case.objects.get(number="BoU-2026-1")
    services.case_assign(
        organisation=w.org, actor=w.alice, case=c, main=w.nina, co=w.carol, reason="Omfördelning", expected_version=0
    )
    with transaction.atomic():
        counts = CASE_IMPORT.apply(organisation=w.org, rows=changed, plans=preview, by=w.alice)
    assert counts["skipped"] == 1 and counts["update"] == 0
    assert c.assignments.get(role="main", end__isnull=True).staff == w.nina


# -- apply reuses the preview's plans when nothing they were made from changed -------------------------------------

needs_digest = pytest.mark.skipif(connection.vendor != "postgresql", reason="the rows' fingerprints are PostgreSQL's")


def _preview(w, rows):
    return CASE_IMPORT.plan_with_digest(organisation=w.org, rows=rows, progress=lambda done: None, by=w.alice)


@needs_digest
def test_a_reimport_whose_inputs_are_unchanged_plans_nothing_again_and_writes_nothing(w):
    file = numbered(row(co="1004"), row("BoU-2026-2", closed="2026-02-20", outcome="ingen insats"), row("X-1-y"))
    run(w, *[r for _n, r in file])
    plans, digest = _preview(w, file)
    assert len(digest) == 64 and [p.action for p in plans] == ["unchanged", "unchanged", "error"]
    history, events = history_count(), CaseEvent.objects.count()
    with CaptureQueriesContext(connection) as reused, transaction.atomic():
        counts = CASE_IMPORT.apply(organisation=w.org, rows=file, plans=plans, by=w.alice, digest=digest)
    assert counts == {"create": 0, "update": 0, "unchanged": 2, "end": 0, "conflict": 0, "error": 1, "skipped": 0}
    with CaptureQueriesContext(connection) as planned, transaction.atomic():
        again = CASE_IMPORT.apply(organisation=w.org, rows=file, plans=plans, by=w.alice)
    assert again == counts and (history_count(), CaseEvent.objects.count()) == (history, events)
    # the reuse reads the three tables' fingerprints only (the cases' under the lock), not their rows to plan again
    reused_sql = [q["sql"].split(" FROM ")[0] for q in reused.captured_queries]  # what each SELECT reads
    assert any("sha256" in q["sql"] and "FOR UPDATE" in q["sql"] for q in reused.captured_queries)
    for column in ('"caseload_case"."kind"', '"caseload_investigation"."start_date"', '"caseload_assignment"."role"'):
        assert not any(column in q for q in reused_sql)
        assert any(column in q["sql"] for q in planned.captured_queries)


@needs_digest
def test_the_digest_changes_with_each_input_of_the_plan(w):
    file = numbered(row(co="1004"), row("BoU-2026-2", kind="Uppföljning", opened=None))
    run(w, *[r for _n, r in file])
    _plans, digest = _preview(w, file)
    assert CASE_IMPORT.inputs_digest(w.org, file, w.alice, lock=False) == digest
    c = Case.objects.get(number="BoU-2026-2")
    changes = [
        lambda: Case.objects.filter(pk=c.pk).update(weight=3),  # a case of the file
        lambda: Investigation.objects.filter(case__number="BoU-2026-1").update(extended_until=TODAY),
        lambda: Assignment.objects.filter(case=c, role="main").update(reason="Omfördelning"),
        lambda: type(w.bob).objects.filter(pk=w.bob.pk).update(last_name="Berg"),  # a handler's name
        lambda: CaseloadSettings.objects.filter(organisation=w.org).update(target_days=30),
    ]
    seen = {digest}
    for change in changes:
        change()
        now = CASE_IMPORT.inputs_digest(w.org, file, w.alice, lock=False)
        assert now not in seen
        seen.add(now)
    other = [(n, {**r, "main": "1003"}) for n, r in file]  # another cell
    assert CASE_IMPORT.inputs_digest(w.org, other, w.alice, lock=False) not in seen
    assert CASE_IMPORT.inputs_digest(w.org, file, None, lock=False) not in seen  # who imports: all units, not alice's
    with time_machine.travel(datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC), tick=False):
        assert CASE_IMPORT.inputs_digest(w.org, file, w.alice, lock=False) not in seen  # another day


@pytest.mark.parametrize("reuse", [True, False])
def test_a_case_changed_between_preview_and_apply_is_not_overwritten_with_or_without_the_digest(w, reuse):
    """Through the framework: the preview, then a manager reassigns the case in Stabil, then the apply."""
    from staff.imports import services as imports
    from staff.imports.models import ImportRun

    run(w, row(co="1004"))
    data = "Ärendenummer;Ärendetyp;Inkommet;Utredning inledd;Handläggare;Medhandläggare\n"
    data += "BoU-2026-1;Utredning;2026-01-05;2026-01-12;1003;1004\nBoU-2026-5;Utredning;2026-01-05;2026-01-12;1002\n"
    run_ = imports.run_create(organisation=w.org, kind_key="cases", by=w.alice, filename="x.csv", data=data.encode())
    run_ = imports.run_preview_now(run=run_)
    assert run_.counts == {"update": 1, "create": 1}, run_.plans
    assert bool(run_.plan_digest) == (connection.vendor == "postgresql")
    if not reuse:
        ImportRun.objects.filter(pk=run_.pk).update(plan_digest="")
        run_.refresh_from_db()
    c = Case.objects.get(number="BoU-2026-1")
    services.case_assign(
        organisation=w.org, actor=w.alice, case=c, main=w.nina, co=w.carol, reason="Omfördelning", expected_version=0
    )
    run_ = imports.run_apply_now(run=run_, by=w.alice)
    assert run_.status == ImportRun.Status.APPLIED, run_.error
    assert c.assignments.get(role="main", end__isnull=True).staff == w.nina  # the manager's choice holds
    assert Case.objects.filter(organisation=w.org, number="BoU-2026-5").exists()  # the other row is written
    if reuse and run_.plan_digest:  # the preview's plans, checked under the locks: skipped, and the run says so
        assert (run_.counts["skipped"], run_.counts["update"], run_.counts["create"]) == (1, 0, 1)
        [changed] = [p for p in run_.plans if p["key"] == "BoU-2026-1"]
        assert changed["action"] == "error" and "since the preview" in changed["errors"][0]
    else:  # planned again: the row is now a conflict
        assert (run_.counts["skipped"], run_.counts["conflict"], run_.counts["create"]) == (0, 1, 1)


# -- errors ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"main": "9999"}, "no one in the organisation has the employee number 9999"),
        ({"main": "1000"}, "is not a social worker in the case's unit"),  # alice, the manager
        ({"co": "2001"}, "is not a social worker in the case's unit"),
        ({"main": "1001"}, "A level-1 worker always has a co-handler"),
        ({"main": "1004", "co": "1002"}, "A specialist holds no own cases"),
        ({"co": "1002"}, "must be different people"),
        ({"opened": "2026-01-04"}, "cannot start before the case was opened"),
        ({"closed": "2026-01-11", "outcome": "annat"}, "cannot close before it started"),
        ({"received": "2026-03-03"}, "received date lies in the future"),
        ({"closed": "2026-03-03", "outcome": "annat"}, "closing date cannot be in the future"),
        ({"closed": "2026-02-01"}, "Give the outcome"),
        ({"number": "BOU-2026-1A"}, "not a case number of the shape"),
        ({"number": ""}, "The case number is missing"),
        ({"kind": "Ansökan"}, "The kind is not one Stabil knows"),
        ({"closed": "2026-02-01", "outcome": "Delvis"}, "The outcome is not one Stabil knows"),
        ({"received": "5/1 2026"}, "is not a date"),
        ({"received": None}, "A new case needs its received date"),
        ({"main": None}, "A new case needs its main handler"),
    ],
)
def test_each_error_is_a_row_error_with_its_reason(w, cells, message):
    p = one(w, **cells)
    assert p.action == Action.ERROR
    assert any(message in e for e in p.errors), p.errors


def test_a_received_date_of_today_is_accepted_and_tomorrow_is_not(w):
    assert one(w, received="2026-03-02", opened=None).action == Action.CREATE
    assert one(w, received="2026-03-03", opened=None).action == Action.ERROR


def test_a_level_1_main_handler_with_a_co_handler_is_accepted(w):
    assert one(w, main="1001", co="1002").action == Action.CREATE


def test_a_number_twice_in_the_file_is_an_error_on_the_second_row(w):
    plans = plan(w, row(number="BoU-2026-1"), row(number="bou-2026-1"))
    assert [p.action for p in plans] == [Action.CREATE, Action.ERROR]
    assert "row 2" in plans[1].errors[0]


def test_a_manager_imports_only_cases_of_the_units_they_manage(w):
    heidis = row(number="MOT-2026-1", main="2001")
    [p] = plan(w, heidis, by=w.alice)
    assert p.action == Action.ERROR and "a unit you do not manage" in p.errors[0]
    assert plan(w, heidis, by=w.frank)[0].action == Action.CREATE
    _plans, counts = run(w, heidis, by=w.alice)  # the preview without `by` said create: apply holds to the units
    assert counts["skipped"] == 1 and not Case.objects.filter(number="MOT-2026-1").exists()


def test_errors_and_conflicts_write_nothing(w):
    case(w.unit, "BoU-2025-5", main=w.bob, co=w.carol, start=datetime.date(2026, 1, 10))
    before = (history_count(), CaseEvent.objects.count(), Case.objects.count())
    _plans, counts = run(
        w, row(number="BoU-2025-5", received="2026-01-03", opened="2026-01-10", main="1003"), row(main="9999")
    )
    assert counts["conflict"] == 1 and counts["error"] == 1
    assert (history_count(), CaseEvent.objects.count(), Case.objects.count()) == before


# -- efficiency -----------------------------------------------------------------------------------------------------


def _file(n: int) -> list[tuple[int, dict]]:
    rows = []
    for i in range(n):
        r = row(number=f"BoU-2026-{i}", co="1004" if i % 3 else "")
        if i % 10 == 0:
            r = row(number=f"BoU-2026-{i}", main="9999")
        rows.append(r)
    return numbered(*rows)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="elsewhere simple-history's functions batch by the database's parameter limit",
)
def test_plan_and_apply_use_as_many_queries_for_500_rows_as_for_50(w, django_assert_num_queries):
    for i in range(0, 600, 25):  # existing cases among the file's numbers
        case(w.unit, f"BoU-2026-{i}", main=w.bob, co=w.carol, start=datetime.date(2026, 1, 12))
    small, big = _file(50), _file(500)
    CaseloadSettings.for_org(w.org)
    with CaptureQueriesContext(connection) as planned:
        small_plans = CASE_IMPORT.plan(organisation=w.org, rows=small, progress=lambda done: None)
    with django_assert_num_queries(len(planned.captured_queries)):
        big_plans = CASE_IMPORT.plan(organisation=w.org, rows=big, progress=lambda done: None)
    assert {p.action for p in big_plans} >= {"create", "error", "conflict"}
    with CaptureQueriesContext(connection) as applied, transaction.atomic():
        CASE_IMPORT.apply(organisation=w.org, rows=small, plans=small_plans, by=w.alice)
    big = [(n, {**r, "number": r["number"].replace("2026", "2027")}) for n, r in big]
    big_plans = CASE_IMPORT.plan(organisation=w.org, rows=big, progress=lambda done: None)
    with django_assert_num_queries(len(applied.captured_queries)), transaction.atomic():
        counts = CASE_IMPORT.apply(organisation=w.org, rows=big, plans=big_plans, by=w.alice)
    assert counts["create"] == 450


# -- the sample file of docs/integrations.md ----------------------------------------------------------------------


def test_the_documented_sample_plans_as_the_documentation_says(w):
    case(w.unit, "BoU-2025-0417", main=w.bob, co=w.carol, start=datetime.date(2025, 11, 3))
    table = read_table(SAMPLE.read_bytes(), SAMPLE.name)
    mapping = proposed_mapping(table.headers, CASE_IMPORT.fields)
    assert set(mapping) == {f.key for f in CASE_IMPORT.fields}
    plans = framework_plan(w.org, list(mapped_rows(table, mapping)))
    assert [(p.row, p.action) for p in plans] == [
        (2, "create"),
        (3, "create"),
        (4, "end"),
        (5, "error"),
        (6, "error"),
    ]
    assert "Anna" not in repr(plans)


# -- more edges -----------------------------------------------------------------------------------------------------


def test_a_case_awaiting_allocation_gets_its_handlers_from_the_file_and_opens(w):
    c = case(w.unit, "BoU-2025-3", start=datetime.date(2026, 1, 10))
    assert c.status == Case.Status.AWAITING_ALLOCATION
    plans, counts = run(w, row(number="BoU-2025-3", received="2026-01-03", opened="2026-01-10", co="1004"))
    assert plans[0].action == Action.UPDATE and plans[0].changes == {"main": ("", "1002"), "co": ("", "1004")}
    c.refresh_from_db()
    assert c.status == Case.Status.OPEN and c.version == 1
    assert c.events.get(kind="assigned").actor == w.alice


def test_an_investigation_start_for_an_open_case_without_one_opens_it_with_its_clocks(w):
    run(w, row(kind="uppföljning", opened=None, main="1003"))
    plans, counts = run(w, row(kind="uppföljning", opened="2026-02-02", main="1003"))
    assert plans[0].action == Action.UPDATE and plans[0].changes == {"opened": ("", "2026-02-02")}
    inv = Investigation.objects.get(case__number="BoU-2026-1")
    assert (inv.start_date, inv.legal_deadline) == (datetime.date(2026, 2, 2), datetime.date(2026, 6, 2))
    assert inv.case.events.filter(kind="opened").count() == 1


@pytest.mark.parametrize(("end", "action"), [(TODAY - datetime.timedelta(days=1), "error"), (TODAY, "create")])
def test_a_handler_who_left_yesterday_is_refused_and_one_whose_last_day_is_today_is_not(w, end, action):
    w.bob.employment_end = end
    w.bob.save(update_fields=["employment_end"])
    p = one(w, co="1004")
    assert p.action == action
    if action == "error":
        assert "has left the organisation" in p.errors[0]


def test_an_employee_number_two_people_have_is_an_error(w):
    w.dora.employee_number = "1002"
    w.dora.save(update_fields=["employee_number"])
    p = one(w, co="1004")
    assert p.action == Action.ERROR and "more than one person" in p.errors[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own pattern syntax")
def test_a_pattern_in_postgresql_only_syntax_is_matched_by_postgresql_in_one_statement(w):
    settings = CaseloadSettings.for_org(w.org)
    settings.case_number_pattern = r"BoU-[0-9]+\y"  # \y: PostgreSQL's word boundary, unknown to Python's regex
    settings.save(update_fields=["case_number_pattern"])
    plans = plan(w, row(number="BoU-12", co="1004"), row(number="BoU-12x", co="1004"))
    assert [p.action for p in plans] == [Action.CREATE, Action.ERROR]


@pytest.mark.parametrize(("length", "ok"), [(39, True), (40, True), (41, False)])
def test_a_case_number_longer_than_the_column_is_a_row_error_even_if_the_pattern_allows_it(w, length, ok):
    """The pattern may allow 45 characters; the column holds 40: the row is refused by name, never cut."""
    settings = CaseloadSettings.for_org(w.org)
    settings.case_number_pattern = r"BoU-[0-9]+"
    settings.save(update_fields=["case_number_pattern"])
    number = "BoU-" + "1" * (length - 4)
    [p] = plan(w, row(number=number, co="1004"))
    assert (p.action == Action.CREATE) is ok
    if not ok:
        assert p.errors == ["The case number is longer than 40 characters."]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's casts")
def test_the_fast_path_refuses_a_value_too_long_instead_of_cutting_it(w):
    """An explicit cast to varchar(n) cuts a longer value; the fast path casts without the length, so the column
    itself refuses it."""
    from django.db import DataError

    from staff.platform import bulk

    case_row = Case(organisation=w.org, unit=w.unit, number="X" * 41, kind="investigation", opened_on=TODAY)
    with pytest.raises(DataError), transaction.atomic():
        bulk.create_with_history(Case, [case_row], user=None, reason="test", batch_size=100)
    assert not Case.objects.filter(number__startswith="XXXX").exists()


def test_progress_is_told_the_rows_done(w):
    seen = []
    CASE_IMPORT.plan(organisation=w.org, rows=_file(1200), progress=seen.append)
    assert seen == [500, 1000, 1200]


# -- through the framework (staff.imports.services): the sample file, with its bad rows, as a manager ----------


def test_the_sample_goes_through_the_framework_and_its_good_rows_are_applied(w):
    from staff.imports import services as imports
    from staff.imports.models import ImportRun

    case(w.unit, "BoU-2025-0417", main=w.bob, co=w.carol, start=datetime.date(2025, 11, 3))
    run = imports.run_create(
        organisation=w.org, kind_key="cases", by=w.alice, filename=SAMPLE.name, data=SAMPLE.read_bytes()
    )
    run = imports.run_preview_now(run=run)
    assert run.status == ImportRun.Status.PREVIEWED, run.error
    assert run.counts == {"create": 2, "end": 1, "error": 2}
    assert "Anna" not in repr(run.plans)  # the row with a name is named by its number only
    run = imports.run_apply_now(run=run, by=w.alice)
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert set(Case.objects.filter(organisation=w.org).values_list("number", flat=True)) >= {
        "BoU-2026-0101",
        "BoU-2026-0102",
    }
    assert not Case.objects.filter(number__in=["BoU-2026-0103", "Anna Svensson"]).exists()
    assert Case.objects.get(number="BoU-2025-0417").status == Case.Status.CLOSED
    again = imports.run_preview_now(
        run=imports.run_create(
            organisation=w.org, kind_key="cases", by=w.alice, filename=SAMPLE.name, data=SAMPLE.read_bytes()
        )
    )
    assert again.counts == {"unchanged": 3, "error": 2}


def test_a_managers_preview_marks_the_rows_of_another_unit_as_errors(w):
    """The framework passes who imports to the case kind's plan: the preview shows what the apply will do."""
    from staff.imports import services as imports

    data = (
        "Ärendenummer;Ärendetyp;Inkommet;Utredning inledd;Handläggare\n"
        "BoU-2026-0201;Utredning;2026-01-05;2026-01-12;2001\n"
    ).encode()
    run = imports.run_create(organisation=w.org, kind_key="cases", by=w.alice, filename="x.csv", data=data)
    run = imports.run_preview_now(run=run)
    assert run.counts == {"error": 1}, run.plans


# -- the fast path writes what simple-history writes --------------------------------------------------------------


def _written(w) -> dict[str, list]:
    """Every row the imports wrote for the organisation, with ids and times left out and cases named by number."""
    named = {"case_id": dict(Case.objects.filter(organisation=w.org).values_list("pk", "number"))}
    written = {}
    for model in (Case, Investigation, Assignment):
        drop = ("id", "created_at") if model is Assignment else ("id",)
        written[model.__name__] = rows(model.objects.filter(organisation=w.org), drop=drop, named=named)
        written[f"history of {model.__name__}"] = rows(
            model.history.filter(organisation_id=w.org.pk), drop=("history_id", "history_date", "id"), named=named
        )
    written["CaseEvent"] = rows(CaseEvent.objects.filter(organisation=w.org), drop=("id", "at"), named=named)
    return written


def _two_imports(w) -> dict[str, list]:
    run(w, row("BoU-2026-1", co="1003"), row("BoU-2026-2", closed="2026-02-20", outcome="Ingen insats"))
    run(
        w,
        row("BoU-2026-1", opened="2026-01-14", main="1003", co="1002"),  # a new start, the handlers the file's
        row("BoU-2026-3", kind="Uppföljning", opened=None),
    )
    run(w, row("BoU-2026-3", kind="Uppföljning", opened=None, closed="2026-03-01"))  # ends a case
    return _written(w)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast path is PostgreSQL's")
def test_the_fast_path_writes_the_rows_and_history_rows_simple_historys_functions_write(w, monkeypatch):
    from caseload import imports
    from staff.platform import bulk

    assert bulk.fast_path(Case)
    # imports calls fast_path too: its events go in with bulk_create when it is off, as on SQLite
    by_simple_history, fast = by_simple_history_then_fast_path(monkeypatch, lambda: _two_imports(w), [imports])
    assert by_simple_history["Case"] and Case.objects.filter(organisation=w.org).count() == 3
    assert fast == by_simple_history
    types = {
        h.history_type for m in (Case, Investigation, Assignment) for h in m.history.filter(organisation_id=w.org.pk)
    }
    assert types == {"+", "~"}
    assert len(fast["history of Case"]) == 3 + 2  # three created, one updated (new handlers), one ended
    for model in (Case, Investigation, Assignment):
        rows = list(model.history.filter(organisation_id=w.org.pk))
        assert all((h.history_user_id, h.history_change_reason) == (w.alice.user_id, "import") for h in rows)
        assert set(model.history.filter(organisation_id=w.org.pk).values_list("id", flat=True)) == set(
            model.objects.filter(organisation=w.org).values_list("id", flat=True)
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's regular expressions")
def test_a_pattern_only_postgresql_reads_leaves_the_transactions_statement_timeout_as_it_was(db):
    """`\\y` (a word boundary) is PostgreSQL's, not Python's: the numbers are matched by PostgreSQL under a
    short limit for that statement, and the import's writes after it run under the limit they had."""
    from caseload.imports import _number_matcher

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
        ok = _number_matcher(r"A-[0-9]{1,3}\y", ["A-12", "A-1234", "B-1"])
        assert (ok("A-12"), ok("A-1234"), ok("B-1")) == (True, False, False)
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before
