"""Issue 16, item 2: a paid month is never rewritten. FTE and the terms that price a month have valid-from
dates; a month is priced with the values valid on its days; an exported or approved month is frozen and a
later change shows as a correction in the next month that is not frozen.

Today is 10 December 2026 throughout. Heidi (level 2, 2 000 kr a month, in Mottagning) is the person whose
FTE changes; carol (level 4, 5 000 kr) is there to show that nobody else moves.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from competence.models import LevelPlacement, PricingPeriod, SupplementMonth
from competence.selectors import supplement_report
from competence.selectors.supplements import unit_supplement_costs
from competence.services import ladder_settings_update, supplement_month_freeze
from staff.models import EmploymentExtent, Role, RoleAssignment, StaffMember
from staff.services import staff_member_update
from tests.competence.settings_data import settings_form_data
from tests.confirmation import confirmation_page
from tests.factories import StaffMemberFactory

NOV, DEC, JAN = datetime.date(2026, 11, 1), datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)
D = Decimal


pytestmark = pytest.mark.usefixtures("december")


@pytest.fixture
def heidi(world, ladder):
    """Heidi works 0.75 (no change recorded yet: the value holds throughout)."""
    StaffMember.objects.filter(pk=world.heidi.pk).update(fte=D("0.75"))
    world.heidi.refresh_from_db()
    return world.heidi


def _rows(world, month):
    report = supplement_report(organisation=world.org, month=month)
    return {(r.staff.first_name, r.level.number, r.fte): (r.days, r.amount) for r in report.rows}


def _heidi(world, month):
    return {k[2]: v for k, v in _rows(world, month).items() if k[0] == "Heidi"}


def _fte(world, person, fte, valid_from=None):
    person.refresh_from_db()
    return staff_member_update(member=person, fte=D(fte), fte_valid_from=valid_from, by=world.frank)


# --- a month is priced with the values valid in it ------------------------------------------------------


def test_changing_fte_in_december_leaves_november_unchanged(world, heidi):
    november = _rows(world, NOV)
    assert november[("Heidi", 2, D("0.75"))] == (30, D("1500.00"))

    _fte(world, heidi, "0.50")  # from today, 10 December

    assert _rows(world, NOV) == november
    # December: 9 days at 0.75 and 22 at 0.50, one row per FTE as one row per level.
    assert _heidi(world, DEC) == {D("0.75"): (9, D("435.48")), D("0.50"): (22, D("709.68"))}
    heidi.refresh_from_db()
    assert heidi.fte == D("0.50")  # StaffMember.fte is the value valid today
    assert list(EmploymentExtent.objects.filter(staff=heidi).values_list("valid_from", "fte")) == [
        (heidi.employment_start, D("0.75")),
        (datetime.date(2026, 12, 10), D("0.50")),
    ]


def test_toggling_pro_rata_by_fte_in_december_leaves_november_unchanged(world, heidi):
    november = _rows(world, NOV)

    ladder_settings_update(organisation=world.org, pro_rata_by_fte=False)  # from today

    assert _rows(world, NOV) == november
    # 1–9 December pro rata (× 0.75), 10–31 December the whole amount.
    assert _heidi(world, DEC) == {D("0.75"): (31, D("1854.84"))}


def test_shortening_level1_supplement_months_in_december_leaves_november_unchanged(world, ladder):
    LevelPlacement.objects.filter(staff=world.bob).update(start=datetime.date(2026, 6, 1))
    november = _rows(world, NOV)
    assert november[("Bob", 1, D("1.00"))] == (30, D("1000.00"))

    ladder_settings_update(organisation=world.org, level1_supplement_months=3)  # from today

    assert _rows(world, NOV) == november
    # Paid 1–9 December under the 12 months that held then; from 10 December 3 months have passed.
    assert _rows(world, DEC)[("Bob", 1, D("1.00"))] == (31, D("290.32"))


FTE_EDGES = {
    # valid from: (November, December), {fte: (days, amount)}
    datetime.date(2026, 11, 30): (
        {D("1.00"): (29, D("1933.33")), D("0.50"): (1, D("33.33"))},
        {D("0.50"): (31, D("1000.00"))},
    ),
    datetime.date(2026, 12, 1): ({D("1.00"): (30, D("2000.00"))}, {D("0.50"): (31, D("1000.00"))}),
    datetime.date(2026, 12, 2): (
        {D("1.00"): (30, D("2000.00"))},
        {D("1.00"): (1, D("64.52")), D("0.50"): (30, D("967.74"))},
    ),
}


@pytest.mark.parametrize("valid_from", list(FTE_EDGES), ids=["day-before-the-1st", "the-1st", "day-after-the-1st"])
def test_an_fte_change_prices_the_days_from_its_valid_from_date(world, ladder, valid_from):
    _fte(world, world.heidi, "0.50", valid_from)
    assert (_heidi(world, NOV), _heidi(world, DEC)) == FTE_EDGES[valid_from]


TERMS_EDGES = {
    datetime.date(2026, 11, 30): ({D("0.50"): (30, D("1033.33"))}, {D("0.50"): (31, D("2000.00"))}),
    datetime.date(2026, 12, 1): ({D("0.50"): (30, D("1000.00"))}, {D("0.50"): (31, D("2000.00"))}),
    datetime.date(2026, 12, 2): ({D("0.50"): (30, D("1000.00"))}, {D("0.50"): (31, D("1967.74"))}),
}


@pytest.mark.parametrize("valid_from", list(TERMS_EDGES), ids=["day-before-the-1st", "the-1st", "day-after-the-1st"])
def test_a_change_of_terms_prices_the_days_from_its_valid_from_date(world, ladder, valid_from):
    StaffMember.objects.filter(pk=world.heidi.pk).update(fte=D("0.50"))
    ladder_settings_update(organisation=world.org, pro_rata_by_fte=False, valid_from=valid_from)
    assert (_heidi(world, NOV), _heidi(world, DEC)) == TERMS_EDGES[valid_from]


def test_a_change_of_terms_keeps_the_terms_held_so_far_as_from_the_start(world, ladder):
    ladder_settings_update(organisation=world.org, level1_supplement_months=6, valid_from=NOV)
    periods = PricingPeriod.objects.filter(organisation=world.org)
    assert list(periods.values_list("valid_from", "level1_supplement_months")) == [
        (datetime.date(1, 1, 1), 12),
        (NOV, 6),
    ]
    page = world.client("frank").get(reverse("competence:settings")).content.decode()
    terms = page[page.index("supplement-terms") : page.index("</table>", page.index("supplement-terms"))]
    assert "Från början" in terms and "1 november 2026" in terms


def _staff_form(**changes):
    """Heidi's staff form as the admin posts it."""
    data = {"first_name": "Heidi", "last_name": "Testsson", "employment_start": "2020-01-01"}
    return {**data, "employment_type": "permanent", **changes}


