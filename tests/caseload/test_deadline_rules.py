"""Target and legal dates are computed once and stored; calendar months end on the month's last day."""

import datetime

import pytest
import time_machine

from caseload import rules, services
from caseload.models import CaseloadSettings, Investigation
from tests.caseload.factories import case


@pytest.mark.parametrize(
    ("start", "legal"),
    [
        (datetime.date(2024, 1, 31), datetime.date(2024, 5, 31)),
        (datetime.date(2023, 10, 31), datetime.date(2024, 2, 29)),  # leap year
        (datetime.date(2022, 10, 31), datetime.date(2023, 2, 28)),
        (datetime.date(2024, 8, 31), datetime.date(2024, 12, 31)),
        (datetime.date(2024, 3, 15), datetime.date(2024, 7, 15)),
    ],
)
def test_legal_deadline_is_four_calendar_months(db, world, start, legal):
    settings = CaseloadSettings.for_org(world.org)
    assert rules.legal_deadline(start, settings) == legal


def test_target_is_ninety_days(world):
    assert rules.target_date(datetime.date(2024, 1, 31), CaseloadSettings.for_org(world.org)) == datetime.date(
        2024, 4, 30
    )


@time_machine.travel(datetime.date(2024, 2, 1), tick=False)
def test_opening_stores_both_dates_from_the_organisation_settings(world):
    settings = CaseloadSettings.for_org(world.org)
    settings.target_days, settings.legal_months = 60, 3
    settings.save()
    c = case(world.unit, "BOU-1", start=datetime.date(2023, 10, 1), closed_on=datetime.date(2023, 12, 1))
    inv = services.investigation_open(
        organisation=world.org, actor=world.alice, case=c, start_date=datetime.date(2023, 11, 30), new_report=True
    )
    inv.refresh_from_db()
    assert inv.target_date == datetime.date(2024, 1, 29)
    assert inv.legal_deadline == datetime.date(2024, 2, 29)


def test_overdue_is_a_filter_on_stored_dates(world):
    from caseload.selectors import overdue_investigations

    late = case(world.unit, "LATE", start=datetime.date(2024, 1, 31))
    case(world.unit, "FINE", start=datetime.date(2024, 3, 1))
    extended = case(world.unit, "EXT", start=datetime.date(2024, 1, 15))
    Investigation.objects.filter(case=extended).update(extended_until=datetime.date(2024, 7, 1))
    found = overdue_investigations(organisation=world.org, today=datetime.date(2024, 6, 1))
    assert [i.case.number for i in found] == [late.number]
