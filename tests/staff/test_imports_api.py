"""The imports over the REST API (docs/api.md): upload, run status and plans, apply; the stable error body."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from staff.imports import services
from staff.imports.models import ImportRun
from staff.models import StaffMember
from staff.services import api_token_create
from tests.staff.imports_support import STAFF_HEADER, STAFF_MAPPING, csv, staff_line


@pytest.fixture
def api(world):
    _token, key = api_token_create(organisation=world.org, staff=world.erin, name="Integrationsplattform")
    return Client(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="sv")


def _post(api, data: bytes = b"", **fields):
    body = {"kind": "staff", **fields}
    if data:
        body["file"] = SimpleUploadedFile("heroma.csv", data, content_type="text/csv")
    return api.post(reverse("api-import-upload"), body)


def test_upload_with_a_mapping_queues_the_preview_and_answers_the_run(world, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = _post(api, csv(STAFF_HEADER, staff_line()), mapping=json.dumps(STAFF_MAPPING))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["total"], body["kind"], body["dry_run"]) == ("previewing", 1, "staff", False)
    assert body["url"] == reverse("api-import-run", args=[body["id"]])
    assert len([c for c in callbacks if "preview_start" in c.__qualname__]) == 1
    run = ImportRun.objects.get(pk=body["id"])
    assert run.source == "api" and run.uploaded_by == world.erin
    services.preview(run=run)
    body = api.get(body["url"]).json()
    assert body["status"] == "previewed" and body["counts"] == {"create": 1}
    assert body["plans"] == [
        {
            "row": 2,
            "action": "create",
            "key": "1001",
            "changes": {
                "first_name": ["", "Åsa"],
                "last_name": ["", "Berg"],
                "email": ["", "asa@alfa.se"],
                "title": ["", "Socialsekreterare"],
                "unit": ["", "Utredning"],
                "fte": ["", "1.00"],
                "employment_start": ["", "2024-01-01"],
            },
            "errors": [],
        }
    ]
    assert api.get(body["url"], {"action": "update"}).json()["plans"] == []
    with django_capture_on_commit_callbacks():
        response = api.post(reverse("api-import-apply", args=[run.pk]))
    assert response.status_code == 202 and response.json()["status"] == "applying"
    services.apply(run=ImportRun.objects.get(pk=run.pk))
    assert api.get(body["url"]).json()["status"] == "applied"
    assert StaffMember.objects.filter(organisation=world.org, employee_number="1001").exists()


def test_without_a_mapping_the_saved_or_proposed_one_is_used(world, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = _post(api, csv(STAFF_HEADER, staff_line()))
    assert response.status_code == 201
    assert response.json()["mapping"]["employee_number"] == "Anst.nr"


NOT_JSON = "Ange kolumnvalet som ett JSON-objekt med fältnycklar och kolumnnamn."
CHOOSE = "Välj kolumnen för det här fältet."
NO_NR = "Filen har ingen kolumn ”Nr”."


@pytest.mark.parametrize(
    ("fields", "data", "errors"),
    [
        ({}, b"", {"file": ["Ingen fil skickades."]}),
        ({"kind": "payroll"}, csv(STAFF_HEADER), {"kind": ["Okänt slag av import."]}),
        ({}, b"\x00\x01\x02", {"file": ["Ladda upp en CSV-fil eller en Excelfil (xlsx)."]}),
        ({"mapping": "{not json"}, csv(STAFF_HEADER), {"mapping": [NOT_JSON]}),
        ({"mapping": json.dumps({"first_name": "Förnamn"})}, csv(STAFF_HEADER), {"mapping.employee_number": [CHOOSE]}),
        ({"mapping": json.dumps({"employee_number": "Nr"})}, csv(STAFF_HEADER), {"mapping.employee_number": [NO_NR]}),
    ],
    ids=["no-file", "unknown-kind", "unreadable", "mapping-not-json", "mapping-without-key", "mapping-unknown-column"],
)  # fmt: skip
def test_bad_uploads_are_400_with_the_stable_error_body(world, api, fields, data, errors):
    response = _post(api, data, **fields)
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "invalid", "message": "Begäran innehåller ogiltiga värden.", "fields": errors}
    }
    assert not ImportRun.objects.filter(status__in=["previewing", "uploaded"]).exists()


def test_applying_a_run_with_errors_or_a_dry_run_is_400_and_writes_nothing(world, api):
    bad = services.run_preview_now(
        run=services.run_create(
            organisation=world.org,
            kind_key="staff",
            by=world.erin,
            filename="x.csv",
            data=csv(STAFF_HEADER, staff_line(unit="Okänd")),
        )
    )
    response = api.post(reverse("api-import-apply", args=[bad.pk]))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": ["Filen har rader med fel: rätta dem och ladda upp filen igen."]
    }
    dry = services.run_preview_now(
        run=services.run_create(
            organisation=world.org,
            kind_key="staff",
            by=world.erin,
            filename="x.csv",
            data=csv(STAFF_HEADER, staff_line()),
            dry_run=True,
        )
    )
    assert api.post(reverse("api-import-apply", args=[dry.pk])).status_code == 400
    assert not StaffMember.objects.filter(employee_number="1001").exists()


def test_an_unknown_action_filter_is_400(world, api):
    run = ImportRun.objects.create(organisation=world.org, kind="staff", filename="x.csv")
    response = api.get(reverse("api-import-run", args=[run.pk]), {"action": "delete"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["action"]


def test_a_social_workers_token_is_403(world):
    _token, key = api_token_create(organisation=world.org, staff=world.bob, name="x")
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").post(reverse("api-import-upload"), {"kind": "staff"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_another_organisations_run_is_404(world, api):
    run = ImportRun.objects.create(organisation=world.other_org, kind="staff", filename="beta.csv")
    for response in (
        api.get(reverse("api-import-run", args=[run.pk])),
        api.post(reverse("api-import-apply", args=[run.pk])),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("pk", ["³", "١٢", "12a", "9" * 19])
def test_a_run_id_that_is_no_number_is_the_json_404(world, api, pk):
    """Found by schemathesis: "³".isdigit() is True and int("³") fails, which was a 500."""
    for response in (api.get(f"/api/v1/imports/{pk}/"), api.post(f"/api/v1/imports/{pk}/apply/")):
        assert response.status_code == 404, pk
        assert response.json()["error"]["code"] == "not_found"
