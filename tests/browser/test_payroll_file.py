"""The payroll file in the browser (issue 19): HR keeps the layout and a cost centre on the payroll page with
the keyboard alone, the month is prepared by HR and approved by a second person of HR (their clicks are in
test_supplement_months.py), and the file downloaded from the page's table of months holds exactly the lines
of the frozen month: employee number, pay code, period, amount and cost centre. The supplement report's
Excel link gives a workbook with the page's table in it. axe on each page."""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from competence.models import PayrollLayout, SupplementMonth, UnitCostCentre
from competence.selectors import supplement_report
from competence.services import payroll_approve, payroll_prepare
from staff.models import Organisation, Role, RoleAssignment, StaffMember
from tests.browser.conftest import assert_accessible, login, tab_to


def _last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _type_into(page, field, text: str) -> None:
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def expected_file(organisation, month: datetime.date, *, pay_code: str, correction_code: str) -> bytes:
    """The Stabil CSV of the frozen month, from its stored rows: one line per person and cost centre (and per
    corrected month), 0 kr left out, ordered by employee number, period, pay code and cost centre."""
    frozen = SupplementMonth.objects.get(organisation=organisation, month=month)
    centres = dict(UnitCostCentre.objects.filter(organisation=organisation).values_list("unit_id", "code"))
    amounts = defaultdict(Decimal)
    for row in frozen.rows.select_related("staff"):
        code, period = (pay_code, month) if row.corrects is None else (correction_code, row.corrects)
        amounts[(row.staff.employee_number.strip(), period, code, centres.get(row.unit_id, ""))] += row.amount
    lines = ["employee_number;pay_code;period;amount;cost_centre"]
    for (number, period, code, centre), amount in sorted(amounts.items()):
        if amount:
            lines.append(f"{number};{code};{period:%Y%m};{f'{amount:.2f}'.replace('.', ',')};{centre}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_hr_keeps_the_layout_by_keyboard_and_downloads_the_approved_file(page, live_server, demo):
    last = _last_month()
    org = Organisation.objects.get(slug="demo")
    hr = StaffMember.objects.get(user__username="hr")
    admin = StaffMember.objects.get(user__username="admin")
    RoleAssignment.objects.create(organisation=org, staff=admin, role=Role.HR)  # the second person of HR
    paid_unit = next(r.unit_id for r in supplement_report(organisation=org, month=last).rows if r.amount)

    login(page, live_server, "hr")
    page.goto(f"{live_server.url}/ladder/payroll/")
    assert page.get_by_role("heading", name="Lönefil", exact=True).is_visible()
    assert page.get_by_test_id("approvals").get_by_text("Ingen månad har förberetts ännu.").is_visible()
    assert_accessible(page)

    # The correction's pay code typed, then Tab to the layout's button and Enter.
    _type_into(page, page.get_by_label("Lönart för en rättelse"), "329")
    tab_to(page, "Spara upplägget", limit=80)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Lönefilens upplägg sparades.").is_visible()
    assert PayrollLayout.objects.get(organisation=org).correction_pay_code == "329"

    # A cost centre, typed in its field (labelled by the unit's name) and saved with Enter.
    field = page.locator(f"#cc-{paid_unit}")
    _type_into(page, field, "KS999")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("1 kostnadsställen sparades.").is_visible()
    assert page.locator(f"#cc-{paid_unit}").input_value() == "KS999"
    assert UnitCostCentre.objects.get(unit_id=paid_unit).code == "KS999"
    assert_accessible(page)

    payroll_prepare(organisation=org, month=last, by=hr)
    payroll_approve(organisation=org, month=last, by=admin)
    page.reload()
    row = page.get_by_test_id("approvals").get_by_role("row", name=f"{last:%Y-%m}")
    assert row.get_by_text(hr.full_name).is_visible() and row.get_by_text(admin.full_name).is_visible()
    assert_accessible(page)

    # The file by keyboard from the table of months: its link named with the month for a screen reader.
    page.get_by_role("link", name=f"Ladda ner {last:%Y-%m}").focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == f"lonetransaktioner-{last:%Y-%m}.csv"
    data = Path(download.value.path()).read_bytes()
    expected = expected_file(org, last, pay_code="321", correction_code="329")
    assert data == expected
    assert f";321;{last:%Y%m};".encode() in data and b";KS999\r\n" in data  # not an empty file: the unit's line


def _number(text: str) -> Decimal:
    """A number as the page shows it (Swedish: a space between thousands, a decimal comma)."""
    return Decimal(text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", "."))


def test_the_supplement_reports_excel_file_holds_the_pages_table(page, live_server, demo):
    """The running month (its export is preliminary and freezes nothing)."""
    from openpyxl import load_workbook

    this = timezone.localdate().replace(day=1)
    login(page, live_server, "hr")
    page.goto(f"{live_server.url}/ladder/supplements/?month={this:%Y-%m}")
    table = page.get_by_role("table", name=f"Tillägg för {this:%Y-%m}")
    header = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    first = [text.strip() for text in table.locator("tbody tr").first.locator("td").all_inner_texts()]
    assert len(first) == 6, first  # a person's row, not "no supplements"
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner Excel (xlsx)").click()
    assert download.value.suggested_filename == f"tillagg-{this:%Y-%m}.xlsx"
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    sheet = book.active
    assert sheet.title == f"{this:%Y-%m}"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == header
    name, unit, level, days, fte, amount = rows[1]
    assert [name, unit or "–", level] == first[:3]
    assert days == int(first[3])
    assert Decimal(str(fte)) == _number(first[4]) and Decimal(str(amount)).quantize(Decimal("0.01")) == _number(
        first[5]
    )


def test_the_unit_load_excel_file_holds_the_pages_table(page, live_server, demo):
    """The unit dashboard's load table: the workbook's columns of the same names hold the page's values."""
    from openpyxl import load_workbook

    login(page, live_server, "manager")
    table = page.locator("#load-table")
    header = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    first = table.locator("tbody tr").first
    shown = [first.locator("th").inner_text().strip()] + [t.strip() for t in first.locator("td").all_inner_texts()]
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner som Excel (xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    columns = list(rows[0])
    assert columns[:4] == header[:4]  # worker, level, main and co cases, in the page's order
    values = dict(zip(columns, rows[1], strict=True))
    for name in header[:4]:
        page_value = dict(zip(header, shown, strict=True))[name]
        assert str(values[name] if values[name] != "" else "–") == page_value, name
    measure = dict(zip(header, shown, strict=True))["Belastning mot kapacitet"]
    shown_capacity = re.search(r"av ([0-9][0-9\u00a0 ]*(?:,[0-9]+)?)", measure)
    assert shown_capacity, measure
    # the workbook rounds the capacity to tenths, the page shows its hundredths
    assert abs(Decimal(str(values["Kapacitet"])) - _number(shown_capacity.group(1))) <= Decimal("0.05")
    assert_accessible(page)
