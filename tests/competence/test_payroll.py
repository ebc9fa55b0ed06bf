"""Issue 19, part 5: the month's supplements out to payroll, prepared by one person and approved by another.

Today is 10 December 2026. November: carol (level 4, 5 000 kr, Utredning), heidi (level 2, 2 000 kr at 0.75,
Mottagning) and bob (level 1). Each test gives the people their employee numbers unless it is about the
missing ones.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from competence import payroll
from competence.models import PayrollApproval, PayrollLayout, SupplementMonth, UnitCostCentre
from competence.services import (
    cost_centres_save,
    payroll_approve,
    payroll_file,
    payroll_layout_save,
    payroll_prepare,
)
from staff.models import Role, RoleAssignment, StaffMember
from staff.services import staff_member_update
from tests.confirmation import confirmation_page

NOV, DEC, JAN = datetime.date(2026, 11, 1), datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)
D = Decimal


pytestmark = pytest.mark.usefixtures("december")


@pytest.fixture
def numbered(world, ladder):
    StaffMember.objects.filter(pk=world.heidi.pk).update(fte=D("0.75"))
    for name, number in (("bob", "1001"), ("carol", "1002"), ("heidi", "1003")):
        StaffMember.objects.filter(pk=getattr(world, name).pk).update(employee_number=number)
    cost_centres_save(organisation=world.org, by=world.erin, codes={world.unit.pk: "KS410", world.intake_unit.pk: ""})
    payroll_layout_save(
        organisation=world.org, by=world.frank, **(payroll.preset_fields("stabil_csv") | {"pay_code": "321"})
    )
    # frank, the organisation admin, is also of HR: the second person who approves
    RoleAssignment.objects.create(organisation=world.org, staff=world.frank, role=Role.HR)
    return world


def _lines(world, month):
    return payroll.lines(organisation=world.org, month=month, layout=payroll.layout_for(world.org))


def _file(world, month) -> str:
    name, data, encoding = payroll_file(organisation=world.org, month=month)
    return data.decode(encoding)


def test_a_person_without_an_employee_number_stops_the_file_and_is_named(numbered):
    world = numbered
    StaffMember.objects.filter(pk=world.heidi.pk).update(employee_number=" ")
    with pytest.raises(ValidationError) as refused:
        payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    assert "Heidi Testsson" in refused.value.messages[0] and "Bob" not in refused.value.messages[0]
    assert not PayrollApproval.objects.exists()


def test_someone_whose_supplement_is_0_kr_needs_no_employee_number(numbered):
    """bob's level-1 months with supplement are over by November: no line, so no number needed."""
    world = numbered
    StaffMember.objects.filter(pk=world.bob.pk).update(employee_number="")
    assert "1001" not in {x.employee_number for x in _lines(world, NOV)}
    assert payroll_prepare(organisation=world.org, month=NOV, by=world.erin).lines == 2


def test_two_people_prepare_and_approve_then_the_file_is_released(numbered):
    world = numbered
    prepared = payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    assert (prepared.lines, prepared.approved_by) == (len(_lines(world, NOV)), None)
    with pytest.raises(ValidationError, match="lämnas ut när två personer"):
        payroll_file(organisation=world.org, month=NOV)
    with pytest.raises(ValidationError, match="Någon annan än den som förberedde"):
        payroll_approve(organisation=world.org, month=NOV, by=world.erin)
    assert not SupplementMonth.objects.exists()  # nothing is locked by one person
    approved = payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    assert approved.approved_by == world.frank
    frozen = SupplementMonth.objects.get(organisation=world.org, month=NOV)
    assert (frozen.how, frozen.frozen_by) == ("approved", world.frank)
    text = _file(world, NOV)
    lines = text.split("\r\n")
    assert lines[0] == "employee_number;pay_code;period;amount;cost_centre"
    assert "1002;321;202611;5000,00;KS410" in lines  # carol in Utredning, its cost centre
    assert "1003;321;202611;1500,00;" in lines  # heidi at 0.75 in Mottagning, which has no cost centre
    assert lines[-1] == ""  # every line ends with CR LF
    with pytest.raises(ValidationError, match="redan godkänd"):
        payroll_approve(organisation=world.org, month=NOV, by=world.frank)


def test_the_table_refuses_one_person_as_both(numbered):
    world = numbered
    prepared = payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollApproval.objects.filter(pk=prepared.pk).update(approved_by=world.erin)