def test_fte_and_terms_cannot_change_from_a_future_date(world, ladder):
    client = world.client("frank")
    data = _staff_form(fte="0.50", fte_valid_from="2026-12-11")
    response = client.post(reverse("staff:admin_staff_edit", args=[world.heidi.pk]), data)
    assert response.status_code == 200
    assert "Sysselsättningsgraden kan ändras från i dag eller ett tidigare datum" in response.content.decode()
    world.heidi.refresh_from_db()
    assert world.heidi.fte == D("1.00") and not EmploymentExtent.objects.filter(staff=world.heidi).exists()
    settings = settings_form_data(level1_supplement_months="6", valid_from="2026-12-11")
    bad = client.post(reverse("competence:settings"), settings)
    assert bad.status_code == 400 and "Villkoren kan ändras från i dag" in bad.content.decode()
    assert PricingPeriod.objects.filter(organisation=world.org).count() == 1  # the default ladder's own


def test_editing_fte_on_the_staff_form_records_a_period_shown_on_the_person_page(world, ladder):
    client = world.client("frank")
    data = _staff_form(fte="0.80", fte_valid_from="2026-11-16")
    assert client.post(reverse("staff:admin_staff_edit", args=[world.heidi.pk]), data).status_code == 302
    world.heidi.refresh_from_db()
    assert world.heidi.fte == D("0.80")
    extent = EmploymentExtent.objects.get(staff=world.heidi, valid_from=datetime.date(2026, 11, 16))
    assert extent.created_by == world.frank
    # A name change does not touch the periods; an empty date means today.
    data.update(first_name="Hedda", fte_valid_from="")
    assert client.post(reverse("staff:admin_staff_edit", args=[world.heidi.pk]), data).status_code == 302
    assert EmploymentExtent.objects.filter(staff=world.heidi).count() == 2
    page = world.client("frank").get(reverse("competence:staff_detail", args=[world.heidi.pk])).content.decode()
    assert "Perioder av sysselsättningsgrad" in page
    periods = page[page.index("fte-periods") : page.index("</table>", page.index("fte-periods"))]
    assert "1 januari 2020" in periods and "15 november 2026" in periods and "16 november 2026" in periods
    assert "0,80" in periods and "Frank Testsson" in periods


