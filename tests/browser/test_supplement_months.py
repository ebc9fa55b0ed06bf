"""Issue 16, item 2, in the browser: the admin changes a person's FTE from a date and sees the periods; HR
prepares last month's payroll file and a second person of HR approves it (issue 19: two people, after a
question that shows the file's lines) and downloads the file, and a backdated change then shows as a
correction this month."""

import datetime
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from competence.models import SupplementMonth
from staff.models import EmploymentExtent, Role, RoleAssignment, StaffMember
from tests.browser.conftest import assert_accessible, login
from tests.browser.test_payroll_file import expected_file


def _months():
    this = timezone.localdate().replace(day=1)
    last = (this - datetime.timedelta(days=1)).replace(day=1)
    return last, this


def test_hr_approves_last_month_and_a_backdated_fte_change_is_corrected_this_month(page, live_server, demo):
    last, this = _months()
    login(page, live_server, "hr")
    page.goto(f"{live_server.url}/ladder/supplements/?month={last:%Y-%m}")
    assert page.get_by_role("button", name="Godkänn månaden").count() == 0  # nothing prepared yet
    page.get_by_role("button", name="Förbered lönefilen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(f"Förbereda lönefilen för {last:%Y-%m}?").is_visible()
    page.get_by_role("button", name="Förbered", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("payroll-prepared").is_visible()
    assert page.get_by_role("button", name="Godkänn månaden").count() == 0  # not by the one who prepared
    assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()

    # the organisation admin of the demo is also of HR here: the second person
    admin = StaffMember.objects.get(user__username="admin")
    RoleAssignment.objects.create(organisation=admin.organisation, staff=admin, role=Role.HR)
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/ladder/supplements/?month={last:%Y-%m}")
    page.get_by_role("button", name="Godkänn månaden").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(f"Godkänna tilläggsrapporten för {last:%Y-%m}?").is_visible()
    assert page.get_by_test_id("approve-lines").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Godkänn", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(f"Tilläggsrapporten för {last:%Y-%m} är godkänd.").is_visible()
    assert page.get_by_test_id("frozen").is_visible()
    assert page.get_by_role("button", name="Godkänn månaden").count() == 0
    assert_accessible(page)
    # Released now: the file downloaded through the browser holds the frozen month's lines, byte for byte.
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner lönefilen").click()
    assert download.value.suggested_filename == f"lonetransaktioner-{last:%Y-%m}.csv"
    demo_org = admin.organisation
    expected = expected_file(demo_org, last, pay_code="321", correction_code="321")  # the demo's layout
    assert Path(download.value.path()).read_bytes() == expected and expected.count(b"\r\n") > 1
    frozen = SupplementMonth.objects.get(organisation__slug="demo", month=last)
    paid = frozen.rows.filter(amount__gt=0, fte=Decimal("1.00"), staff__employment_start__lte=last)
    person = StaffMember.objects.get(pk=paid.first().staff_id)
    page.get_by_role("button", name="Logga ut").click()

    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/people/{person.pk}/")
    page.locator("#id_fte").fill("0.50")
    page.get_by_label("Ny sysselsättningsgrad gäller från").fill(f"{last:%Y-%m-%d}")
    page.get_by_role("button", name="Spara", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("fte-periods").get_by_text("0,50").is_visible()
    assert_accessible(page)
    assert EmploymentExtent.objects.filter(staff=person, valid_from=last, fte=Decimal("0.50")).exists()
    page.get_by_role("button", name="Logga ut").click()

    login(page, live_server, "hr")
    page.goto(f"{live_server.url}/ladder/supplements/?month={this:%Y-%m}")
    corrections = page.get_by_test_id("corrections")
    assert corrections.get_by_text(person.full_name).is_visible()
    assert corrections.get_by_text("ändrad omfattning").is_visible()
    assert_accessible(page)
