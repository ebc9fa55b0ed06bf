"""Issue 19: HR uploads the HR system's staff file with an error, sees the row's error in the preview, fixes the
file, uploads it again (the column mapping is remembered), applies it, and the people are in Stabil. The preview
and the apply run in a real Celery worker; the progress bar's script polls until each is done. axe scans each page."""

from __future__ import annotations

from staff.imports.models import ImportRun
from staff.models import StaffMember
from tests.browser.conftest import assert_accessible, login
from tests.factories import TEST_PASSWORD
from tests.staff.imports_support import STAFF_HEADER, csv, staff_line


def _upload(page, live_server, data: bytes) -> None:
    page.goto(f"{live_server.url}/imports/")
    page.get_by_role("link", name="Ladda upp en fil").click()
    page.get_by_label("Vad filen innehåller").select_option(label="Personal")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "heroma.csv", "mimeType": "text/csv", "buffer": data}]
    )
    assert_accessible(page)
    page.get_by_role("button", name="Ladda upp").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Filens kolumner").is_visible()
    assert page.get_by_label("anställningsnummer").input_value() == "Anst.nr"  # proposed, or kept from before
    assert_accessible(page)
    page.get_by_role("button", name="Förhandsgranska").click()


def test_an_import_with_an_error_is_fixed_uploaded_again_and_applied(
    page, live_server, transactional_db, world, celery_worker
):
    login(page, live_server, "erin", TEST_PASSWORD)
    wrong = csv(STAFF_HEADER, staff_line(), staff_line(number="1002", first="Omar", unit="Utredningen"))
    _upload(page, live_server, wrong)
    # The script reloads the page when the worker has previewed the file.
    page.get_by_text("Enhet: det finns ingen enhet ”Utredningen” i Stabil.").wait_for(timeout=60000)
    assert page.get_by_role("button", name="Genomför").count() == 0
    assert page.get_by_text("Rader med fel: rätta dem i filen och ladda upp den igen.").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Fel (1)").click()
    assert page.locator("#import-rows tbody tr").count() == 1
    assert not StaffMember.objects.filter(employee_number__in=["1001", "1002"]).exists()

    fixed = csv(STAFF_HEADER, staff_line(), staff_line(number="1002", first="Omar", unit="Utredning"))
    _upload(page, live_server, fixed)
    page.get_by_role("button", name="Genomför").wait_for(timeout=60000)
    assert page.get_by_role("link", name="Ny (2)").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Genomför").click()
    assert page.get_by_text("Genomföra heroma.csv? 2 rader ändrar Stabils uppgifter").is_visible()
    page.get_by_role("button", name="Genomför").click()
    page.get_by_text("Importen är genomförd.").wait_for(timeout=60000)
    assert_accessible(page)

    people = StaffMember.objects.filter(organisation=world.org, employee_number__in=["1001", "1002"])
    assert sorted(people.values_list("first_name", "unit__name")) == [("Omar", "Utredning"), ("Åsa", "Utredning")]
    assert list(ImportRun.objects.order_by("pk").values_list("status", flat=True)) == ["previewed", "applied"]
    page.goto(f"{live_server.url}/imports/")
    assert page.get_by_role("table").get_by_text("Genomförd").is_visible()
    assert_accessible(page)