def test_a_new_person_gets_a_period_from_the_employment_start(world):
    from staff.services import staff_member_create

    person = staff_member_create(
        organisation=world.org,
        first_name="Nina",
        last_name="Ny",
        employment_start=datetime.date(2026, 12, 1),
        fte=D("0.60"),
    )
    assert list(person.extents.values_list("valid_from", "fte")) == [(datetime.date(2026, 12, 1), D("0.60"))]


def test_the_seed_migration_gives_everyone_their_fte_from_their_hiring(world):
    import importlib

    seed = importlib.import_module("staff.migrations.0012_employment_extent_seed").seed
    StaffMember.objects.filter(pk=world.bob.pk).update(fte=D("0.40"))
    seed(apps, None)
    seed(apps, None)  # idempotent
    assert list(EmploymentExtent.objects.filter(staff=world.bob).values_list("valid_from", "fte")) == [
        (world.bob.employment_start, D("0.40"))
    ]
    assert EmploymentExtent.objects.count() == StaffMember.objects.count()


# --- freezing and corrections ----------------------------------------------------------------------------


def _csv(client, month):
    response = client.get(reverse("competence:supplements_csv"), {"month": f"{month:%Y-%m}"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_after_export_a_backdated_fte_change_leaves_november_frozen_and_corrects_december(world, heidi):
    client = world.client("erin")
    exported = _csv(client, NOV)
    assert ["Heidi Testsson", "Mottagning", "2. Efter introduktion", "30", "0,75", "1500,00"] in exported
    assert SupplementMonth.objects.get(organisation=world.org, month=NOV).how == "exported"

    _fte(world, heidi, "0.50", NOV)  # backdated to 1 November, in December

    november = supplement_report(organisation=world.org, month=NOV)
    assert november.frozen is not None
    assert [(r.staff.first_name, r.fte, r.amount) for r in november.rows if r.staff == heidi] == [
        ("Heidi", D("0.75"), D("1500.00"))
    ]
    assert _csv(client, NOV) == exported  # the frozen month is what was exported
    december = supplement_report(organisation=world.org, month=DEC)
    assert [(r.fte, r.days, r.amount) for r in december.rows if r.staff == heidi] == [(D("0.50"), 31, D("1000.00"))]
    assert [(c.staff, c.corrects, c.amount, c.reason) for c in december.corrections] == [
        (heidi, NOV, D("-500.00"), "ändrad omfattning")
    ]
    assert ("Mottagning", D("500.00")) in december.unit_totals  # 1 000 − 500
    rows = _csv(client, DEC)
    assert ["Heidi Testsson", "Mottagning", "Rättelse av 2026-11: ändrad omfattning", "", "", "-500,00"] in rows
    page = client.get(reverse("competence:supplements"), {"month": "2026-12"}).content.decode()
    assert "Rättelser av tidigare månader" in page and "ändrad omfattning" in page and "-500,00" in page


def test_api_shows_correction_rows_and_a_correction_is_paid_once(world, heidi):
    client = world.client("erin")
    assert client.get("/api/v1/supplements/", {"month": "2026-11"}).status_code == 200  # the export freezes
    _fte(world, heidi, "0.50", NOV)

    running = client.get("/api/v1/supplements/", {"month": "2026-12"}).json()  # the running month: preliminary
    assert running["frozen"] is None and not SupplementMonth.objects.filter(month=DEC).exists()
    with time_machine.travel(datetime.datetime(2027, 1, 5, 10, tzinfo=datetime.UTC), tick=False):
        _api_shows_correction_rows_and_a_correction_is_paid_once(world, heidi, world.client("erin"))


def _api_shows_correction_rows_and_a_correction_is_paid_once(world, heidi, client):
    body = client.get("/api/v1/supplements/", {"month": "2026-12"}).json()  # December has ended: frozen
    assert body["corrections"] == [
        {
            "staff_id": heidi.pk,
            "name": "Heidi Testsson",
            "unit": "Mottagning",
            "corrects": "2026-11",
            "amount": "-500.00",
            "reasons": ["fte"],
            "reason": "ändrad omfattning",
        }
    ]
    assert body["frozen"]["how"] == "exported"
    assert body["total"] == "5500.00"  # carol 5 000 + heidi 1 000 − 500 (bob's level-1 year is over)
    # January: the November correction is not paid again; a second change corrects both frozen months.
    assert supplement_report(organisation=world.org, month=JAN).corrections == []
    _fte(world, heidi, "0.25", NOV)
    january = supplement_report(organisation=world.org, month=JAN)
    # Each month now comes to 500 (0.25): December paid 1 000, November 1 500 − 500 = 1 000.
    assert [(c.corrects, c.amount) for c in january.corrections] == [(DEC, D("-500.00")), (NOV, D("-500.00"))]
    assert client.get("/api/v1/supplements/", {"month": "2026-12"}).json() == body  # December stays as exported


def test_a_change_of_terms_after_export_is_a_correction_naming_the_terms(world, heidi):
    supplement_month_freeze(organisation=world.org, month=NOV, how="approved")
    ladder_settings_update(organisation=world.org, pro_rata_by_fte=False, valid_from=NOV)
    corrections = supplement_report(organisation=world.org, month=DEC).corrections
    assert [(c.staff, c.corrects, c.amount, c.reason) for c in corrections] == [
        (heidi, NOV, D("500.00"), "ändrade villkor för tillägget")
    ]


def test_a_month_not_yet_begun_is_exported_as_a_forecast_and_stays_open(world, heidi):
    _csv(world.client("erin"), JAN)
    assert not SupplementMonth.objects.filter(organisation=world.org).exists()


def test_payrolls_export_freezes_a_month_from_the_day_after_it_ends(world, heidi):
    """The running month is a preliminary report: HR's export on 30 November leaves November open, on
    1 December (and after) it freezes it."""
    for day, frozen in ((datetime.date(2026, 11, 29), False), (datetime.date(2026, 11, 30), False)):
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(10), datetime.UTC), tick=False):
            client = world.client("erin")  # signed in that day (a session from 10 December is idle-timed)
            _csv(client, NOV)
            page = client.get(reverse("competence:supplements"), {"month": "2026-11"}).content.decode()
            assert "Månaden pågår: det här är en preliminär rapport." in page
            assert client.get("/api/v1/supplements/", {"month": "2026-11"}).json()["frozen"] is None
        assert SupplementMonth.objects.filter(month=NOV).exists() is frozen
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC), tick=False):
        _csv(world.client("erin"), NOV)
    assert SupplementMonth.objects.get(organisation=world.org, month=NOV).how == "exported"


