"""The staff import (staff/imports/staff_kind.py) through the framework's preview and apply."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone, translation

from staff.imports import kinds, services
from staff.imports.kinds import Action
from staff.imports.models import ImportMapping, ImportRun
from staff.imports.staff_kind import STAFF
from staff.models import EmploymentExtent, StaffMember
from tests.factories import StaffMemberFactory
from tests.staff.imports_support import STAFF_HEADER, applied, csv, plans_by_row, previewed, staff_line
from tests.written import by_simple_history_then_fast_path, rows

TODAY = dt.date(2026, 12, 4)


@pytest.fixture(autouse=True)
def _today_in_english():
    """Messages are compared in English here (the Swedish is the catalogue's, checked by the page tests)."""
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False), translation.override("en"):
        yield


@pytest.fixture
def held(world):
    """A person Stabil holds already: employee number 2001 in Utredning, 0.75 FTE from 2020."""
    return StaffMemberFactory(
        organisation=world.org,
        unit=world.unit,
        employee_number="2001",
        first_name="Per",
        last_name="Lund",
        email="per@alfa.se",
        title="Socialsekreterare",
        fte=Decimal("0.75"),
        employment_start=dt.date(2020, 1, 1),
    )


def _per(**changes) -> str:
    values = dict(number="2001", first="Per", last="Lund", email="per@alfa.se", unit="Utredning",
                  title="Socialsekreterare", fte="0,75", start="2020-01-01", end="")  # fmt: skip
    values.update(changes)
    return staff_line(**values)


def test_the_headers_of_an_hr_export_are_mapped_at_once(world):
    run = services.run_create(
        organisation=world.org, kind_key="staff", by=world.frank, filename="heroma.csv", data=csv(STAFF_HEADER)
    )
    assert run.mapping["employee_number"] == "Anst.nr"
    assert run.mapping["first_name"] == "Förnamn"
    assert run.mapping["unit"] == "Enhet"
    assert run.mapping["employment_start"] == "Anställningsdatum"


def test_a_new_employee_number_creates_the_person_with_an_fte_period_and_history(world):
    run = applied(world.org, world.frank, csv(STAFF_HEADER, staff_line(fte="75 %")))
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert run.counts == {"create": 1}
    member = StaffMember.objects.get(organisation=world.org, employee_number="1001")
    assert (member.first_name, member.last_name, member.unit, member.fte) == (
        "Åsa",
        "Berg",
        world.unit,
        Decimal("0.75"),
    )
    assert member.employment_start == dt.date(2024, 1, 1)
    assert list(EmploymentExtent.objects.filter(staff=member).values_list("fte", "valid_from")) == [
        (Decimal("0.75"), dt.date(2024, 1, 1))
    ]
    [history] = StaffMember.history.filter(id=member.pk)
    assert history.history_change_reason == "import"
    assert history.history_user == world.frank.user
    assert run.file_encrypted == ""


def test_applying_the_same_file_again_is_all_unchanged_and_writes_nothing(world, held):
    data = csv(STAFF_HEADER, staff_line(), _per(last="Lundberg"))
    first = applied(world.org, world.frank, data)
    assert first.counts == {"create": 1, "update": 1}
    history_rows = StaffMember.history.count(), EmploymentExtent.history.count()
    second = applied(world.org, world.frank, data)
    assert second.status == ImportRun.Status.APPLIED
    assert second.counts == {"unchanged": 2}
    assert {p["action"] for p in second.plans} == {"unchanged"}
    assert (StaffMember.history.count(), EmploymentExtent.history.count()) == history_rows


def test_an_update_shows_what_changes_and_writes_it(world, held):
    run = previewed(world.org, world.frank, csv(STAFF_HEADER, _per(last="Lundberg", unit="mottagning")))
    [plan] = run.plans
    assert plan["action"] == Action.UPDATE
    assert plan["key"] == "2001"
    assert plan["changes"] == {"last_name": ["Lund", "Lundberg"], "unit": ["Utredning", "Mottagning"]}
    services.run_apply_now(run=run, by=world.frank)
    held.refresh_from_db()
    assert (held.last_name, held.unit) == ("Lundberg", world.intake_unit)


