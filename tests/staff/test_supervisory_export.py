"""The export for a supervisory request (IVO, IMY): everything about one case number or one person over a
period, a zip of export.json and a CSV per table; for organisation admins only, itself logged."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.models import Case, CaseEvent
from staff.models import Role, StaffMember
from staff.platform.audit.models import AccessLogEntry, AccessLogSettings, SecurityEvent
from tests.caseload.factories import case
from tests.factories import RoleAssignmentFactory, StaffMemberFactory, UserFactory
from tests.staff.access_log_factories import log_row, log_row_showing

TZ = ZoneInfo("Europe/Stockholm")
URL = reverse("staff:supervisory_export")
FEBRUARY = {"start": "2026-02-01", "end": "2026-02-28"}

# The edges of February 2026 in Stockholm time: the last moment before, the first and last moments of the
# period, the first moment after.
BEFORE = datetime.datetime(2026, 1, 31, 23, 59, 59, tzinfo=TZ)
FIRST = datetime.datetime(2026, 2, 1, 0, 0, 0, tzinfo=TZ)
LAST = datetime.datetime(2026, 2, 28, 23, 59, 59, tzinfo=TZ)
AFTER = datetime.datetime(2026, 3, 1, 0, 0, 0, tzinfo=TZ)
EDGES = {"before": BEFORE, "first": FIRST, "last": LAST, "after": AFTER}

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel("2026-03-18 10:00 +01:00", tick=False):
        yield


def unzip(response) -> tuple[dict, dict[str, list[list[str]]]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    document = json.loads(archive.read("export.json"))
    tables = {}
    for name in archive.namelist():
        if name.endswith(".csv"):
            text = archive.read(name).decode("utf-8")
            assert text.startswith("\ufeff")
            tables[name.removesuffix(".csv")] = list(
                csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";")
            )
    assert set(tables) == set(document["tables"])
    book = openpyxl.load_workbook(io.BytesIO(archive.read("export.xlsx")), read_only=True)
    assert book.sheetnames == list(document["tables"])  # a sheet per table, in the JSON's order
    for name, rows in document["tables"].items():
        sheet_rows = list(book[name].iter_rows(values_only=True))
        assert list(sheet_rows[0]) == tables[name][0]  # the CSV's header
        assert len(sheet_rows) == len(rows) + 1
    return document, tables


def _case_with_edges(world):
    """ALFA-1 with, at each edge, an access-log row, a case event and a change-history row."""
    the_case = case(world.unit, "ALFA-1", main=world.bob, co=world.carol)
    rows = {}
    for label, at in EDGES.items():
        rows[label] = log_row(world, "alice", kind="case", object_id=the_case.pk, unit=world.unit, at=at)
        event = CaseEvent.objects.create(
            organisation=world.org, case=the_case, actor=world.alice, kind="assigned", detail=label
        )
        CaseEvent.objects.filter(pk=event.pk).update(at=at)
        the_case.weight += 1
        the_case.save()
        latest = Case.history.filter(id=the_case.pk).latest("history_id")
        Case.history.filter(history_id=latest.history_id).update(history_date=at, history_change_reason=label)
    return the_case, rows


def test_a_case_export_holds_the_periods_rows_first_and_last_day_included(world):
    the_case, rows = _case_with_edges(world)
    other = case(world.unit, "ALFA-2", main=world.heidi)
    # a page that listed both cases: only the line of ALFA-1 belongs to its export
    both = log_row_showing(
        world,
        "ivan",
        [("case", other.pk, world.unit.pk), ("case", the_case.pk, world.unit.pk)],
        at=FIRST + datetime.timedelta(days=3),
    )
    log_row(world, "alice", kind="case", object_id=other.pk, unit=world.unit, at=FIRST + datetime.timedelta(days=4))
    refused = log_row(world, "heidi", kind="case", object_id=the_case.pk, unit=None, at=LAST, status=403)

    response = world.client("frank").get(URL, {"case_number": "ALFA-1", **FEBRUARY})
    document, tables = unzip(response)

    assert document["subject"] == {"case_id": the_case.pk, "case_number": "ALFA-1"}
    assert (document["start"], document["end"], document["organisation_slug"]) == ("2026-02-01", "2026-02-28", "alfa")
    assert document["made_by_staff_id"] == world.frank.pk
    reads = document["tables"]["reads"]
    assert [r["entry_id"] for r in reads] == [rows["first"].pk, both.pk, rows["last"].pk, refused.pk]
    assert {(r["kind"], r["object_id"]) for r in reads} == {("case", the_case.pk)}  # not ALFA-2's line
    assert [r["status"] for r in reads] == [200, 200, 200, 403]  # a refused attempt is in it too
    assert reads[0]["at"] == "2026-02-01T00:00:00+01:00"
    assert [e["detail"] for e in document["tables"]["case_events"]] == ["first", "last"]
    assert [h["history_change_reason"] for h in document["tables"]["case_history"]] == ["first", "last"]
    assert [h["history_type"] for h in document["tables"]["case_history"]] == ["~", "~"]
    [row] = document["tables"]["case"]
    assert (row["id"], row["number"], row["unit_id"], row["weight"]) == (the_case.pk, "ALFA-1", world.unit.pk, 5)
    assert {(a["staff_id"], a["role"]) for a in document["tables"]["assignments"]} == {
        (world.bob.pk, "main"),
        (world.carol.pk, "co"),
    }
    assert len(document["tables"]["investigations"]) == 1
    people = {p["staff_id"] for p in document["tables"]["people"]}
    assert {world.alice.pk, world.bob.pk, world.carol.pk, world.ivan.pk, world.heidi.pk} <= people
    assert world.charlie.pk not in people
    # the CSV files hold the same rows, for people
    header, *csv_reads = tables["reads"]
    assert header[:3] == ["entry_id", "at", "staff_id"]
    assert [int(r[0]) for r in csv_reads] == [rows["first"].pk, both.pk, rows["last"].pk, refused.pk]
    book = openpyxl.load_workbook(io.BytesIO(zipfile.ZipFile(io.BytesIO(response.content)).read("export.xlsx")))
    case_sheet = list(book["case"].iter_rows(values_only=True))
    opened = case_sheet[0].index("opened_on")
    assert case_sheet[1][opened] == datetime.datetime.combine(the_case.opened_on, datetime.time())  # a date cell
    assert case_sheet[1][case_sheet[0].index("weight")] == 5  # a number
    events_header, *events = tables["case_events"]
    assert [r[events_header.index("detail")] for r in events] == ["first", "last"]


def test_the_history_rows_of_a_case_made_in_the_period_are_all_there(world):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    document, _tables = unzip(
        world.client("frank").get(URL, {"case_number": " ALFA-1 ", "start": "2026-03-18", "end": "2026-03-18"})
    )
    assert [h["history_type"] for h in document["tables"]["case_history"]] == ["+"]
    assert {h["staff_id"] for h in document["tables"]["assignment_history"]} == {world.bob.pk}
    assert len(document["tables"]["investigation_history"]) == 1
    assert document["subject"]["case_id"] == the_case.pk


def test_the_export_is_logged_with_the_case_it_named(world):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    world.client("frank").get(URL, {"case_number": "ALFA-1", **FEBRUARY})
    row = AccessLogEntry.objects.get(url_name="staff:supervisory_export")
    assert (row.actor_id, row.channel, row.status, row.kind, row.object_id, row.unit_id) == (
        world.frank.pk,
        "export",
        200,
        "case",
        the_case.pk,
        world.unit.pk,
    )
    # the row names the period the export covered (an IVO request is answered for its period)
    assert row.url_ids == f"period={FEBRUARY['start']}..{FEBRUARY['end']}"
    # the export is found by "who read case X"
    from staff.platform.audit.selectors import readers_of

    assert row in readers_of(organisation=world.org, kind="case", object_id=the_case.pk)


def test_a_person_export(world):
    bob = world.bob
    case(world.unit, "ALFA-1", main=bob)
    case(world.unit, "ALFA-2", main=world.heidi)
    inside = log_row(world, "bob", kind="case", object_id=77, unit=world.unit, at=FIRST)
    log_row(world, "bob", kind="case", object_id=78, unit=world.unit, at=AFTER)
    log_row(world, "alice", kind="case", object_id=79, unit=world.unit, at=FIRST)  # another reader
    record_read = log_row(world, "alice", kind="staff", object_id=bob.pk, unit=world.unit, at=LAST)
    log_row(world, "alice", kind="staff", object_id=bob.pk, unit=world.unit, at=BEFORE)
    ended = SecurityEvent.objects.create(
        organisation=world.org, kind="access_ended", user_id=bob.user_id, status=0, reason="login_switched_off", at=LAST
    )
    SecurityEvent.objects.create(organisation=world.org, kind="mfa_enrolled", user_id=bob.user_id, status=200, at=AFTER)
    SecurityEvent.objects.create(
        organisation=world.org, kind="mfa_enrolled", user_id=world.alice.user_id, status=200, at=FIRST
    )
    bob.title = "Socialsekreterare"
    bob.save()
    latest = StaffMember.history.filter(id=bob.pk).latest("history_id")
    StaffMember.history.filter(history_id=latest.history_id).update(history_date=FIRST)

    document, tables = unzip(world.client("frank").get(URL, {"person": bob.pk, **FEBRUARY}))

    assert document["subject"] == {"staff_id": bob.pk}
    t = document["tables"]
    assert [r["entry_id"] for r in t["read_by_person"]] == [inside.pk]
    assert [r["entry_id"] for r in t["reads_of_record"]] == [record_read.pk]
    assert [e["id"] for e in t["security_events"]] == [ended.pk]
    assert [h["title"] for h in t["staff_record_history"]] == ["Socialsekreterare"]
    assert [(r["role"], r["unit_id"]) for r in t["role_assignments"]] == [(Role.SOCIAL_WORKER, world.unit.pk)]
    [record] = t["staff_record"]
    assert (record["id"], record["first_name"]) == (bob.pk, "Bob")
    row = AccessLogEntry.objects.get(url_name="staff:supervisory_export")
    assert (row.kind, row.object_id, row.channel) == ("staff", bob.pk, "export")
    assert set(tables) == {
        "staff_record",
        "staff_record_history",
        "role_assignments",
        "read_by_person",
        "reads_of_record",
        "security_events",
        "employment_extents",
        "employment_extents_history",
        "absences",
        "absences_history",
        "group_memberships",
        "group_memberships_history",
        "case_assignments",
        "case_assignment_history",
        "level_placements",
        "level_placements_history",
        "ladder_assessments",
        "supplement_rows",
        "people",
    }
    # the cases bob handled, with their numbers (from caseload); none made in February
    assert [(a["case_number"], a["role"]) for a in t["case_assignments"]] == [("ALFA-1", "main")]
    assert t["case_assignment_history"] == []


def test_a_person_export_holds_their_extent_absences_groups_and_ladder(world):
    """What capacity and pay were computed from: the periods of employment extent, the absences, the work
    groups, the periods on the ladder and the supplement rows payroll was told, each with the changes made in
    the period (and only those)."""
    from competence.models import SupplementMonth, SupplementMonthRow
    from staff.models import Absence, EmploymentExtent, GroupMembership
    from tests.caseload.factories import levels, place

    bob = world.bob
    levels(world.org)
    place(bob, 2, start=datetime.date(2025, 1, 1))
    EmploymentExtent.objects.create(organisation=world.org, staff=bob, valid_from=datetime.date(2025, 6, 1), fte="0.75")
    sick = Absence.objects.create(
        organisation=world.org,
        staff=bob,
        kind="sick",
        start=datetime.date(2026, 2, 2),
        end=datetime.date(2026, 2, 6),
        extent=50,
    )
    Absence.objects.create(
        organisation=world.org, staff=world.carol, kind="sick", start=sick.start, end=sick.end, extent=100
    )
    group = world.unit.groups.get()
    GroupMembership.objects.create(organisation=world.org, staff=bob, group=group, start=datetime.date(2025, 1, 1))
    month = SupplementMonth.objects.create(organisation=world.org, month=datetime.date(2026, 1, 1), how="approved")
    SupplementMonthRow.objects.create(
        organisation=world.org, frozen_month=month, staff=bob, unit=world.unit, days=31, amount="1500.00"
    )
    SupplementMonthRow.objects.create(
        organisation=world.org, frozen_month=month, staff=world.carol, unit=world.unit, days=31, amount="2500.00"
    )
    # the absence's history row is dated in February, the others' in the week they were made (not February)
    Absence.history.filter(id=sick.pk).update(history_date=FIRST)

    document, _tables = unzip(world.client("frank").get(URL, {"person": bob.pk, **FEBRUARY}))
    t = document["tables"]
    assert [(a["kind"], a["start"], a["end"], a["extent"]) for a in t["absences"]] == [
        ("sick", "2026-02-02", "2026-02-06", 50)
    ]
    assert [(h["history_type"], h["id"]) for h in t["absences_history"]] == [("+", sick.pk)]
    assert ("2025-06-01", "0.75") in [(e["valid_from"], e["fte"]) for e in t["employment_extents"]]
    assert {e["staff_id"] for e in t["employment_extents"]} == {bob.pk}
    assert t["employment_extents_history"] == []
    assert [m["group_id"] for m in t["group_memberships"]] == [group.pk]
    assert [p["start"] for p in t["level_placements"]] == ["2025-01-01"]
    assert [(r["month"], r["amount"]) for r in t["supplement_rows"]] == [("2026-01-01", "1500.00")]
    assert t["ladder_assessments"] == []


def _beta_admin(world):
    admin = StaffMemberFactory(organisation=world.other_org, unit=world.other_unit, user=UserFactory(username="olga"))
    RoleAssignmentFactory(staff=admin, organisation=world.other_org, role=Role.ORG_ADMIN)
    from django.test import Client

    client = Client()
    client.force_login(admin.user)
    return client


def test_an_admin_of_another_organisation_gets_none_of_its_data(world):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    log_row(world, "alice", kind="case", object_id=the_case.pk, unit=world.unit, at=FIRST)
    client = _beta_admin(world)
    response = client.get(URL, {"case_number": "ALFA-1", **FEBRUARY})
    assert response.status_code == 400
    assert response.context["form"].errors["case_number"] == ["Inget ärende i er organisation har det här numret."]
    response = client.get(URL, {"person": world.bob.pk, **FEBRUARY})
    assert response.status_code == 400 and "person" in response.context["form"].errors
    # Beta's own person list names none of Alfa's people
    page = client.get(URL).content.decode()
    assert "Alice" not in page and "Bob" not in page and "Charlie" in page
    assert AccessLogEntry.objects.filter(url_name="staff:supervisory_export", organisation=world.other_org).count() == 3


def test_only_an_organisation_admin_may_export(world):
    case(world.unit, "ALFA-1", main=world.bob)
    for name in ("alice", "erin", "dave", "bob"):
        assert world.client(name).get(URL, {"case_number": "ALFA-1", **FEBRUARY}).status_code == 403, name
    assert world.client("frank").get(URL).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"case_number": "ALFA-404", **FEBRUARY}, "case_number", "Inget ärende i er organisation har det här numret."),
        (FEBRUARY, "case_number", "Ange ett ärendenummer eller välj en person (en av dem)."),
        ({"case_number": "ALFA-1", "person": "BOB", **FEBRUARY}, "case_number", None),
        (
            {"case_number": "ALFA-1", "start": "2026-02-28", "end": "2026-02-27"},
            "end",
            "Slutdatumet kan inte vara före startdatumet.",
        ),
        (
            {"case_number": "ALFA-1", "start": "2025-01-01", "end": "2026-01-01"},
            "end",
            "Perioden får vara högst 12 månader lång.",
        ),
        ({"case_number": "ALFA-1", "start": "2026-02-30", "end": "2026-03-01"}, "start", None),
        ({"case_number": "19121212-1212", **FEBRUARY}, "case_number", None),
    ],
)
def test_bad_input_is_a_field_error_and_no_file(world, data, field, message):
    case(world.unit, "ALFA-1", main=world.bob)
    if data.get("person") == "BOB":
        data = {**data, "person": world.bob.pk}
    response = world.client("frank").get(URL, data)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    errors = response.context["form"].errors[field]
    if message:
        assert errors == [message]
    row = AccessLogEntry.objects.get(url_name="staff:supervisory_export")
    assert (row.status, row.object_id) == (400, None)  # a refused export is logged too


def test_the_longest_period_is_the_organisations_setting(world):
    case(world.unit, "ALFA-1", main=world.bob)
    client = world.client("frank")
    assert client.get(URL, {"case_number": "ALFA-1", "start": "2025-01-01", "end": "2025-12-31"}).status_code == 200
    AccessLogSettings.objects.filter(organisation=world.org).update(export_max_months=1)
    assert client.get(URL, {"case_number": "ALFA-1", "start": "2026-02-01", "end": "2026-02-28"}).status_code == 200
    assert client.get(URL, {"case_number": "ALFA-1", "start": "2026-02-01", "end": "2026-03-01"}).status_code == 400


def test_the_number_of_queries_does_not_grow_with_the_rows(world):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    client = world.client("frank")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            unzip(client.get(URL, {"case_number": "ALFA-1", **FEBRUARY}))
        return len(ctx.captured_queries)

    log_row(world, "alice", kind="case", object_id=the_case.pk, unit=world.unit, at=FIRST)
    count()  # the first request makes the access-log settings row and refreshes the session
    few = count()
    for name in ("bob", "carol", "ivan", "heidi", "grace"):
        log_row(world, name, kind="case", object_id=the_case.pk, unit=world.unit, at=LAST)
        event = CaseEvent.objects.create(
            organisation=world.org, case=the_case, actor=world.people[name], kind="assigned"
        )
        CaseEvent.objects.filter(pk=event.pk).update(at=LAST)
    assert count() == few


def test_the_page_is_linked_from_the_review_and_speaks_swedish(world):
    page = world.client("frank").get(reverse("staff:access_review")).content.decode()
    assert URL in page
    form = world.client("frank").get(URL).content.decode()
    assert "Export vid tillsyn" in form and "Ärendenummer" in form and "Ladda ner zip-fil" in form


def test_the_documented_sample_has_the_tables_and_columns_of_a_real_export(world):
    from django.conf import settings

    the_case, _rows = _case_with_edges(world)
    real, _tables = unzip(world.client("frank").get(URL, {"case_number": "ALFA-1", **FEBRUARY}))
    path = settings.BASE_DIR / "docs/samples/supervisory-export-case.json"
    sample = json.loads(path.read_text(encoding="utf-8"))
    assert set(sample) == set(real)
    assert list(sample["tables"]) == list(real["tables"])
    for name, rows in real["tables"].items():
        if rows and sample["tables"][name]:
            assert list(sample["tables"][name][0]) == list(rows[0]), name
    assert all(sample["tables"][name] for name in ("case", "case_history", "case_events", "reads", "people"))


def test_a_person_export_makes_the_same_queries_whatever_the_rows(world):
    client = world.client("frank")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            unzip(client.get(URL, {"person": world.bob.pk, **FEBRUARY}))
        return len(ctx.captured_queries)

    count()
    few = count()
    for number in range(3):
        case(world.unit, f"ALFA-{number}", main=world.bob)
        log_row(world, "bob", kind="case", object_id=number, unit=world.unit, at=FIRST)
        log_row(world, "alice", kind="staff", object_id=world.bob.pk, unit=world.unit, at=LAST)
        SecurityEvent.objects.create(
            organisation=world.org, kind="mfa_enrolled", user_id=world.bob.user_id, status=0, at=LAST
        )
    assert count() == few


def test_a_case_export_holds_the_intake_items_that_led_to_it(world):
    """IVO asks about the report of concern: the intake items of the case's number, their history and reads."""
    from tests.intake.factories import item

    case(world.unit, "ALFA-1", main=world.bob)
    report = item(world.intake_unit, "ALFA-1", by=world.grace, acute=True)
    item(world.intake_unit, "ALFA-2", by=world.grace)  # another case's
    log_row(world, "grace", kind="intake_item", object_id=report.pk, unit=world.intake_unit, at=timezone.now())
    document, tables = unzip(
        world.client("frank").get(URL, {"case_number": "ALFA-1", "start": "2026-03-18", "end": "2026-03-18"})
    )
    assert [(r["id"], r["case_number"], r["acute"]) for r in document["tables"]["intake_items"]] == [
        (report.pk, "ALFA-1", True)
    ]
    assert [h["history_type"] for h in document["tables"]["intake_item_history"]] == ["+"]
    assert [r["object_id"] for r in document["tables"]["intake_item_reads"]] == [report.pk]