def test_a_unit_managers_or_department_heads_export_freezes_nothing(world, heidi):
    """They see their part of the report; freezing is the whole organisation's month, payroll's act."""
    _csv(world.client("alice"), NOV)
    assert world.client("dave").get("/api/v1/supplements/", {"month": "2026-11"}).status_code == 200
    assert not SupplementMonth.objects.exists()
    page = world.client("alice").get(reverse("competence:supplements"), {"month": "2026-11"}).content.decode()
    url = reverse("competence:supplements_approve", args=["2026-11"])
    assert url not in page
    assert world.client("alice").post(url, {"confirm": "1"}).status_code == 403
    assert not SupplementMonth.objects.exists()


def test_approve_month_asks_first_then_freezes_it(world, heidi):
    """HR prepares the organisation's month, someone else approves it (tests/competence/test_payroll.py has the
    payroll file): approving freezes it."""
    StaffMember.objects.filter(organisation=world.org).update(employee_number="1")
    client = world.client("frank")
    world.client("erin").post(reverse("competence:supplements_prepare", args=["2026-11"]), {"confirm": "1"})
    page = client.get(reverse("competence:supplements"), {"month": "2026-11"}).content.decode()
    url = reverse("competence:supplements_approve", args=["2026-11"])
    assert url in page
    confirmation_page(client, url, "Godkänna tilläggsrapporten för 2026-11?")
    assert not SupplementMonth.objects.exists()
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?month=2026-11")
    frozen = SupplementMonth.objects.get(organisation=world.org, month=NOV)
    assert (frozen.how, frozen.frozen_by) == ("approved", world.frank)
    assert frozen.rows.filter(staff=heidi).exists()  # the whole organisation's month, not only her unit
    page = client.get(reverse("competence:supplements"), {"month": "2026-11"}).content.decode()
    assert "är låst" in page and url not in page
    # A month not begun cannot be prepared; a bad month is not found; the outsider prepares only their own.
    world.client("erin").post(reverse("competence:supplements_prepare", args=["2027-01"]), {"confirm": "1"})
    client.post(reverse("competence:supplements_approve", args=["2027-01"]), {"confirm": "1"})
    assert not SupplementMonth.objects.filter(month=JAN).exists()
    assert client.post(reverse("competence:supplements_approve", args=["2026-13"])).status_code == 404
    RoleAssignment.objects.create(organisation=world.other_org, staff=world.charlie, role=Role.HR)
    world.client("charlie").post(reverse("competence:supplements_approve", args=["2026-10"]), {"confirm": "1"})
    assert not SupplementMonth.objects.filter(month=datetime.date(2026, 10, 1)).exists()
    for name in ("bob", "grace", "alice", "dave"):
        assert world.client(name).post(url, {"confirm": "1"}).status_code == 403