def test_an_empty_cell_changes_nothing(world, held):
    run = previewed(world.org, world.frank, csv(STAFF_HEADER, _per(email="", title="", fte="")))
    assert run.plans[0]["action"] == Action.UNCHANGED


def test_a_new_fte_holds_from_today_and_the_past_keeps_its_fte(world, held):
    EmploymentExtent.objects.create(
        organisation=world.org, staff=held, fte=Decimal("0.75"), valid_from=held.employment_start
    )
    run = applied(world.org, world.frank, csv(STAFF_HEADER, _per(fte="0.5")))
    assert run.counts == {"update": 1}
    held.refresh_from_db()
    assert held.fte == Decimal("0.50")
    assert list(EmploymentExtent.objects.filter(staff=held).values_list("fte", "valid_from")) == [
        (Decimal("0.75"), dt.date(2020, 1, 1)),
        (Decimal("0.50"), TODAY),
    ]


def test_an_end_date_for_someone_active_is_an_end(world, held):
    run = applied(world.org, world.frank, csv(STAFF_HEADER, _per(end="2026-12-31")))
    assert run.plans[0]["action"] == Action.END
    assert run.plans[0]["changes"] == {"employment_end": ["", "2026-12-31"]}
    held.refresh_from_db()
    assert held.employment_end == dt.date(2026, 12, 31)
    # the same end date again: unchanged; another one: an update of the end, not a second end
    assert (
        previewed(world.org, world.frank, csv(STAFF_HEADER, _per(end="2026-12-31"))).plans[0]["action"] == "unchanged"
    )
    assert previewed(world.org, world.frank, csv(STAFF_HEADER, _per(end="2027-01-31"))).plans[0]["action"] == "update"


@pytest.mark.parametrize(
    ("end", "ok"),
    [("2019-12-31", False), ("2020-01-01", True), ("2020-01-02", True)],
    ids=["day-before-start", "on-start", "day-after-start"],
)
def test_the_end_date_may_be_the_start_but_not_before_it(world, held, end, ok):
    [plan] = previewed(world.org, world.frank, csv(STAFF_HEADER, _per(end=end))).plans
    assert (plan["action"] == Action.END) is ok
    assert (plan["errors"] == ["The end date is before the employment start."]) is not ok


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"unit": "Okänd enhet"}, "Unit: there is no unit “Okänd enhet” in Stabil."),
        ({"start": "2024-02-30"}, "employment start: “2024-02-30” is not a date (write it as YYYY-MM-DD)."),
        ({"start": "31/12/2024"}, "employment start: “31/12/2024” is not a date (write it as YYYY-MM-DD)."),
        ({"start": "1899-12-31"}, "employment start: “1899-12-31” is not a date between 1900 and 2100."),
        ({"fte": "0"}, "FTE: “0” is outside 1–100 % (0,01–1,00)."),
        ({"fte": "101 %"}, "FTE: “101 %” is outside 1–100 % (0,01–1,00)."),
        ({"fte": "heltid"}, "FTE: “heltid” is not a number."),
        ({"email": "asa(at)alfa.se"}, "E-mail: “asa(at)alfa.se” is not an e-mail address."),
        ({"first": ""}, "A new person needs a first name."),
        ({"start": ""}, "A new person needs an employment start."),
        ({"number": ""}, "The employee number is missing."),
    ],
)
def test_each_bad_cell_is_a_row_error_and_the_run_cannot_be_applied(world, changes, error):
    run = previewed(world.org, world.frank, csv(STAFF_HEADER, staff_line(number="1000"), staff_line(**changes)))
    plans = plans_by_row(run)
    assert plans[2]["action"] == Action.CREATE
    assert plans[3]["action"] == Action.ERROR
    assert plans[3]["errors"] == [error]
    assert run.counts == {"create": 1, "error": 1}
    with pytest.raises(services.ValidationError):
        services.apply_start(run=run, by=world.frank)
    assert not StaffMember.objects.filter(organisation=world.org, employee_number="1000").exists()


