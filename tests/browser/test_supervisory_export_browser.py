"""An organisation admin makes the export for a supervisory request in the browser: a field error for an
unknown case number, then the zip; axe on the form and on its error state."""

import datetime
import io
import json
import zipfile

from django.utils import timezone

from caseload.models import Case
from staff.models import StaffMember
from staff.platform.audit.models import AccessLogEntry
from tests.browser.conftest import assert_accessible, login


def test_org_admin_exports_a_case_for_a_supervisory_request(page, live_server, demo):
    admin = StaffMember.objects.get(user__username="admin")
    case = Case.objects.filter(organisation=admin.organisation).order_by("pk").first()
    today = timezone.localdate()
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/access-log/review/")
    page.get_by_role("link", name="Export vid tillsyn").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Export vid tillsyn").is_visible()
    assert_accessible(page)

    page.get_by_label("Ärendenummer").fill("FINNS-INTE-1")
    page.get_by_label("Från").fill((today - datetime.timedelta(days=30)).isoformat())
    page.get_by_label("Till").fill(today.isoformat())
    page.get_by_role("button", name="Ladda ner zip-fil").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Inget ärende i er organisation har det här numret.").is_visible()
    assert_accessible(page)

    page.get_by_label("Ärendenummer").fill(case.number)
    with page.expect_download() as info:
        page.get_by_role("button", name="Ladda ner zip-fil").click()
    download = info.value
    assert download.suggested_filename.startswith(f"tillsyn-arende-{case.pk}-")
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    document = json.loads(archive.read("export.json"))
    assert document["subject"] == {"case_id": case.pk, "case_number": case.number}
    assert "reads.csv" in archive.namelist()
    rows = AccessLogEntry.objects.filter(url_name="staff:supervisory_export").order_by("pk")
    # the empty form, the refused number (400), the download naming the case
    assert [(r.status, r.object_id) for r in rows] == [(200, None), (400, None), (200, case.pk)]
    assert {(r.actor_id, r.channel) for r in rows} == {(admin.pk, "export")}