def test_the_tertial_costs_add_up_the_monthly_reports_with_frozen_months_and_corrections(world, heidi):
    supplement_month_freeze(organisation=world.org, month=NOV, how="approved")
    _fte(world, heidi, "0.50", datetime.date(2026, 10, 15))
    months = [datetime.date(2026, m, 1) for m in (9, 10, 11, 12)]
    units = [world.unit.pk, world.intake_unit.pk]
    monthly: dict[int, Decimal] = {}
    for month in months:
        report = supplement_report(organisation=world.org, month=month)
        for row in [*report.rows, *report.corrections]:
            monthly[row.staff.unit_id] = monthly.get(row.staff.unit_id, D("0")) + row.amount
    costs = unit_supplement_costs(organisation=world.org, months=months, unit_ids=units)
    assert {u: c[0] for u, c in costs.items()} == monthly


# --- no N+1 ------------------------------------------------------------------------------------------------


def _people(world, ladder, n):
    for i in range(n):
        person = StaffMemberFactory(organisation=world.org, unit=world.unit, fte=D("0.75"), user=None)
        LevelPlacement.objects.create(
            organisation=world.org, staff=person, level=ladder[1 + i % 3], start=datetime.date(2026, 6, 1)
        )
        EmploymentExtent.objects.create(
            organisation=world.org, staff=person, fte=D("0.75"), valid_from=person.employment_start
        )
        if i % 2:
            EmploymentExtent.objects.create(
                organisation=world.org, staff=person, fte=D("0.50"), valid_from=datetime.date(2026, 11, 10)
            )


def test_the_report_reads_a_fixed_number_of_queries_for_any_number_of_people(world, ladder, django_assert_num_queries):
    _people(world, ladder, 3)
    supplement_month_freeze(organisation=world.org, month=NOV, how="approved")
    EmploymentExtent.objects.filter(valid_from=datetime.date(2026, 11, 10)).update(fte=D("0.25"))
    # levels, frozen months, placements, amounts, terms, FTE periods, what was paid, people, consultants
    with django_assert_num_queries(9) as few:
        small = supplement_report(organisation=world.org, month=DEC)
    _people(world, ladder, 30)
    with django_assert_num_queries(len(few)):
        big = supplement_report(organisation=world.org, month=DEC)
    with django_assert_num_queries(5):  # a frozen month: levels, frozen months, stored rows, people, consultants
        supplement_report(organisation=world.org, month=NOV)
    assert len(big.rows) > len(small.rows) and len(small.corrections) == 1
