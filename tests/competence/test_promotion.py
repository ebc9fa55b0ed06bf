"""Promotion after a joint assessment: rules, overrides and every refusal with nothing saved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from competence.models import Appointment, Assessment, IntroductionItem, LadderLevel, LevelPlacement
from competence.services import ladder_settings_update, placement_promote, placement_start
from tests.competence.conftest import TODAY
from tests.competence.factories import IntroductionItemFactory
from tests.factories import StaffMemberFactory


def _promote(world, levels, **overrides):
    data = {
        "organisation": world.org,
        "staff": world.bob,
        "level": levels[2],
        "start": TODAY,
        "assessed_on": TODAY - datetime.timedelta(days=3),
        "manager": world.alice,
        "specialist": world.carol,
        "motivation": "Introduktionen är klar.",
    }
    data.update(overrides)
    return placement_promote(**data)


def _snapshot():
    return (LevelPlacement.objects.count(), Assessment.objects.count(), Appointment.objects.count())


def test_promotion_records_history_and_assessment(world, ladder):
    IntroductionItemFactory(staff=world.bob, done_on=datetime.date(2025, 12, 1))
    placement = _promote(world, ladder)
    old = LevelPlacement.objects.get(staff=world.bob, level=ladder[1])
    assert old.end == TODAY - datetime.timedelta(days=1)
    assert placement.level.number == 2 and placement.end is None
    assessment = placement.assessment
    assert (assessment.manager, assessment.specialist) == (world.alice, world.carol)
    assert not assessment.is_override and assessment.unmet_rules == ""


def test_rule_not_met_needs_a_written_reason_then_shows_as_override(world, ladder):
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        _promote(world, ladder)
    assert (
        "Kraven för nivån är inte uppfyllda: Personen har ingen introduktionsplan."
        in exc.value.message_dict["override_reason"][0]
    )
    assert _snapshot() == before
    placement = _promote(world, ladder, override_reason="Lång erfarenhet från annan kommun.")
    assert placement.assessment.is_override
    assert placement.assessment.unmet_rules == "Personen har ingen introduktionsplan."
    html = world.client("alice").get(reverse("competence:staff_detail", args=[world.bob.pk])).content.decode()
    assert "Avsteg" in html and "Lång erfarenhet från annan kommun." in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"level": "3"}, "level", "Nivåer kan inte hoppas över: nästa nivå för Bob Testsson är 2. Efter introduktion."),
        (
            {"start": datetime.date(2025, 8, 1), "assessed_on": datetime.date(2025, 7, 1)},
            "start",
            "Beslutsdatumet måste vara efter starten på nuvarande nivå (2025-09-01).",
        ),
        ({"motivation": "  "}, "motivation", "Skriv motiveringen för den gemensamma bedömningen."),
        ({"assessed_on": TODAY + datetime.timedelta(days=1)}, "assessed_on", None),
    ],
)
def test_bad_promotions_are_refused_and_nothing_is_saved(world, ladder, overrides, field, message):
    IntroductionItemFactory(staff=world.bob, done_on=datetime.date(2025, 12, 1))
    if overrides.get("level") == "3":
        overrides["level"] = ladder[3]
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        _promote(world, ladder, **overrides)
    assert field in exc.value.message_dict
    if message:
        assert exc.value.message_dict[field] == [message]
    assert _snapshot() == before
    assert LevelPlacement.objects.get(staff=world.bob).end is None


def test_overlapping_history_is_refused(world, ladder):
    newcomer = StaffMemberFactory(organisation=world.org, unit=world.unit, employment_start=datetime.date(2020, 1, 1))
    placement_start(
        organisation=world.org,
        staff=newcomer,
        level=ladder[1],
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2021, 12, 31),
    )
    with pytest.raises(ValidationError) as exc:
        placement_start(
            organisation=world.org,
            staff=newcomer,
            level=ladder[2],
            start=datetime.date(2021, 6, 1),
            end=datetime.date(2022, 6, 1),
        )
    assert exc.value.message_dict["start"] == ["Perioden överlappar en annan placering för personen."]
    with pytest.raises(ValidationError) as exc:
        placement_start(
            organisation=world.org,
            staff=newcomer,
            level=ladder[2],
            start=datetime.date(2023, 1, 1),
            end=datetime.date(2022, 1, 1),
        )
    assert exc.value.message_dict["end"] == ["Slutdatumet kan inte vara före startdatumet."]
    assert LevelPlacement.objects.filter(staff=newcomer).count() == 1


def test_manager_of_another_unit_cannot_promote(world, ladder):
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(staff=world.grace, organisation=world.org, role="unit_manager", unit=world.intake_unit)
    IntroductionItemFactory(staff=world.bob, done_on=datetime.date(2025, 12, 1))
    with pytest.raises(PermissionDenied):
        _promote(world, ladder, manager=world.grace)
    response = world.client("grace").post(reverse("competence:promote", args=[world.bob.pk]), {})
    assert response.status_code == 403
    # A department head sees the person but does not assess.
    assert world.client("dave").get(reverse("competence:staff_detail", args=[world.bob.pk])).status_code == 200
    assert world.client("dave").get(reverse("competence:promote", args=[world.bob.pk])).status_code == 403
    assert LevelPlacement.objects.filter(staff=world.bob).count() == 1


def test_promotion_to_specialist_creates_an_appointment_within_the_posts(world, ladder):
    LevelPlacement.objects.filter(staff=world.heidi).update(level=ladder[3])
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(staff=world.grace, organisation=world.org, role="unit_manager", unit=world.intake_unit)
    ladder_settings_update(organisation=world.org, specialist_posts=1)
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        _promote(world, ladder, staff=world.heidi, level=ladder[4], manager=world.grace)
    assert "Alla 1 specialisttjänster är tillsatta." in exc.value.message_dict["override_reason"][0]
    assert _snapshot() == before
    ladder_settings_update(organisation=world.org, specialist_posts=2)
    _promote(world, ladder, staff=world.heidi, level=ladder[4], manager=world.grace)
    appointment = Appointment.objects.get(staff=world.heidi)
    assert (appointment.start, appointment.end) == (TODAY, datetime.date(2028, 3, 9))
    assert appointment.renewal_due == datetime.date(2027, 11, 10)


def test_promote_page_shows_swedish_errors_and_saves_nothing(world, ladder):
    client = world.client("alice")
    url = reverse("competence:promote", args=[world.bob.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Personen har ingen introduktionsplan." in page.content.decode()
    response = client.post(
        url,
        {
            "level": ladder[3].pk,
            "start": "2026-03-10",
            "assessed_on": "2026-03-09",
            "specialist": world.carol.pk,
            "motivation": "Bra",
        },
    )
    assert response.status_code == 400
    assert "Nivåer kan inte hoppas över" in response.content.decode()
    assert LevelPlacement.objects.filter(staff=world.bob).count() == 1


def test_manager_promotes_through_the_page(world, ladder):
    IntroductionItem.objects.create(
        organisation=world.org,
        staff=world.bob,
        title="Välkomstsamtal",
        phase="orientation",
        due=datetime.date(2025, 9, 5),
        done_on=datetime.date(2025, 9, 5),
    )
    response = world.client("alice").post(
        reverse("competence:promote", args=[world.bob.pk]),
        {
            "level": ladder[2].pk,
            "start": "2026-03-10",
            "assessed_on": "2026-03-09",
            "specialist": world.carol.pk,
            "motivation": "Självständig i utredningar.",
        },
    )
    assert response.status_code == 302
    assert LevelPlacement.objects.get(staff=world.bob, end__isnull=True).level == ladder[2]
    html = world.client("bob").get(reverse("competence:my_ladder")).content.decode()
    assert "Du är på nivå 2. Efter introduktion." in html
    assert LadderLevel.objects.filter(organisation=world.org).count() == 4
