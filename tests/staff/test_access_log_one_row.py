"""The access log writes one row per request, however many objects the page showed (issue 21), and the
migration to that shape keeps every existing row."""

from __future__ import annotations

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staff.platform.audit.models import AccessLogEntry
from staff.platform.audit.selectors import readers_of, review_flags
from staff.platform.audit.services import emailed_reads
from tests.caseload.factories import case
from tests.migration_helpers import migrate, migrate_to_latest
from tests.staff.access_log_factories import shown_ids

TZ = ZoneInfo("Europe/Stockholm")
BEFORE = [("staff", "0013_historical_models_from_history_app")]


def _log_inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("INSERT") and "accesslogentry" in q["sql"]]


@pytest.mark.parametrize("cases", [3, 12])
def test_my_caseload_writes_one_row_whatever_the_number_of_cases(world, cases):
    mine = [case(world.unit, f"ALFA-{i}", main=world.bob) for i in range(cases)]
    with CaptureQueriesContext(connection) as ctx:
        assert world.client("bob").get(reverse("caseload:my_caseload")).status_code == 200
    assert len(_log_inserts(ctx.captured_queries)) == 1
    row = AccessLogEntry.objects.get(url_name="caseload:my_caseload")
    assert shown_ids([row], "case") == {c.pk for c in mine}
    assert row.units_shown == {str(world.unit.pk): cases}
    for c in mine:  # "who read case X" finds the one row for every case it listed
        assert list(readers_of(organisation=world.org, kind="case", object_id=c.pk)) == [row]


def test_who_read_a_case_does_not_confuse_ids_of_other_kinds_or_a_units_id(world):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    other = AccessLogEntry(
        organisation=world.org,
        actor=world.alice,
        kind="staff",
        object_id=the_case.pk,  # a staff record with the same id as the case
        unit_id=the_case.pk,  # and a unit with that id too
        channel="page",
        url_name="competence:staff_detail",
        method="GET",
        status=200,
    )
    other.save()
    assert not readers_of(organisation=world.org, kind="case", object_id=the_case.pk).exists()
    assert list(readers_of(organisation=world.org, kind="staff", object_id=the_case.pk)) == [other]


def test_an_email_naming_cases_is_one_row_for_its_recipient(world):
    a, b = case(world.unit, "ALFA-1", main=world.bob), case(world.unit, "ALFA-2", main=world.bob)
    emailed_reads(
        organisation_id=world.org.pk,
        sent=[(world.bob.pk, world.bob.user_id, [(a.pk, world.unit.pk), (b.pk, world.unit.pk)])],
    )
    row = AccessLogEntry.objects.get()
    assert (row.actor_id, row.channel, row.status, row.kind, row.object_id) == (world.bob.pk, "email", 0, "case", a.pk)
    assert row.shown() == sorted([("case", a.pk, world.unit.pk), ("case", b.pk, world.unit.pk)])


def test_the_export_has_a_line_per_object_and_the_lines_of_one_request_share_its_entry_id(world):
    listed = [case(world.unit, f"ALFA-{i}", main=world.bob) for i in range(3)]
    world.client("bob").get(reverse("caseload:my_caseload"))
    row = AccessLogEntry.objects.get(url_name="caseload:my_caseload")
    day = row.at.astimezone(TZ).date().isoformat()
    response = world.client("frank").get(reverse("staff:access_log_export"), {"start": day, "end": day})
    header, *lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    mine = [line for line in lines if line[header.index("entry_id")] == str(row.pk)]
    assert sorted(int(line[header.index("object_id")]) for line in mine) == sorted(c.pk for c in listed)
    assert {line[header.index("kind")] for line in mine} == {"case"}
    assert {line[header.index("unit_id")] for line in mine} == {str(world.unit.pk)}