def test_a_change_between_preparing_and_approving_sends_the_month_back(numbered):
    world = numbered
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    world.heidi.refresh_from_db()
    staff_member_update(member=world.heidi, fte=D("0.50"), fte_valid_from=datetime.date(2026, 11, 16), by=world.frank)
    with pytest.raises(ValidationError, match="har ändrats sedan filen förbereddes"):
        payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    assert not SupplementMonth.objects.exists()
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)  # prepared again, with the new lines
    payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    assert "1003;321;202611;1250,00;" in _file(world, NOV)  # 15 days at 0.75 and 15 at 0.50


def test_an_approved_month_is_locked_and_a_later_change_is_a_correction_line_next_month(numbered):
    world = numbered
    payroll_layout_save(
        organisation=world.org, by=world.frank, **(payroll.preset_fields("stabil_csv") | {"pay_code": "321"})
    )
    PayrollLayout.objects.filter(organisation=world.org).update(correction_pay_code="329")
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    november = _file(world, NOV)
    world.heidi.refresh_from_db()
    staff_member_update(member=world.heidi, fte=D("0.50"), fte_valid_from=datetime.date(2026, 11, 16), by=world.frank)
    assert _file(world, NOV) == november  # the approved month's file does not move
    december = {(x.employee_number, x.pay_code, x.period): x.amount for x in _lines(world, DEC)}
    assert december[("1003", "329", NOV)] == D("-250.00")  # November corrected, paid in December
    assert december[("1003", "321", DEC)] == D("1000.00")
    with pytest.raises(ValidationError, match="redan godkänd"):
        payroll_prepare(organisation=world.org, month=NOV, by=world.erin)


def test_a_changed_cost_centre_after_approval_holds_the_file_back(numbered):
    world = numbered
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    UnitCostCentre.objects.filter(unit=world.unit).update(code="KS999")
    with pytest.raises(ValidationError, match="inte längre den som godkändes"):
        payroll_file(organisation=world.org, month=NOV)
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    assert "1002;321;202611;5000,00;KS999" in _file(world, NOV)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_the_fixed_width_preset_pads_numbers_right_and_text_left_in_ore(numbered, encoding):
    """Widths are bytes of the file's encoding: Å is one byte in Windows-1252 and two in UTF-8, and the
    columns after it stay where a reader of byte positions looks for them."""
    world = numbered
    fields = payroll.preset_fields("stabil_fixed") | {"pay_code": "321", "encoding": encoding}
    payroll_layout_save(organisation=world.org, by=world.frank, **fields)
    StaffMember.objects.filter(pk=world.carol.pk).update(employee_number="Å102")
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    name, data, encoding = payroll_file(organisation=world.org, month=NOV)
    assert name == "lonetransaktioner-2026-11.txt"
    lines = data.split(b"\r\n")
    pad = " " * (6 if encoding == "cp1252" else 5)
    assert f"Å102{pad}321   202611      500000KS410     ".encode(encoding) in lines
    assert all(len(line) == 44 for line in lines[:-1])


