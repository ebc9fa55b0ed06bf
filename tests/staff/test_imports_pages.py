"""The import pages: who may use them, the upload, the mapping, the preview and the apply, in Swedish."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from staff.imports import services
from staff.imports.models import ImportMapping, ImportRun
from staff.models import StaffMember
from tests.staff.imports_support import STAFF_HEADER, STAFF_MAPPING, csv, staff_line


def _upload(client, data: bytes, *, kind="staff", name="heroma.csv", dry_run=False):
    body = {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if dry_run:
        body["dry_run"] = "on"
    return client.post(reverse("staff:import_upload"), body)


@pytest.mark.parametrize("name", ["erin", "frank"])
def test_hr_and_the_organisation_admin_may_import(world, name):
    client = world.client(name)
    assert client.get(reverse("staff:imports")).status_code == 200
    assert client.get(reverse("staff:import_upload")).status_code == 200


@pytest.mark.parametrize("name", ["bob", "dave", "grace"])
def test_nobody_else_may(world, name):
    """(Unit managers may once the case kind is registered: it lets them import their units' cases.)"""
    client = world.client(name)
    assert client.get(reverse("staff:imports")).status_code == 403
    assert client.get(reverse("staff:import_upload")).status_code == 403


def test_the_list_is_empty_at_first_and_says_so(world):
    response = world.client("erin").get(reverse("staff:imports"))
    assert "Inga importer ännu" in response.content.decode()


def test_upload_map_preview_and_apply_through_the_pages(world, django_capture_on_commit_callbacks):
    client = world.client("erin")
    response = _upload(client, csv(STAFF_HEADER, staff_line()))
    run = ImportRun.objects.get(organisation=world.org)
    assert response.status_code == 302 and response["Location"] == reverse("staff:import_mapping", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert '<option value="Anst.nr" selected>' in page  # the proposed mapping is preselected
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("staff:import_mapping", args=[run.pk]), STAFF_MAPPING)
    assert response.status_code == 302
    assert [c for c in callbacks if "preview_start" in c.__qualname__]  # the preview task, queued after commit
    assert ImportMapping.objects.get(organisation=world.org, kind="staff").mapping == STAFF_MAPPING
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWING
    page = client.get(reverse("staff:import_detail", args=[run.pk])).content.decode()
    assert "js/import_progress.js" in page and 'role="progressbar"' in page
    status = client.get(reverse("staff:import_status", args=[run.pk])).json()
    assert (status["status"], status["total"]) == ("previewing", 1)
    services.preview(run=run)
    page = client.get(reverse("staff:import_detail", args=[run.pk])).content.decode()
    assert "Ny" in page and "1001" in page and "<caption>" in page
    response = client.post(reverse("staff:import_apply", args=[run.pk]))
    assert response.status_code == 200 and 'name="confirm"' in response.content.decode()
    with django_capture_on_commit_callbacks():
        client.post(reverse("staff:import_apply", args=[run.pk]), {"confirm": "1"})
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLYING and run.applied_by == world.erin
    services.apply(run=run)
    assert StaffMember.objects.filter(organisation=world.org, employee_number="1001").exists()
    page = client.get(reverse("staff:import_detail", args=[run.pk])).content.decode()
    assert "Importen är genomförd." in page


def test_rows_with_errors_are_shown_in_swedish_and_there_is_no_apply_button(world):
    client = world.client("frank")
    _upload(client, csv(STAFF_HEADER, staff_line(), staff_line(number="1002", unit="Okänd")))
    run = ImportRun.objects.get(organisation=world.org)
    client.post(reverse("staff:import_mapping", args=[run.pk]), STAFF_MAPPING)
    services.preview(run=ImportRun.objects.get(pk=run.pk))
    page = client.get(reverse("staff:import_detail", args=[run.pk])).content.decode()
    assert "Enhet: det finns ingen enhet ”Okänd” i Stabil." in page
    assert reverse("staff:import_apply", args=[run.pk]) not in page
    only_errors = client.get(reverse("staff:import_detail", args=[run.pk]), {"action": "error"}).content.decode()
    assert "1002" in only_errors and ">1001<" not in only_errors
    assert client.get(reverse("staff:import_detail", args=[run.pk]), {"action": "nonsense"}).status_code == 400
    response = client.post(reverse("staff:import_apply", args=[run.pk]), {"confirm": "1"})
    assert response.status_code == 302
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.PREVIEWED
    assert not StaffMember.objects.filter(employee_number__in=["1001", "1002"]).exists()


def test_an_unreadable_file_is_a_field_error_and_no_run(world):
    response = _upload(world.client("erin"), b"\x00\x01", name="bild.png")
    assert response.status_code == 400
    assert "Ladda upp en CSV-fil eller en Excelfil (xlsx)." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_mapping_without_the_employee_number_is_a_field_error(world):
    client = world.client("erin")
    _upload(client, csv(STAFF_HEADER, staff_line()))
    run = ImportRun.objects.get(organisation=world.org)
    response = client.post(reverse("staff:import_mapping", args=[run.pk]), {**STAFF_MAPPING, "employee_number": ""})
    assert response.status_code == 400
    assert "Välj kolumnen för det här fältet." in response.content.decode()
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.UPLOADED


def test_the_list_pages_and_shows_each_kind(world, django_assert_max_num_queries):
    for n in range(30):
        ImportRun.objects.create(organisation=world.org, kind="staff" if n % 2 else "absences", filename=f"{n}.csv")
    client = world.client("erin")
    with django_assert_max_num_queries(20):
        page = client.get(reverse("staff:imports")).content.decode()
    assert "30 importer" in page and "Sida 1 av 2" in page
    assert "15 importer" in client.get(reverse("staff:imports"), {"kind": "absences"}).content.decode()
