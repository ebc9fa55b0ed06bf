"""Organisation admins export the access log for a period as CSV: ids only, formula-escaped, itself logged."""

from __future__ import annotations

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from staff.platform.audit.models import AccessLogEntry, AccessLogSettings
from tests.staff.access_log_factories import log_row

TZ = ZoneInfo("Europe/Stockholm")
URL = reverse("staff:access_log_export")


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


@time_machine.travel("2026-04-02 10:00 +02:00", tick=False)
def test_the_export_holds_the_periods_rows_with_ids_only(world):
    inside = log_row(
        world, "bob", kind="case", object_id=11, unit=world.unit, at=datetime.datetime(2026, 3, 31, 23, 30, tzinfo=TZ)
    )
    log_row(
        world, "bob", kind="case", object_id=12, unit=world.unit, at=datetime.datetime(2026, 4, 1, 0, 10, tzinfo=TZ)
    )
    log_row(
        world, "bob", kind="case", object_id=13, unit=world.unit, at=datetime.datetime(2026, 2, 28, 23, 59, tzinfo=TZ)
    )
    response = world.client("frank").get(URL, {"start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = _rows(response)
    assert header[:5] == ["time", "staff_id", "user_id", "kind", "object_id"]
    assert rows == [
        [
            "2026-03-31T23:30:00+02:00",
            str(world.bob.pk),
            str(world.bob.user_id),
            "case",
            "11",
            str(world.unit.pk),
            "page",
            "caseload:case_detail",
            "",
            "GET",
            "200",
            "10.0.0.1",
            "",  # purpose: none stated
            str(inside.pk),  # entry_id
            "",  # scim_token_id: a person's request
            "",  # scim_token
        ]
    ]
    assert "Bob" not in response.content.decode("utf-8-sig")  # no names
    assert inside.pk
    export = AccessLogEntry.objects.get(url_name="staff:access_log_export")
    assert (export.actor, export.kind, export.channel, export.status) == (world.frank, "access_log", "export", 200)


def _formula_row(world):
    log_row(
        world,
        "bob",
        kind="case",
        object_id=11,
        unit=world.unit,
        at=datetime.datetime(2026, 3, 2, tzinfo=TZ),
        url_name="=HYPERLINK(1)",
    )


def test_cells_that_could_start_a_formula_are_escaped(world):
    _formula_row(world)
    response = world.client("frank").get(URL, {"start": "2026-03-01", "end": "2026-03-31"})
    assert _rows(response)[1][7] == "'=HYPERLINK(1)"


def test_reversed_dates_are_refused_at_the_field_and_the_refusal_is_logged(world):
    response = world.client("frank").get(URL, {"start": "2026-03-31", "end": "2026-03-01"})
    assert response.status_code == 400
    assert "Slutdatumet kan inte vara före startdatumet." in response.content.decode()
    assert not response["Content-Type"].startswith("text/csv")
    assert AccessLogEntry.objects.get(url_name="staff:access_log_export").status == 400


def test_a_period_longer_than_the_setting_is_refused(world):
    client = world.client("frank")
    response = client.get(URL, {"start": "2025-01-01", "end": "2026-01-01"})
    assert response.status_code == 400
    assert "Perioden får vara högst 12 månader lång." in response.content.decode()
    assert client.get(URL, {"start": "2025-01-01", "end": "2025-12-31"}).status_code == 200
    AccessLogSettings.objects.filter(organisation=world.org).update(export_max_months=1)
    response = client.get(URL, {"start": "2025-01-01", "end": "2025-02-01"})
    assert "Perioden får vara högst 1 månad lång." in response.content.decode()
    assert [r.status for r in AccessLogEntry.objects.filter(url_name="staff:access_log_export").order_by("pk")] == [
        400,
        200,
        400,
    ]


def test_only_organisation_admins_export_and_only_their_organisations_rows(world):
    log_row(
        world, "charlie", kind="case", object_id=99, unit=world.other_unit, at=datetime.datetime(2026, 3, 2, tzinfo=TZ)
    )
    for name in ("alice", "erin", "dave", "bob"):
        assert world.client(name).get(URL, {"start": "2026-03-01", "end": "2026-03-31"}).status_code == 403
    rows = _rows(world.client("frank").get(URL, {"start": "2026-03-01", "end": "2026-03-31"}))
    assert [r[4] for r in rows[1:]] == []


def test_the_form_page_without_dates(world):
    response = world.client("frank").get(URL)
    assert response.status_code == 200
    assert "Exportera åtkomstloggen" in response.content.decode()


def test_the_xlsx_export_holds_the_same_rows_as_text_never_formulas_and_is_logged(world):
    from tests.xlsx import assert_same_rows, csv_rows, sheet

    _formula_row(world)
    client = world.client("frank")
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    cells = sheet(client.get(URL, {**period, "format": "xlsx"}))
    assert_same_rows(csv_rows(client.get(URL, {**period, "format": "csv"})), cells)
    assert (cells[1][7].value, cells[1][7].data_type) == ("=HYPERLINK(1)", "s")
    assert client.get(URL, {**period, "format": "ods"}).status_code == 400
    exports = AccessLogEntry.objects.filter(url_name="staff:access_log_export").order_by("pk")
    assert [(e.channel, e.status) for e in exports] == [("export", 200), ("export", 200), ("export", 400)]
    # each served export names its period; the refused format served nothing and names none
    assert [e.url_ids for e in exports] == ["period=2026-03-01..2026-03-31"] * 2 + [""]


def test_an_export_longer_than_an_excel_sheet_is_refused_as_xlsx_and_given_as_csv(world, monkeypatch):
    import staff.platform.exports as exports

    for day in (2, 3):
        log_row(
            world, "bob", kind="case", object_id=day, unit=world.unit, at=datetime.datetime(2026, 3, day, tzinfo=TZ)
        )
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)  # the header and two rows fit, a third does not
    client = world.client("frank")
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    assert client.get(URL, {**period, "format": "xlsx"}).status_code == 200
    log_row(world, "bob", kind="case", object_id=4, unit=world.unit, at=datetime.datetime(2026, 3, 4, tzinfo=TZ))
    refused = client.get(URL, {**period, "format": "xlsx"})
    assert refused.status_code == 400 and "Ladda ner den som CSV" in refused.content.decode()
    assert len(_rows(client.get(URL, period))) == 4