def test_a_managers_review_finds_a_case_listed_second_on_a_row_about_another_unit(world):
    """The unit filter reads every object's unit, not only the first one's (units_shown)."""
    own = case(world.unit, "ALFA-1", main=world.bob)
    elsewhere = case(world.intake_unit, "INTAG-1", main=world.heidi)
    AccessLogEntry(
        organisation=world.org,
        actor=world.bob,
        kind="case",
        object_id=own.pk,
        unit_id=world.unit.pk,
        objects_shown={f"case:{own.pk}": world.unit.pk, f"case:{elsewhere.pk}": world.intake_unit.pk},
        units_shown={str(world.unit.pk): 1, str(world.intake_unit.pk): 1},
        channel="page",
        url_name="caseload:my_caseload",
        method="GET",
        status=200,
        at=datetime.datetime(2026, 3, 2, 10, tzinfo=TZ),
    ).save()
    flags = review_flags(
        organisation=world.org, month=datetime.date(2026, 3, 1), unit_ids=frozenset({world.intake_unit.pk})
    )
    assert [(f.flag, f.actor_id, f.object_id) for f in flags] == [("outside_unit", world.bob.pk, elsewhere.pk)]
    nobody = review_flags(organisation=world.org, month=datetime.date(2026, 3, 1), unit_ids=frozenset())
    assert nobody == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_existing_row_and_who_read_finds_them(world):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    old = migrate(BEFORE).get_model("staff", "AccessLogEntry")
    at = datetime.datetime(2026, 3, 2, 10, tzinfo=TZ)
    common = {"organisation_id": world.org.pk, "actor_id": world.bob.pk, "channel": "page", "method": "GET", "at": at}
    listed = [
        old.objects.create(
            kind="staff", object_id=pk, unit_id=world.unit.pk, url_name="competence:staff_list", status=200, **common
        )
        for pk in (world.alice.pk, world.bob.pk)
    ]
    page = old.objects.create(
        kind="case", object_id=the_case.pk, unit_id=world.unit.pk, url_name="caseload:case_detail", status=200, **common
    )
    report = old.objects.create(
        kind="report", object_id=None, unit_id=None, url_name="staff:organisation_overview", status=200, **common
    )
    before = sorted(old.objects.values_list("pk", "kind", "object_id", "unit_id", "url_name", "at"))

    migrate_to_latest()  # through 0014; the later migrations too, so that the current models fit the tables
    rows = AccessLogEntry.objects.order_by("pk")
    assert sorted(rows.values_list("pk", "kind", "object_id", "unit_id", "url_name", "at")) == before
    shown = {r.pk: (r.objects_shown, r.units_shown) for r in rows}
    assert shown[page.pk] == ({f"case:{the_case.pk}": world.unit.pk}, {str(world.unit.pk): 1})
    assert shown[report.pk] == ({}, {})
    assert {shown[r.pk][0] == {f"staff:{r.object_id}": world.unit.pk} for r in listed} == {True}
    assert [r.pk for r in readers_of(organisation=world.org, kind="case", object_id=the_case.pk)] == [page.pk]

    # Back while every row holds one object; refused once a row holds several.
    migrate(BEFORE)
    migrate_to_latest()
    AccessLogEntry(
        organisation=world.org,
        actor=world.bob,
        kind="staff",
        object_id=world.alice.pk,
        objects_shown={f"staff:{world.alice.pk}": None, f"staff:{world.bob.pk}": None},
        channel="page",
        url_name="competence:staff_list",
        method="GET",
        status=200,
    ).save()
    with pytest.raises(IrreversibleError):
        migrate(BEFORE)
    migrate_to_latest()


def test_who_read_a_case_never_finds_another_organisations_row_with_the_same_key(world):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    charlie = world.charlie  # Beta kommun
    AccessLogEntry(
        organisation=world.other_org,
        actor=charlie,
        kind="case",
        object_id=the_case.pk,  # the same id, in another organisation's log
        channel="page",
        url_name="caseload:case_detail",
        method="GET",
        status=200,
    ).save()
    assert not readers_of(organisation=world.org, kind="case", object_id=the_case.pk).exists()
    assert readers_of(organisation=world.other_org, kind="case", object_id=the_case.pk).get().actor_id == charlie.pk
