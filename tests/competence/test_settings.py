"""Ladder settings per organisation: org admins edit them; a Krokom-style six-level ladder works end to end."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from competence.models import LadderLevel, LadderSettings, LevelPlacement, SupplementRate
from competence.selectors import eligibility, ladder_levels, ladder_settings, levels_on, supplement_report
from competence.services import ladder_level_save, placement_promote, placement_start
from tests.competence.settings_data import NEW_DEFAULTS
from tests.factories import StaffMemberFactory

KROKOM = [
    ("Junior", 0, 800),
    ("Medior", 2, 1500),
    ("Medior+", 4, 2200),
    ("Medior++", 6, 2900),
    ("Senior", 8, 3600),
    ("Senior specialist", 10, 4500),
]


def test_defaults_come_from_the_domain(world):
    settings = ladder_settings(organisation=world.org)
    assert (
        settings.level1_supplement_months,
        settings.appointment_months,
        settings.renewal_notice_months,
        settings.specialist_posts,
        settings.pro_rata_by_fte,
        settings.eligible_soon_months,
    ) == (12, 24, 4, 4, True, 3)
    assert LadderSettings.objects.count() == 1


def test_krokom_six_level_ladder(world):
    org = world.other_org
    levels = []
    for number, (name, years, amount) in enumerate(KROKOM, start=1):
        level = ladder_level_save(organisation=org, number=number, name=name, min_years=Decimal(years))
        SupplementRate.objects.create(
            organisation=org, level=level, amount=Decimal(amount), valid_from=datetime.date(2020, 1, 1)
        )
        levels.append(level)
    assert [str(level) for level in ladder_levels(organisation=org)][-1] == "6. Senior specialist"
    with pytest.raises(ValidationError) as exc:
        ladder_level_save(organisation=org, number=3, name="Dubblett")
    assert exc.value.message_dict["number"] == ["Stegen har redan en nivå 3."]
    specialist = StaffMemberFactory(organisation=org, unit=world.other_unit)
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(staff=specialist, organisation=org, role="specialist", unit=world.other_unit)
    person = StaffMemberFactory(
        organisation=org,
        unit=world.other_unit,
        profession_start=datetime.date(2014, 1, 1),
        employment_start=datetime.date(2020, 1, 1),
    )
    placement_start(organisation=org, staff=person, level=levels[4], start=datetime.date(2020, 1, 1))
    assert eligibility(staff=person, on=datetime.date(2026, 3, 1)).next == levels[5]
    assert eligibility(staff=person, on=datetime.date(2026, 3, 1)).unmet == []
    placement_promote(
        organisation=org,
        staff=person,
        level=levels[5],
        start=datetime.date(2026, 3, 16),
        assessed_on=datetime.date(2026, 3, 10),
        manager=world.charlie,
        specialist=specialist,
        motivation="Senior.",
    )
    assert levels_on(organisation=org, on=datetime.date(2026, 3, 20), staff_ids=[person.pk])[person.pk] == levels[5]
    rows = {r.level.number: r.amount for r in supplement_report(organisation=org, month=datetime.date(2026, 3, 1)).rows}
    # 3 600 × 15/31 and 4 500 × 16/31
    assert rows == {5: Decimal("1741.94"), 6: Decimal("2322.58")}


def test_org_admin_edits_rules_and_others_are_refused(world, ladder):
    client = world.client("frank")
    page = client.get(reverse("competence:settings"))
    assert page.status_code == 200 and "Specialistsocionom" in page.content.decode()
    response = client.post(
        reverse("competence:settings"),
        {
            "level1_supplement_months": "18",
            "appointment_months": "36",
            "renewal_notice_months": "6",
            "specialist_posts": "5",
            "eligible_soon_months": "3",
            **NEW_DEFAULTS,
        },
    )
    assert response.status_code == 302
    settings = LadderSettings.objects.get(organisation=world.org)
    assert (settings.level1_supplement_months, settings.specialist_posts, settings.pro_rata_by_fte) == (18, 5, False)
    bad = client.post(
        reverse("competence:settings"),
        {
            "level1_supplement_months": "0",
            "appointment_months": "36",
            "renewal_notice_months": "6",
            "specialist_posts": "5",
            "eligible_soon_months": "3",
            **NEW_DEFAULTS,
        },
    )
    assert bad.status_code == 400
    assert LadderSettings.objects.get(organisation=world.org).level1_supplement_months == 18
    for name in ("alice", "erin", "bob"):
        assert world.client(name).get(reverse("competence:settings")).status_code == 403


def test_org_admin_edits_a_level_and_adds_an_amount(world, ladder):
    client = world.client("frank")
    level = ladder[3]
    response = client.post(
        reverse("competence:level_edit", args=[level.pk]),
        {"number": "3", "name": "Erfaren socionom", "min_years": "6", "expectations": "Handleder studenter."},
    )
    assert response.status_code == 302
    level.refresh_from_db()
    assert (level.name, level.min_years) == ("Erfaren socionom", Decimal("6.0"))
    bad = client.post(reverse("competence:rate_add"), {"level": level.pk, "amount": "-5", "valid_from": "2999-01-01"})
    assert bad.status_code == 400
    today = datetime.date.today()
    good = client.post(
        reverse("competence:rate_add"),
        {"level": level.pk, "amount": "3900", "valid_from": today.replace(day=1).isoformat()},
    )
    assert good.status_code == 302
    assert SupplementRate.objects.filter(level=level, amount=Decimal("3900")).exists()
    assert not SupplementRate.objects.filter(amount=Decimal("-5")).exists()


def test_default_ladder_button_is_idempotent(world):
    client = world.client("frank")
    client.post(reverse("competence:setup_default"))
    client.post(reverse("competence:setup_default"))
    assert LadderLevel.objects.filter(organisation=world.org).count() == 4
    assert LevelPlacement.objects.count() == 0
