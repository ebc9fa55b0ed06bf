"""The access log itself: one INSERT per request, the address, append-only rows, the purge path."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from staff.platform.audit.models import AccessLogEntry, AppendOnlyError
from staff.platform.audit.services import access_log_purge
from tests.caseload.factories import case
from tests.staff.access_log_factories import log_row


def _inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("INSERT") and "accesslogentry" in q["sql"]]


def test_a_list_page_writes_one_row_naming_all_it_showed_in_one_insert(world):
    client = world.client("frank")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("staff:admin_staff_list")).status_code == 200
    assert len(_inserts(ctx.captured_queries)) == 1
    row = AccessLogEntry.objects.get(url_name="staff:admin_staff_list")
    listed = {p.pk for n, p in world.people.items() if n != "charlie"}
    assert {(kind, object_id) for kind, object_id, _unit in row.shown()} == {("staff", pk) for pk in listed}
    assert (row.kind, row.actor_id) == ("staff", world.frank.pk) and row.object_id in listed
    units = {str(p.unit_id) for n, p in world.people.items() if n != "charlie" and p.unit_id}
    assert set(row.units_shown) == units
    assert sum(row.units_shown.values()) == sum(1 for _k, _o, unit in row.shown() if unit is not None)


def test_a_case_page_names_the_case_and_its_unit_and_nothing_else(world):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    world.client("alice").get(reverse("caseload:case_detail", args=[the_case.pk]))
    row = AccessLogEntry.objects.get()
    assert (row.kind, row.object_id, row.unit_id, row.url_ids) == (
        "case",
        the_case.pk,
        world.unit.pk,
        f"pk={the_case.pk}",
    )
    values = [str(getattr(row, f.attname)) for f in AccessLogEntry._meta.fields]
    assert not any("ALFA-1" in v or "Alice" in v for v in values)  # ids only: no case number, no names


def test_pages_without_personal_data_and_signed_out_requests_write_nothing(world):
    with CaptureQueriesContext(connection) as ctx:
        world.client("bob").get(reverse("staff:notifications"))
    assert not _inserts(ctx.captured_queries)
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    from django.test import Client

    assert Client().get(reverse("caseload:case_detail", args=[the_case.pk])).status_code == 302
    assert not AccessLogEntry.objects.exists()


def test_a_refused_request_is_logged_with_its_status(world):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    assert world.client("heidi").get(reverse("caseload:case_detail", args=[the_case.pk])).status_code == 403
    row = AccessLogEntry.objects.get()
    assert (row.actor, row.object_id, row.status) == (world.heidi, the_case.pk, 403)


def test_the_address_is_remote_addr_unless_the_proxy_is_trusted(world):
    client = world.client("bob")
    url = reverse("staff:my_page")
    client.get(url, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6")
    with override_settings(ACCESS_LOG_TRUST_X_FORWARDED_FOR=True):
        client.get(url, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
        client.get(url, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="not-an-address")
    assert [r.address for r in AccessLogEntry.objects.order_by("pk")] == ["10.1.2.3", "192.0.2.7", "10.1.2.3"]


def test_rows_cannot_be_changed_or_deleted_through_the_model(world):
    row = log_row(world, "bob", kind="case", object_id=1, unit=world.unit, at=timezone.now())
    row.status = 500
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert AccessLogEntry.objects.get().status == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_database_refuses_update_and_delete(world):
    row = log_row(world, "bob", kind="case", object_id=1, unit=world.unit, at=timezone.now())
    for statement in ("UPDATE staff_accesslogentry SET status = 500", "DELETE FROM staff_accesslogentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert AccessLogEntry.objects.get(pk=row.pk).status == 200
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=row.pk).update(status=500)


def test_the_purge_deletes_only_the_organisations_old_rows(world):
    now = timezone.now()
    old = log_row(world, "bob", kind="case", object_id=1, unit=world.unit, at=now - datetime.timedelta(days=400))
    recent = log_row(world, "bob", kind="case", object_id=2, unit=world.unit, at=now)
    other = log_row(world, "charlie", kind="case", object_id=3, unit=world.other_unit, at=old.at)
    assert access_log_purge(organisation=world.org, before=now - datetime.timedelta(days=365)) == 1
    assert set(AccessLogEntry.objects.values_list("pk", flat=True)) == {recent.pk, other.pk}