def test_a_value_wider_than_its_column_is_refused_not_cut(numbered):
    world = numbered
    fields = payroll.preset_fields("stabil_fixed") | {"widths": "10,6,6,6,10"}  # 500000 fits, 5000,00 kr no more
    payroll_layout_save(organisation=world.org, by=world.frank, **fields)
    StaffMember.objects.filter(pk=world.carol.pk).update(employee_number="12345678901")
    with pytest.raises(ValidationError, match="bredare än kolumnens 10 tecken"):
        payroll_prepare(organisation=world.org, month=NOV, by=world.erin)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"columns": "employee_number,amount,salary"}, "columns", "Använd kolumnerna"),
        ({"columns": "amount,amount,employee_number"}, "columns", "bara anges en gång"),
        ({"columns": "pay_code,period"}, "columns", "Anställningsnumret och beloppet"),
        ({"file_format": "fixed", "widths": "10,6,6,12"}, "widths", "en bredd mellan 1 och 100"),
        ({"file_format": "fixed", "widths": "10,6,6,101,10"}, "widths", "en bredd mellan 1 och 100"),
        ({"delimiter": ""}, "delimiter", "ett tecken som avgränsare"),
        ({"pay_code": ""}, "pay_code", "Det här fältet är obligatoriskt"),
        ({"delimiter": ",", "amount_format": "comma"}, "delimiter", "Ett kommatecken kan inte vara avgränsare"),
        ({"delimiter": "1"}, "delimiter", "ett tecken som avgränsare"),
        ({"pay_code": "3;21"}, "pay_code", "Använd bara bokstäverna A–Z"),
        ({"correction_pay_code": "=1"}, "correction_pay_code", "Använd bara bokstäverna A–Z"),
        ({"file_format": "fixed", "widths": "10,6,6,12,1²"}, "widths", "en bredd mellan 1 och 100"),
    ],
)
def test_a_bad_layout_is_refused_at_its_field(world, fields, field, message):
    data = {
        "action": "layout",
        "file_format": "csv",
        "columns": "employee_number,pay_code,period,amount,cost_centre",
        "widths": "",
        "delimiter": ";",
        "pay_code": "321",
        "period_format": "YYYYMM",
        "amount_format": "comma",
        "encoding": "utf-8",
    } | fields
    response = world.client("erin").post(reverse("competence:payroll"), data)
    assert response.status_code == 400
    assert message in str(response.context["layout_form"].errors[field])
    assert not PayrollLayout.objects.exists()
    data.update({"columns": "employee_number,pay_code,period,amount,cost_centre", "widths": "10,6,6,12,10"})
    data.update({"delimiter": ";", "pay_code": "321", "correction_pay_code": ""})
    assert world.client("erin").post(reverse("competence:payroll"), data).status_code == 302
    assert PayrollLayout.objects.get(organisation=world.org).pay_code == "321"


def test_cost_centres_on_the_page_and_another_organisations_unit_refused(world):
    client = world.client("erin")
    page = client.get(reverse("competence:payroll")).content.decode()
    assert world.unit.name in page and world.other_unit.name not in page
    assert "Ingen månad har förberetts ännu." in page
    response = client.post(reverse("competence:payroll"), {"action": "centres", f"cc-{world.unit.pk}": "KS410"})
    assert response.status_code == 302
    assert UnitCostCentre.objects.get(unit=world.unit).code == "KS410"
    refused = client.post(reverse("competence:payroll"), {"action": "centres", f"cc-{world.other_unit.pk}": "X"})
    assert refused.status_code == 400 and not UnitCostCentre.objects.filter(unit=world.other_unit).exists()


def test_the_supplement_page_walks_two_people_through_the_month(numbered):
    world = numbered
    erin, frank = world.client("erin"), world.client("frank")
    month_page = reverse("competence:supplements") + "?month=2026-11"
    prepare = reverse("competence:supplements_prepare", args=["2026-11"])
    approve = reverse("competence:supplements_approve", args=["2026-11"])
    download = reverse("competence:payroll_file", args=["2026-11"])
    page = erin.get(month_page).content.decode()
    assert prepare in page and approve not in page
    confirmation_page(erin, prepare, "Förbereda lönefilen för 2026-11?")
    assert erin.post(prepare, {"confirm": "1"}).status_code == 302
    page = erin.get(month_page).content.decode()
    assert approve not in page and "väntar på att någon annan godkänner den" in page
    assert erin.get(download).status_code == 302  # not approved: back to the month, with the reason
    assert erin.post(approve, {"confirm": "1"}).status_code == 302
    assert not SupplementMonth.objects.exists()  # the preparer's own approval is refused
    page = frank.get(month_page).content.decode()
    assert approve in page
    assert frank.post(approve, {"confirm": "1"}).status_code == 302
    page = frank.get(month_page).content.decode()
    assert "månaden är låst" in page and download in page and approve not in page
    response = frank.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    assert 'filename="lonetransaktioner-2026-11.csv"' in response["Content-Disposition"]
    assert b"1002;321;202611;5000,00;KS410" in response.content


def test_a_month_not_begun_cannot_be_prepared_one_begun_today_can(numbered):
    world = numbered
    with pytest.raises(ValidationError, match="inte har börjat"):
        payroll_prepare(organisation=world.org, month=JAN, by=world.erin)
    assert payroll_prepare(organisation=world.org, month=DEC, by=world.erin).month == DEC
    with time_machine.travel(datetime.datetime(2026, 12, 31, 22, 59, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(ValidationError, match="inte har börjat"):  # 23:59 on 31 December in Stockholm
            payroll_prepare(organisation=world.org, month=JAN, by=world.erin)
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 0, tzinfo=datetime.UTC), tick=False):
        assert payroll_prepare(organisation=world.org, month=JAN, by=world.erin).month == JAN


