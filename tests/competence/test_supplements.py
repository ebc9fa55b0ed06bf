"""The monthly supplement report: a mid-month level change and a mid-month amount change, by hand."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from competence.models import LevelPlacement, SupplementRate
from competence.selectors import supplement_report
from competence.services import ladder_settings_update, supplement_rate_add
from staff.models import StaffMember
from tests.factories import StaffMemberFactory

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def march(world, ladder):
    """Bob (FTE 0.5) moves from level 1 to 2 on 16 March; level 2 is raised from 2 000 to 2 400 on 21 March."""
    LevelPlacement.objects.filter(staff=world.bob).update(end=datetime.date(2026, 3, 15))
    LevelPlacement.objects.create(
        organisation=world.org, staff=world.bob, level=ladder[2], start=datetime.date(2026, 3, 16)
    )
    StaffMember.objects.filter(pk=world.bob.pk).update(fte=Decimal("0.50"))
    SupplementRate.objects.create(
        organisation=world.org, level=ladder[2], amount=Decimal("2400"), valid_from=datetime.date(2026, 3, 21)
    )
    StaffMemberFactory(
        organisation=world.org,
        unit=world.unit,
        first_name="Konrad",
        last_name="Konsult",
        employment_type=StaffMember.EmploymentType.CONSULTANT,
        consultant_monthly_cost=Decimal("100000"),
        employment_start=datetime.date(2026, 3, 11),
    )
    return ladder


def _rows(report):
    return {(r.staff.first_name, r.level.number): (r.days, r.fte, r.amount) for r in report.rows}


def test_month_with_level_change_and_amount_change(world, march):
    report = supplement_report(organisation=world.org, month=MARCH)
    assert _rows(report) == {
        # 1 000 × 15/31 × 0.5
        ("Bob", 1): (15, Decimal("0.50"), Decimal("241.94")),
        # (2 000 × 5 + 2 400 × 11) / 31 × 0.5
        ("Bob", 2): (16, Decimal("0.50"), Decimal("587.10")),
        ("Carol", 4): (31, Decimal("1.00"), Decimal("5000.00")),
        # (2 000 × 20 + 2 400 × 11) / 31
        ("Heidi", 2): (31, Decimal("1.00"), Decimal("2141.94")),
    }
    assert report.unit_totals == [("Mottagning", Decimal("2141.94")), ("Utredning", Decimal("5829.04"))]
    assert report.total == Decimal("7970.98")
    # The consultant is not on the payroll: 21 of 31 days × 100 000.
    assert [(c.staff.last_name, c.months, c.cost) for c in report.consultants] == [
        ("Konsult", Decimal("0.68"), Decimal("67741.94"))
    ]
    # The month before is untouched by the raise.
    february = _rows(supplement_report(organisation=world.org, month=datetime.date(2026, 2, 1)))
    assert february[("Heidi", 2)] == (28, Decimal("1.00"), Decimal("2000.00"))


def test_pro_rata_by_fte_is_a_setting(world, march):
    ladder_settings_update(organisation=world.org, pro_rata_by_fte=False, valid_from=MARCH)  # issue 16: from a date
    rows = _rows(supplement_report(organisation=world.org, month=MARCH))
    assert rows[("Bob", 1)][2] == Decimal("483.87")


def test_level1_supplement_stops_after_the_maximum_months(world, ladder):
    LevelPlacement.objects.filter(staff=world.bob).update(start=datetime.date(2025, 3, 16))
    rows = _rows(supplement_report(organisation=world.org, month=MARCH))
    assert rows[("Bob", 1)] == (31, Decimal("1.00"), Decimal("483.87"))  # paid 1–15 March only
    assert _rows(supplement_report(organisation=world.org, month=datetime.date(2026, 4, 1)))[("Bob", 1)][2] == 0


def test_new_amount_cannot_rewrite_a_past_month(world, ladder):
    with pytest.raises(ValidationError) as exc:
        supplement_rate_add(
            organisation=world.org,
            level=ladder[2],
            amount=Decimal("9999"),
            valid_from=datetime.date(2026, 2, 1),
            today=datetime.date(2026, 3, 10),
        )
    assert exc.value.message_dict["valid_from"] == [
        "Ett nytt belopp kan inte börja i en passerad månad: redan utbetalda rapporter skulle ändras."
    ]
    assert not SupplementRate.objects.filter(amount=Decimal("9999")).exists()
    supplement_rate_add(
        organisation=world.org,
        level=ladder[2],
        amount=Decimal("2500"),
        valid_from=datetime.date(2026, 4, 1),
        today=datetime.date(2026, 3, 10),
    )
    assert _rows(supplement_report(organisation=world.org, month=MARCH))[("Heidi", 2)][2] == Decimal("2000.00")


@pytest.mark.parametrize("name", ["erin", "dave", "frank"])
def test_api_gives_rows_with_level_days_fte_and_amount(world, march, name):
    response = world.client(name).get("/api/v1/supplements/?month=2026-03")
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2026-03"
    assert {"unit": "Utredning", "amount": "5829.04"} in body["unit_totals"]
    bob2 = next(r for r in body["rows"] if r["name"] == "Bob Testsson" and r["level"] == 2)
    assert (bob2["days"], bob2["fte"], bob2["amount"]) == (16, "0.50", "587.10")
    assert body["total"] == "7970.98"
    assert body["consultants"] == {"months": "0.68", "cost": "67741.94"}


def test_api_refuses_a_bad_month_with_the_stable_error_body(world, ladder):
    response = world.client("erin").get("/api/v1/supplements/?month=2026-13")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Begäran innehåller ogiltiga värden.",
            "fields": {"month": ["Ange månaden som ÅÅÅÅ-MM, till exempel 2026-03."]},
        }
    }


@pytest.mark.parametrize("name", ["alice", "bob", "grace"])
def test_api_is_for_hr_department_heads_and_admins(world, ladder, name):
    assert world.client(name).get("/api/v1/supplements/?month=2026-03").status_code == 403


def test_outsider_sees_only_their_own_organisation(world, march):
    response = world.client("charlie").get(reverse("competence:supplements") + "?month=2026-03")
    html = response.content.decode()
    assert response.status_code == 200 and "Bob Testsson" not in html and "Charlie" in html


def test_page_and_csv_with_formula_escaping(world, march, django_assert_max_num_queries):
    StaffMember.objects.filter(pk=world.heidi.pk).update(first_name="=HYPERLINK(1)")
    client = world.client("erin")
    # includes the access-log row and, on PostgreSQL, setting and resetting the organisation (row-level security);
    # issue 16 adds the frozen months and the FTE periods (one query each, whatever the number of people),
    # issue 19 the month's payroll approval (HR sees who prepared and approved it)
    with django_assert_max_num_queries(21):
        page = client.get(reverse("competence:supplements") + "?month=2026-03")
    html = page.content.decode()
    assert "587,10" in html
    assert "5\xa0000,00" in html  # amounts grouped by thousands, as a Swedish reader expects
    assert "Totalt per enhet" in html
    response = client.get(reverse("competence:supplements_csv") + "?month=2026-03")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Namn", "Enhet", "Nivå", "Dagar", "Sysselsättningsgrad", "Belopp (kr)"]
    assert [
        "'=HYPERLINK(1) Testsson",
        "Mottagning",
        "2. Efter introduktion",
        "31",
        "1,00",
        "2141,94",
    ] in rows  # decimal comma for a Swedish spreadsheet
    bad = client.get(reverse("competence:supplements") + "?month=2026-13")
    assert bad.status_code == 400 and "Ange månaden som ÅÅÅÅ-MM" in bad.content.decode()


def test_supplements_xlsx_holds_the_csv_rows(world, march):
    from tests.xlsx import assert_same_rows, csv_rows, sheet

    StaffMember.objects.filter(pk=world.heidi.pk).update(first_name="=HYPERLINK(1)")
    client = world.client("erin")
    url = reverse("competence:supplements_csv")
    cells = sheet(client.get(url, {"month": "2026-03", "format": "xlsx"}))
    assert_same_rows(csv_rows(client.get(url, {"month": "2026-03"})), cells)
    heidi = next(row for row in cells if str(row[0].value).startswith("=HYPERLINK"))
    assert heidi[0].data_type == "s"
    assert [c.value for c in heidi[3:]] == [31, 1, 2141.94]
    assert heidi[5].number_format == "0.00"
    assert client.get(url, {"month": "2026-03", "format": "xls"}).status_code == 400


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_supplement_report_page_csv_and_api_refuse_a_far_month(world, ladder, month):
    client = world.client("erin")
    page = client.get(reverse("competence:supplements"), {"month": month})
    assert page.status_code == 400 and "månad" in page.content.decode().lower()
    assert client.get(reverse("competence:supplements_csv"), {"month": month}).status_code == 400
    api = client.get("/api/v1/supplements/", {"month": month})
    assert api.status_code == 400 and "month" in api.json()["error"]["fields"]