@pytest.mark.parametrize(("fte", "expected"), [("0,01", "0.01"), ("1", "1.00"), ("100 %", "1.00"), ("0.755", "0.76")])
def test_fte_at_the_edges_of_its_range(world, fte, expected):
    run = applied(world.org, world.frank, csv(STAFF_HEADER, staff_line(fte=fte)))
    assert run.status == "applied"
    assert StaffMember.objects.get(organisation=world.org, employee_number="1001").fte == Decimal(expected)


def test_an_employee_number_twice_in_the_file_refuses_the_second_row(world):
    run = previewed(world.org, world.frank, csv(STAFF_HEADER, staff_line(), staff_line(first="Åke")))
    plans = plans_by_row(run)
    assert plans[3]["errors"] == ["The employee number 1001 is in the file more than once (first on row 2)."]
    assert plans[2]["action"] == Action.ERROR  # which of the two is right cannot be known: both are refused


def test_the_other_organisations_people_and_units_are_not_seen(world):
    StaffMemberFactory(organisation=world.other_org, unit=world.other_unit, employee_number="1001")
    run = previewed(
        world.org, world.frank, csv(STAFF_HEADER, staff_line(), staff_line(number="1002", unit="Barn och familj"))
    )
    plans = plans_by_row(run)
    assert plans[2]["action"] == Action.CREATE
    assert plans[3]["errors"] == ["Unit: there is no unit “Barn och familj” in Stabil."]


