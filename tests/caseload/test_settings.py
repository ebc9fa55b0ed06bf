"""Every caseload rule is an organisation setting the organisation admin can change."""

import datetime

from django.urls import reverse

from caseload.models import CaseloadSettings
from tests.caseload.factories import case


def _form(**over):
    data = {
        "target_days": 90,
        "legal_months": 4,
        "first_warning_day": 60,
        "second_warning_day": 75,
        "chain_window_days": 30,
        "top_weight": 3,
        "capacity_level_1": 12,
        "capacity_other": 22,
        "co_handler_fraction": "0.5",
        "co_handler_target_percent": 90,
        "closed_per_month_target": 2,
        "specialists_hold_no_cases": "on",
        "max_days_ahead": 400,
    }
    data.update(over)
    return data


def test_org_admin_changes_settings_and_they_apply(world):
    url = reverse("caseload:settings")
    assert world.client("frank").post(url, _form(capacity_other=18, target_days=80)).status_code == 302
    settings = CaseloadSettings.objects.get(organisation=world.org)
    assert (settings.capacity_other, settings.target_days) == (18, 80)
    c = case(world.unit, "SET-1", start=datetime.date(2024, 1, 1))
    assert c.investigations.get().target_date == datetime.date(2024, 3, 21)
    assert not CaseloadSettings.objects.filter(organisation=world.other_org, capacity_other=18).exists()


def test_bad_settings_are_refused(world):
    url = reverse("caseload:settings")
    response = world.client("frank").post(url, _form(second_warning_day=50))
    assert "Den andra varningen måste komma efter den första." in response.content.decode()
    assert CaseloadSettings.objects.get(organisation=world.org).second_warning_day == 75
    assert world.client("alice").get(url).status_code == 403
