"""Every caseload rule is an organisation setting the organisation admin can change."""

import datetime
import re

from django.urls import reverse

from caseload.case_numbers import DEFAULT_PATTERN
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
        "capacity_level_2": 22,
        "capacity_level_3": 22,
        "capacity_level_4": 0,
        "co_handler_fraction": "0.5",
        "co_handler_target_percent": 90,
        "closed_per_month_target": 2,
        "specialists_hold_no_cases": "on",
        "specialist_co_capacity": 6,
        "max_days_ahead": 400,
        "case_number_pattern": DEFAULT_PATTERN,
        "handover_window_days": 14,
    }
    data.update(over)
    return data


def test_org_admin_changes_settings_and_they_apply(world):
    url = reverse("caseload:settings")
    assert world.client("frank").post(url, _form(capacity_level_2=18, target_days=80)).status_code == 302
    settings = CaseloadSettings.objects.get(organisation=world.org)
    assert (settings.capacity_level_2, settings.target_days) == (18, 80)
    c = case(world.unit, "SET-1", start=datetime.date(2024, 1, 1))
    assert c.investigations.get().target_date == datetime.date(2024, 3, 21)
    assert not CaseloadSettings.objects.filter(organisation=world.other_org, capacity_level_2=18).exists()


def test_bad_settings_are_refused(world):
    url = reverse("caseload:settings")
    response = world.client("frank").post(url, _form(second_warning_day=50))
    assert "Den andra varningen måste komma efter den första." in response.content.decode()
    assert CaseloadSettings.objects.get(organisation=world.org).second_warning_day == 75
    assert world.client("alice").get(url).status_code == 403


def test_settings_outside_their_range_are_refused_at_the_field(world):
    """Nonsense a typo can make (a target of 0 days, a legal limit of 100 000 months, capacity 0, a
    co-handler target of 150 %, a target beyond the legal limit) is refused; nothing is saved."""
    url = reverse("caseload:settings")
    client = world.client("frank")
    for field, value in (
        ("target_days", 0),
        ("legal_months", 100000),
        ("legal_months", 0),
        ("capacity_level_1", 0),
        ("top_weight", 0),
        ("co_handler_target_percent", 150),
        ("co_handler_fraction", "1.5"),
    ):
        response = client.post(url, _form(**{field: value}))
        assert response.status_code in (200, 400), field
        assert 'class="invalid-feedback' in response.content.decode() or "errorlist" in response.content.decode()
    response = client.post(url, _form(target_days=200))
    assert "Målet kan inte ligga bortom den lagstadgade gränsen." in response.content.decode()
    settings = CaseloadSettings.objects.get(organisation=world.org)
    assert (settings.target_days, settings.legal_months, settings.capacity_level_1) == (90, 4, 12)


def test_the_handover_window_is_a_setting_within_its_range(world):
    """0 to 90 days before a main handler's last day (docs/caseload.md, "Who reads a case")."""
    url = reverse("caseload:settings")
    client = world.client("frank")
    for value in (-1, 91, ""):
        response = client.post(url, _form(handover_window_days=value))
        assert response.status_code == 200
        field = re.search(r'<input[^>]*id="id_handover_window_days"[^>]*>', response.content.decode())
        assert 'aria-invalid="true"' in field.group(0), value
    assert CaseloadSettings.objects.get(organisation=world.org).handover_window_days == 14
    for value in (0, 90):
        assert client.post(url, _form(handover_window_days=value)).status_code == 302
        assert CaseloadSettings.objects.get(organisation=world.org).handover_window_days == value