@pytest.mark.parametrize("name", ["alice", "bob", "dave", "grace"])
def test_only_hr_and_the_organisation_admin_reach_payroll(numbered, name):
    world = numbered
    client = world.client(name)
    assert client.get(reverse("competence:payroll")).status_code == 403
    assert client.post(reverse("competence:supplements_prepare", args=["2026-11"]), {"confirm": "1"}).status_code == 403
    assert client.get(reverse("competence:payroll_file", args=["2026-11"])).status_code == 403
    assert not PayrollApproval.objects.exists()


def test_the_outsider_prepares_and_downloads_only_their_own_organisations_month(numbered):
    world = numbered
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    RoleAssignment.objects.create(organisation=world.other_org, staff=world.charlie, role=Role.HR)
    StaffMember.objects.filter(pk=world.charlie.pk).update(employee_number="B-1")
    payroll_layout_save(
        organisation=world.other_org, by=world.charlie, **(payroll.preset_fields("stabil_csv") | {"pay_code": "1"})
    )
    charlie = world.client("charlie")
    response = charlie.get(reverse("competence:payroll_file", args=["2026-11"]))
    assert response.status_code == 302 and b"1002" not in response.content  # Beta's November: not approved
    charlie.post(reverse("competence:supplements_prepare", args=["2026-10"]), {"confirm": "1"})
    assert PayrollApproval.objects.filter(organisation=world.other_org, month=datetime.date(2026, 10, 1)).exists()
    assert not PayrollApproval.objects.filter(organisation=world.org, month=datetime.date(2026, 10, 1)).exists()
    assert world.org.pk not in set(
        PayrollApproval.objects.filter(prepared_by=world.charlie).values_list("organisation_id", flat=True)
    )


def test_a_bad_month_is_not_found(world):
    assert world.client("erin").post(reverse("competence:supplements_prepare", args=["2026-13"])).status_code == 404
    assert world.client("erin").get(reverse("competence:payroll_file", args=["x"])).status_code == 404


SAMPLE_LINES = [
    payroll.Line("1001", "321", NOV, D("2141.94"), "KS410", 30),
    payroll.Line("1002", "321", NOV, D("5000.00"), "KS410", 30),
    payroll.Line("1003", "329", datetime.date(2026, 10, 1), D("-250.00"), "KS420", None),
]


@pytest.mark.parametrize(
    ("preset", "sample"), [("stabil_csv", "payroll-stabil.csv"), ("stabil_fixed", "payroll-fixed.txt")]
)
def test_the_documented_samples_are_what_the_presets_write(world, preset, sample):
    """docs/integrations.md shows these files: they stay true to the code."""
    from pathlib import Path

    layout = PayrollLayout(organisation=world.org, **payroll.preset_fields(preset))
    written = payroll.render(layout, SAMPLE_LINES)
    assert (Path(__file__).resolve().parents[2] / "docs" / "samples" / sample).read_bytes() == written


def test_the_organisation_admin_alone_does_not_approve(numbered):
    world = numbered
    RoleAssignment.objects.filter(staff=world.frank, role=Role.HR).delete()
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    with pytest.raises(ValidationError, match="En annan person på HR godkänner"):
        payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    url = reverse("competence:supplements_approve", args=["2026-11"])
    assert world.client("frank").post(url, {"confirm": "1"}).status_code == 403
    assert not SupplementMonth.objects.exists()


def test_without_a_saved_layout_or_pay_code_nothing_is_prepared(world, ladder):
    StaffMember.objects.filter(organisation=world.org).update(employee_number="1")
    with pytest.raises(ValidationError, match="lönart"):
        payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    assert not PayrollApproval.objects.exists()