def test_the_applied_plans_are_written_only_when_they_differ_from_the_previews(world, held):
    """Apply keeps the plans of what it applied; when they are the preview's (most runs) the run's megabytes of
    plans are not written again, and when the data changed in between (here Lund became Lundberg) they are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def apply_and_updates(run):
        with CaptureQueriesContext(connection) as ctx:
            run = services.run_apply_now(run=run, by=world.frank)
        updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "staff_importrun"')]
        return run, updates

    data = csv(STAFF_HEADER, _per(last="Lundberg"), staff_line())
    run, updates = apply_and_updates(previewed(world.org, world.frank, data))
    assert run.status == ImportRun.Status.APPLIED and len(updates) == 2  # claimed, then applied
    assert '"plans"' not in updates[-1]
    assert [p["action"] for p in run.plans] == ["update", "create"]
    assert run.plans == ImportRun.objects.get(pk=run.pk).plans

    stale = previewed(world.org, world.frank, csv(STAFF_HEADER, _per(last="Lundberg", unit="mottagning")))
    assert [p["changes"] for p in stale.plans] == [{"unit": ["Utredning", "Mottagning"]}]
    StaffMember.objects.filter(pk=held.pk).update(unit=world.intake_unit)  # someone moved her meanwhile
    run, updates = apply_and_updates(stale)
    assert '"plans"' in updates[-1]
    assert [p["action"] for p in run.plans] == ["unchanged"]
    assert run.plans == ImportRun.objects.get(pk=run.pk).plans


def test_the_mapping_cannot_change_once_the_apply_has_started_even_from_a_stale_page(world, held):
    """Another tab still shows the previewed run: its new mapping is refused, not applied unpreviewed."""
    from django.core.exceptions import ValidationError

    run = previewed(world.org, world.frank, csv(STAFF_HEADER, staff_line()))
    seen = ImportRun.objects.get(pk=run.pk)  # the other tab's copy: previewed
    services.apply_start(run=run, by=world.frank)
    with pytest.raises(ValidationError, match="no longer be changed"):
        services.run_set_mapping(run=seen, mapping=dict(run.mapping), by=world.frank)
    assert ImportRun.objects.get(pk=run.pk).plan_digest == run.plan_digest  # the preview's, kept


def test_a_stale_preview_writes_nothing(world, held):
    """The preview said update; by the apply the unit is gone: the apply re-plans, refuses, writes nothing."""
    from staff.models import Unit

    extra = Unit.objects.create(organisation=world.org, department=world.unit.department, name="Placering")
    run = previewed(world.org, world.frank, csv(STAFF_HEADER, _per(unit="Placering"), staff_line()))
    assert run.counts == {"update": 1, "create": 1}
    extra.delete()
    run = services.run_apply_now(run=run, by=world.frank)
    assert run.status == ImportRun.Status.FAILED
    assert "1 rows now have errors" in run.error
    assert not StaffMember.objects.filter(employee_number="1001").exists()
    held.refresh_from_db()
    assert held.unit == world.unit


def test_a_dry_run_is_previewed_but_never_applied(world):
    run = previewed(world.org, world.frank, csv(STAFF_HEADER, staff_line()), dry_run=True)
    assert run.counts == {"create": 1}
    assert run.file_encrypted == ""
    with pytest.raises(services.ValidationError):
        services.apply_start(run=run, by=world.frank)
    assert not StaffMember.objects.filter(employee_number="1001").exists()


def test_the_mapping_is_saved_per_organisation_and_kind_and_offered_next_time(world):
    header = "Nummer;Namn1;Namn2;Start"
    run = services.run_create(
        organisation=world.org, kind_key="staff", by=world.frank, filename="x.csv", data=csv(header)
    )
    mapping = {"employee_number": "Nummer", "first_name": "Namn1", "last_name": "Namn2", "employment_start": "Start"}
    services.run_set_mapping(run=run, mapping=mapping, by=world.frank)
    saved = ImportMapping.objects.get(organisation=world.org, kind="staff")
    assert saved.mapping == mapping and saved.updated_by == world.frank
    again = services.run_create(
        organisation=world.org, kind_key="staff", by=world.frank, filename="y.csv", data=csv(header)
    )
    assert again.mapping == mapping
    other = services.run_create(
        organisation=world.other_org,
        kind_key="staff",
        by=None,
        filename="y.csv",
        data=csv(header),
    )
    assert other.mapping == {}


def test_a_mapping_without_the_employee_number_or_with_a_column_twice_is_refused(world):
    run = services.run_create(
        organisation=world.org, kind_key="staff", by=world.frank, filename="x.csv", data=csv("A;B")
    )
    with pytest.raises(services.ValidationError) as exc:
        services.run_set_mapping(run=run, mapping={"first_name": "A", "last_name": "A"}, by=world.frank)
    assert exc.value.message_dict == {
        "last_name": ["The column “A” is already chosen."],
        "employee_number": ["Choose the column of this field."],
    }


def test_planning_a_thousand_rows_costs_the_same_few_queries_as_ten(world, django_assert_max_num_queries):
    from staff.imports.files import mapped_rows, read_table

    for n in range(50):
        StaffMemberFactory(organisation=world.org, unit=world.unit, employee_number=f"9{n:03}")
    for count in (10, 1000):
        lines = [staff_line(number=f"{n:05}", fte="0,5") for n in range(count)]
        table = read_table(csv(STAFF_HEADER, *lines), "x.csv")
        from tests.staff.imports_support import STAFF_MAPPING

        rows = list(mapped_rows(table, STAFF_MAPPING))
        with django_assert_max_num_queries(2):
            plans = STAFF.plan(organisation=world.org, rows=rows, progress=lambda n: None)
        assert len(plans) == count and {p.action for p in plans} == {"create"}


class _Exploding:
    """A kind whose apply writes real rows (the staff kind's) and then fails: by raising, or by a database
    constraint hit after the first writes."""

    key = "exploding"
    label = "Exploding"
    fields = STAFF.fields

    def __init__(self, how: str):
        self.how = how

    def may_import(self, staff):
        return True

    def screen(self, row):
        return None

    def plan(self, **kwargs):
        return STAFF.plan(**kwargs)

    def apply(self, *, organisation, rows, plans, by):
        STAFF.apply(organisation=organisation, rows=rows, plans=plans, by=by)
        assert StaffMember.objects.filter(organisation=organisation, employee_number="1001").exists()
        if self.how == "raise":
            raise RuntimeError("midway")
        from staff.models import Absence

        member = StaffMember.objects.get(organisation=organisation, employee_number="1001")
        Absence.objects.bulk_create(  # end before start: the database's check constraint refuses it
            [Absence(organisation=organisation, staff=member, kind="sick", start=TODAY, end=TODAY - dt.timedelta(1))]
        )
        return {}


@pytest.mark.parametrize("how", ["raise", "constraint"])
def test_a_failed_apply_leaves_nothing_behind(world, held, how):
    kind = kinds.register(_Exploding(how))
    try:
        data = csv(STAFF_HEADER, staff_line(), staff_line(number="1002"), _per(last="Lundberg", fte="0,5"))
        run = previewed(world.org, world.frank, data, kind="exploding")
        assert run.counts == {"create": 2, "update": 1}
        before = (
            StaffMember.objects.count(),
            EmploymentExtent.objects.count(),
            StaffMember.history.count(),
            EmploymentExtent.history.count(),
        )
        run = services.run_apply_now(run=run, by=world.frank)
    finally:
        kinds._KINDS.pop(kind.key)
    assert run.status == ImportRun.Status.FAILED
    assert run.error == "The import failed and nothing was changed. Try again, or ask the system administrator."
    assert run.file_encrypted == ""
    assert (
        StaffMember.objects.count(),
        EmploymentExtent.objects.count(),
        StaffMember.history.count(),
        EmploymentExtent.history.count(),
    ) == before
    held.refresh_from_db()
    assert (held.last_name, held.fte) == ("Lund", Decimal("0.75"))


def test_a_file_not_applied_within_a_day_is_wiped_and_the_plans_stay(world):
    run = previewed(world.org, world.frank, csv(STAFF_HEADER, staff_line()))
    assert run.file_encrypted
    now = timezone.now()
    assert services.run_files_expire(organisation=world.org, now=now + dt.timedelta(hours=23, minutes=59)) == 0
    assert services.run_files_expire(organisation=world.org, now=now + dt.timedelta(hours=24, minutes=1)) == 1
    run.refresh_from_db()
    assert run.file_encrypted == "" and run.plans


def test_a_run_whose_file_was_wiped_cannot_be_applied(world):
    run = previewed(world.org, world.frank, csv(STAFF_HEADER, staff_line()))
    services.run_files_expire(organisation=world.org, now=timezone.now() + dt.timedelta(days=2))
    run.refresh_from_db()
    with pytest.raises(services.ValidationError) as exc:
        services.apply_start(run=run, by=world.frank)
    assert exc.value.messages == ["The uploaded file can no longer be read: upload it again."]


class _Partial:
    """A kind that says its apply writes the rows without errors and leaves the others (as a case export with a
    few bad rows may): the staff kind's plan and apply, with `applies_with_errors`."""

    key = "partial"
    label = "Partial"
    fields = STAFF.fields
    applies_with_errors = True

    def may_import(self, staff):
        return True

    def screen(self, row):
        return "refused outright" if row.get("first_name") == "Refuse" else None

    def plan(self, **kwargs):
        return STAFF.plan(**kwargs)

    def apply(self, **kwargs):
        return STAFF.apply(**kwargs)


def test_a_kind_that_applies_with_errors_writes_the_good_rows_only(world):
    kind = kinds.register(_Partial())
    try:
        data = csv(
            STAFF_HEADER,
            staff_line(),
            staff_line(number="1002", unit="Okänd"),
            staff_line(number="1003", first="Refuse"),
        )
        run = previewed(world.org, world.frank, data, kind="partial")
        assert run.counts == {"create": 1, "error": 2}
        assert plans_by_row(run)[4] == {
            "row": 4,
            "action": "error",
            "key": "",
            "changes": {},
            "errors": ["refused outright"],
        }
        services.apply_start(run=run, by=world.frank)  # not refused for its errors; the task would now run:
        run = services.apply(run=ImportRun.objects.get(pk=run.pk))
    finally:
        kinds._KINDS.pop(kind.key)
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert set(
        StaffMember.objects.filter(employee_number__in=["1001", "1002", "1003"]).values_list(
            "employee_number", flat=True
        )
    ) == {"1001"}


def test_retention_removes_old_runs_and_anonymising_a_person_clears_their_rows_in_past_plans(world, held):
    from staff import trust

    run = applied(world.org, world.frank, csv(STAFF_HEADER, _per(last="Lundberg"), staff_line()))
    assert {p["key"]: bool(p["changes"]) for p in run.plans} == {"2001": True, "1001": True}
    trust.import_plans(held)
    run.refresh_from_db()
    assert {p["key"]: bool(p["changes"]) for p in run.plans} == {"2001": False, "1001": True}
    assert run.counts == {"update": 1, "create": 1}
    trust.import_runs(organisation=world.org, cutoff=TODAY)
    assert ImportRun.objects.filter(pk=run.pk).exists()  # made today: not before the cutoff
    trust.import_runs(organisation=world.org, cutoff=TODAY + dt.timedelta(days=1))
    assert not ImportRun.objects.filter(pk=run.pk).exists()


def test_a_run_is_claimed_for_its_apply_once(world, django_capture_on_commit_callbacks):
    run = previewed(world.org, world.frank, csv(STAFF_HEADER, staff_line()))
    twice = ImportRun.objects.get(pk=run.pk)  # a second request holding the same previewed run
    with django_capture_on_commit_callbacks() as callbacks:
        services.apply_start(run=run, by=world.frank)
        with pytest.raises(services.ValidationError):
            services.apply_start(run=twice, by=world.erin)
    assert len(callbacks) == 1
    assert ImportRun.objects.get(pk=run.pk).applied_by == world.frank


def test_progress_is_written_every_n_rows_and_at_the_last(world, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    run = services.run_create(
        organisation=world.org,
        kind_key="staff",
        by=world.frank,
        filename="x.csv",
        data=csv(STAFF_HEADER, *[staff_line(number=str(n)) for n in range(5)]),
    )
    progress = services._progress_writer(run, in_database=True)
    seen = []
    for done in range(1, 6):
        progress(done)
        seen.append((ImportRun.objects.get(pk=run.pk).done, services.progress_of(ImportRun.objects.get(pk=run.pk))))
    assert seen == [(0, 0), (2, 2), (2, 2), (4, 4), (5, 5)]


def _written(org) -> dict[str, list]:
    """Every person, FTE period and their history rows in the organisation, ids and times left out, the people
    named by employee number."""
    named = {"staff_id": dict(StaffMember.objects.filter(organisation=org).values_list("pk", "employee_number"))}
    history_drop = ("history_id", "history_date", "id")
    return {
        "StaffMember": rows(StaffMember.objects.filter(organisation=org), drop=("id",)),
        "history of StaffMember": rows(StaffMember.history.filter(organisation_id=org.pk), drop=history_drop),
        "EmploymentExtent": rows(
            EmploymentExtent.objects.filter(organisation=org), drop=("id", "created_at"), named=named
        ),
        "history of EmploymentExtent": rows(
            EmploymentExtent.history.filter(organisation_id=org.pk), drop=history_drop, named=named
        ),
    }


def _three_imports(world) -> dict[str, list]:
    new = staff_line(number="1002", first="Bo", email="", unit="", title="", fte="0,5")
    # two people created; Per's name and FTE changed (a new period from today); Eva's FTE changed, who has no
    # period yet (one with the FTE held so far, from her start, and one from today)
    first = applied(world.org, world.frank, csv(STAFF_HEADER, staff_line(), new, _per(last="Lundberg", fte="0,5"),
                                                _eva(fte="0,6")))  # fmt: skip
    # a new person's e-mail and unit changed; Per's FTE changed again today (his period from today is updated)
    second = applied(world.org, world.frank, csv(STAFF_HEADER, staff_line(email="asa.berg@alfa.se"),
                                                 _per(last="Lundberg", fte="0,8", unit="Mottagning")))  # fmt: skip
    third = applied(world.org, world.frank, csv(STAFF_HEADER, _per(last="Lundberg", fte="0,8", end="2026-12-31")))
    assert [r.counts for r in (first, second, third)] == [
        {"create": 2, "update": 2},
        {"update": 2},
        {"end": 1},
    ], [r.error for r in (first, second, third)]
    return _written(world.org)


def _eva(**changes) -> str:
    values = dict(number="2002", first="Eva", last="Ek", email="", unit="Utredning", title="", fte="1",
                  start="2021-03-01", end="")  # fmt: skip
    values.update(changes)
    return staff_line(**values)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast path is PostgreSQL's")
def test_the_fast_path_writes_the_rows_and_history_rows_simple_historys_functions_write(world, held, monkeypatch):
    from staff.platform import bulk

    EmploymentExtent.objects.create(
        organisation=world.org, staff=held, fte=Decimal("0.75"), valid_from=held.employment_start
    )
    eva = StaffMemberFactory(
        organisation=world.org, unit=world.unit, employee_number="2002", first_name="Eva", last_name="Ek",
        employment_start=dt.date(2021, 3, 1), fte=Decimal("1.00"),
    )  # fmt: skip
    assert bulk.fast_path(StaffMember) and not eva.extents.exists()
    by_simple_history, fast = by_simple_history_then_fast_path(monkeypatch, lambda: _three_imports(world))
    assert StaffMember.objects.filter(organisation=world.org, employee_number="1002").count() == 1  # undone once
    assert fast == by_simple_history
    history = StaffMember.history.filter(organisation_id=world.org.pk, history_change_reason="import")
    assert {h.history_type for h in history} == {"+", "~"}
    assert all(h.history_user_id == world.frank.user_id for h in history)
    # two created, Per's name and FTE, Eva's FTE; 1001's e-mail, Per's unit and FTE; Per's end (and unit)
    assert history.count() == 2 + 3 + 3 + 1
    periods = EmploymentExtent.history.filter(organisation_id=world.org.pk, history_change_reason="import")
    assert sorted(periods.values_list("history_type", flat=True)) == ["+"] * 5 + ["~"]
    assert list(EmploymentExtent.objects.filter(staff=held).values_list("fte", "valid_from")) == [
        (Decimal("0.75"), dt.date(2020, 1, 1)),
        (Decimal("0.80"), TODAY),
    ]
    assert list(EmploymentExtent.objects.filter(staff=eva).values_list("fte", "valid_from")) == [
        (Decimal("1.00"), dt.date(2021, 3, 1)),
        (Decimal("0.60"), TODAY),
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="elsewhere simple-history's functions batch by the database's parameter limit",
)
def test_apply_uses_as_many_queries_for_300_rows_as_for_10(world, django_assert_num_queries):
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from staff.imports.files import mapped_rows, read_table
    from tests.staff.imports_support import STAFF_MAPPING

    for n in range(40):
        StaffMemberFactory(organisation=world.org, unit=world.unit, employee_number=f"9{n:03}", fte=Decimal("1"))

    def planned(start: int, count: int):
        """`count` new people and a tenth as many held ones with a new name and FTE."""
        lines = [staff_line(number=f"{start + n:05}") for n in range(count)]
        lines += [staff_line(number=f"9{n + start // 10:03}", last="Ny", fte="0,5") for n in range(count // 10)]
        rows = list(mapped_rows(read_table(csv(STAFF_HEADER, *lines), "x.csv"), STAFF_MAPPING))
        return rows, STAFF.plan(organisation=world.org, rows=rows, progress=lambda n: None)

    rows, plans = planned(0, 10)
    with CaptureQueriesContext(connection) as small, transaction.atomic():
        counts = STAFF.apply(organisation=world.org, rows=rows, plans=plans, by=world.frank)
    assert counts == {"create": 10, "update": 1}
    rows, plans = planned(100, 300)
    with django_assert_num_queries(len(small.captured_queries)), transaction.atomic():
        counts = STAFF.apply(organisation=world.org, rows=rows, plans=plans, by=world.frank)
    assert counts == {"create": 300, "update": 30}
    assert StaffMember.objects.filter(organisation=world.org, last_name="Ny", fte=Decimal("0.5")).count() == 31
