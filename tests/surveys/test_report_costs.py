"""The report's supplement and consultant costs: one pass over a tertial equals the monthly payroll reports."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest

from competence.models import LevelPlacement, SupplementRate
from competence.selectors import supplement_report
from competence.selectors.supplements import unit_supplement_costs
from competence.services import ladder_settings_update
from staff.models import StaffMember
from tests.competence.conftest import ladder  # noqa: F401 - the Alfa ladder fixture
from tests.factories import StaffMemberFactory

MONTHS = [datetime.date(2026, m, 1) for m in (1, 2, 3, 4)]


@pytest.fixture
def costs_world(world, ladder):  # noqa: F811 - the fixture imported above
    """Bob (FTE 0.5) moves up mid-March, level 2 is raised mid-March, Heidi leaves 10 April, a consultant
    comes 11 March and another leaves 14 February; bob's level-1 pay stops under a short setting."""
    LevelPlacement.objects.filter(staff=world.bob).update(end=datetime.date(2026, 3, 15))
    LevelPlacement.objects.create(
        organisation=world.org, staff=world.bob, level=ladder[2], start=datetime.date(2026, 3, 16)
    )
    StaffMember.objects.filter(pk=world.bob.pk).update(fte=Decimal("0.50"))
    StaffMember.objects.filter(pk=world.heidi.pk).update(employment_end=datetime.date(2026, 4, 10))
    SupplementRate.objects.create(
        organisation=world.org, level=ladder[2], amount=Decimal("2400"), valid_from=datetime.date(2026, 3, 21)
    )
    for name, start, end in (("Konrad", (2026, 3, 11), None), ("Kerstin", (2025, 6, 1), (2026, 2, 14))):
        StaffMemberFactory(
            organisation=world.org,
            unit=world.unit,
            first_name=name,
            last_name="Konsult",
            employment_type=StaffMember.EmploymentType.CONSULTANT,
            consultant_monthly_cost=Decimal("99999.99"),
            employment_start=datetime.date(*start),
            employment_end=datetime.date(*end) if end else None,
        )
    # bob's pay stops 31 January (the terms hold from a date on, issue 16: from before the tertial)
    ladder_settings_update(organisation=world.org, level1_supplement_months=5, valid_from=datetime.date(2025, 12, 1))
    return world


def _monthly(org, unit_ids):
    totals = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for month in MONTHS:
        report = supplement_report(organisation=org, month=month, unit_ids=unit_ids)
        for row in report.rows:
            totals[row.staff.unit_id][0] += row.amount
        for row in report.consultants:
            totals[row.staff.unit_id][1] += row.cost
    return {unit: tuple(pair) for unit, pair in totals.items()}


@pytest.mark.parametrize("pro_rata", [True, False])
def test_one_pass_over_the_tertial_equals_the_sum_of_the_monthly_reports(costs_world, pro_rata):
    world = costs_world
    ladder_settings_update(organisation=world.org, pro_rata_by_fte=pro_rata, valid_from=datetime.date(2025, 12, 1))
    units = [world.unit.pk, world.intake_unit.pk]

    one_pass = unit_supplement_costs(organisation=world.org, months=MONTHS, unit_ids=units)

    assert one_pass == _monthly(world.org, units)
    assert one_pass[world.unit.pk][0] > 0 and one_pass[world.unit.pk][1] > 0
    assert one_pass[world.intake_unit.pk][0] > 0  # Heidi's months up to 10 April
    assert set(one_pass) <= set(units)


def test_only_the_asked_units_are_read(costs_world):
    world = costs_world
    only_intake = unit_supplement_costs(organisation=world.org, months=MONTHS, unit_ids=[world.intake_unit.pk])
    assert set(only_intake) == {world.intake_unit.pk}
    assert only_intake == _monthly(world.org, [world.intake_unit.pk])