def test_a_cost_centre_that_could_forge_a_line_is_refused_at_its_field(numbered):
    world = numbered
    client = world.client("erin")
    forged = "K\r\n9999;321;202611;99999,00;K"
    response = client.post(
        reverse("competence:payroll"),
        {"action": "centres", f"cc-{world.unit.pk}": forged, f"cc-{world.intake_unit.pk}": "KS420"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="cc-{world.unit.pk}-error"' in html and 'aria-invalid="true"' in html
    assert UnitCostCentre.objects.get(unit=world.unit).code == "KS410"  # nothing saved, not even the good one
    assert not UnitCostCentre.objects.filter(unit=world.intake_unit).exists()
    for key in ("cc-²", "cc-abc", "cc-99999999999999999999"):
        assert client.post(reverse("competence:payroll"), {"action": "centres", key: "X"}).status_code in (302, 400)


@pytest.mark.parametrize("number", ["=1+1", "10\n02", '10"02', "10;02", "+4670"])
def test_an_employee_number_the_file_cannot_carry_is_refused_before_approval(numbered, number):
    world = numbered
    StaffMember.objects.filter(pk=world.carol.pk).update(employee_number=number)
    with pytest.raises(ValidationError):
        payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    assert not PayrollApproval.objects.exists()


def test_a_layout_change_after_approval_holds_the_file_back_until_approved_again(numbered):
    world = numbered
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    approved = _file(world, NOV)
    payroll_layout_save(
        organisation=world.org,
        by=world.erin,
        **(payroll.preset_fields("stabil_csv") | {"pay_code": "321", "amount_format": "ore"}),
    )
    with pytest.raises(ValidationError, match="inte längre den som godkändes"):
        payroll_file(organisation=world.org, month=NOV)
    client = world.client("erin")
    page = client.get(reverse("competence:supplements"), {"month": "2026-11"}).content.decode()
    assert 'data-testid="payroll-held-back"' in page
    assert reverse("competence:supplements_prepare", args=["2026-11"]) in page  # prepare again
    download = client.get(reverse("competence:payroll_file", args=["2026-11"]))
    assert download.status_code == 302 and download["Location"].endswith("?month=2026-11")
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    assert _file(world, NOV) != approved and "1002;321;202611;500000;KS410" in _file(world, NOV)


def test_the_approver_sees_the_lines_before_approving(numbered):
    world = numbered
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    page = world.client("frank").post(reverse("competence:supplements_approve", args=["2026-11"]))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="approve-lines"' in html
    assert "Förberedd av Erin Testsson" in html and "KS410" in html and "1002" in html
    assert not SupplementMonth.objects.exists()


def test_widths_with_a_trailing_comma_are_saved_clean_and_the_file_is_written(numbered):
    world = numbered
    fields = payroll.preset_fields("stabil_fixed") | {"pay_code": "321", "widths": "10, 6,6,12,10,"}
    layout = payroll_layout_save(organisation=world.org, by=world.erin, **fields)
    assert layout.widths == "10,6,6,12,10"
    assert payroll_prepare(organisation=world.org, month=NOV, by=world.erin).lines == 2


def test_the_month_the_approvers_question_and_the_file_each_compute_the_lines_once(numbered, django_assert_num_queries):
    """The month's report, and the lines read from it, are computed once a request: the supplement page reads
    the file's lines from the report it shows; a download that is held back does not compute them again to
    say why. The request's own queries are 6 (session, user, staff, savepoint and its release, roles), the
    access log's entry 1, and on PostgreSQL 2 more: the row-level security's organisation set and cleared."""
    from django.db import connection

    own = 7 + (2 if connection.vendor == "postgresql" else 0)
    world = numbered
    frank = world.client("frank")
    month_page = reverse("competence:supplements") + "?month=2026-11"
    approve = reverse("competence:supplements_approve", args=["2026-11"])
    download = reverse("competence:payroll_file", args=["2026-11"])
    payroll_prepare(organisation=world.org, month=NOV, by=world.erin)
    frank.get(month_page)
    # + the approval and who prepared it, the layout, the live month (levels, frozen months, placements,
    # amounts, terms, FTE periods, people), the consultants and the cost centres
    with django_assert_num_queries(own + 11):
        assert frank.post(approve).status_code == 200
    payroll_approve(organisation=world.org, month=NOV, by=world.frank)
    # + the frozen month (levels, frozen months, stored rows, people), the consultants, the approval with its
    # two people, the layout and the cost centres: once, not again for the file
    with django_assert_num_queries(own + 8):
        assert 'data-testid="payroll-approved"' in frank.get(month_page).content.decode()
    # + the approval, the layout, the frozen month, the consultants and the cost centres
    with django_assert_num_queries(own + 8):
        assert frank.get(download).status_code == 200
    UnitCostCentre.objects.filter(unit=world.unit).update(code="KS999")
    with django_assert_num_queries(own + 8):  # held back: the same reads, and the reason without a second round
        held = frank.get(download)
    assert held.status_code == 302
    with django_assert_num_queries(own + 8):
        assert 'data-testid="payroll-held-back"' in frank.get(month_page).content.decode()
