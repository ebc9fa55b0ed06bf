"""The preview and the apply run as real Celery tasks in a real worker process (tests/celery_support.py)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from staff.imports.models import ImportRun
from staff.models import EmploymentExtent, StaffMember
from staff.services import api_token_create
from tests.staff.imports_support import STAFF_HEADER, STAFF_MAPPING, csv, staff_line


@pytest.mark.celery_worker
def test_a_thousand_rows_are_previewed_and_applied_by_the_worker_and_a_second_apply_writes_nothing(
    world, celery_worker
):
    _token, key = api_token_create(organisation=world.org, staff=world.erin, name="Integrationsplattform")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    data = csv(STAFF_HEADER, *[staff_line(number=f"{n:05}", fte="0,8") for n in range(1000)])

    def upload_and_apply() -> ImportRun:
        response = api.post(
            reverse("api-import-upload"),
            {"kind": "staff", "file": SimpleUploadedFile("heroma.csv", data), "mapping": json.dumps(STAFF_MAPPING)},
        )
        assert response.status_code == 201, response.content
        pk = response.json()["id"]
        celery_worker.wait_until(lambda: ImportRun.objects.get(pk=pk).status == "previewed", timeout=90)
        assert api.post(reverse("api-import-apply", args=[pk])).status_code == 202
        celery_worker.wait_until(lambda: ImportRun.objects.get(pk=pk).status in ("applied", "failed"), timeout=90)
        return ImportRun.objects.get(pk=pk)

    first = upload_and_apply()
    assert first.status == "applied", first.error
    assert first.counts == {"create": 1000} and first.done == first.total == 1000
    assert first.file_encrypted == ""
    assert StaffMember.objects.filter(organisation=world.org, employee_number__regex=r"^\d{5}$").count() == 1000
    assert StaffMember.history.filter(history_change_reason="import").count() == 1000
    rows = StaffMember.history.count(), EmploymentExtent.history.count()
    second = upload_and_apply()
    assert second.status == "applied" and second.counts == {"unchanged": 1000}
    assert (StaffMember.history.count(), EmploymentExtent.history.count()) == rows
