"""Intake refuses personal identity numbers and names as case numbers, and identity numbers in the reason."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from caseload.models import Case, CaseloadSettings
from intake.models import IntakeItem
from tests.intake.factories import item

REFUSAL = "Skriv inte personnummer eller samordningsnummer här"
SHAPE = "Det här är inget ärendenummer av den form som er organisation använder."


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2024, 6, 14, 10, 0), tick=False):
        yield


def _register(world, case_number):
    data = {
        "case_number": case_number,
        "kind": "report",
        "received_at": "2024-06-14T08:30",
        "reason": "violence",
        "about_child": "on",
        "unit": world.intake_unit.pk,
    }
    return world.client("grace").post(reverse("intake:register"), data)


@pytest.mark.parametrize(
    ("case_number", "message"),
    [
        ("201212121212", REFUSAL),
        ("19121212-1212", REFUSAL),
        ("121212-1212", REFUSAL),
        ("MOT-121212-1212", REFUSAL),
        ("Anna Svensson", SHAPE),
        ("121212-1213", SHAPE),  # not an identity number (check digit), not a case number either
    ],
)
def test_register_refuses_at_the_case_number_field(world, case_number, message):
    response = _register(world, case_number)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["case_number"])
    assert not IntakeItem.objects.exists()


def test_the_organisations_own_pattern_applies_and_the_other_organisation_keeps_the_default(world):
    CaseloadSettings.objects.create(organisation=world.org, case_number_pattern="[0-9]{4}-[0-9]{3}")
    CaseloadSettings.objects.create(organisation=world.other_org)
    assert _register(world, "2024-123").status_code == 302
    assert SHAPE in str(_register(world, "MOT-2024-1").context["form"].errors["case_number"])
    assert list(IntakeItem.objects.values_list("case_number", flat=True)) == ["2024-123"]


def test_decision_reason_refuses_an_identity_number(world):
    report = item(world.intake_unit, "MOT-7", by=world.grace, received=timezone.now() - datetime.timedelta(days=1))
    response = world.client("heidi").post(
        reverse("intake:detail", args=[report.pk]),
        {"d-open_investigation": "0", "d-reason": "Barnet 121212-1212 bor nu hos fadern", "d-decided_on": "2024-06-14"},
    )
    assert response.status_code == 200
    assert REFUSAL in str(response.context["decision"].errors["reason"])
    report.refresh_from_db()
    assert report.decision == IntakeItem.Decision.PENDING and report.decision_reason == ""


def test_a_number_registered_under_an_old_pattern_still_opens_its_investigation(world):
    report = item(world.intake_unit, "MOT-8", by=world.grace, received=timezone.now() - datetime.timedelta(days=1))
    CaseloadSettings.objects.create(organisation=world.org, case_number_pattern="[0-9]{4}-[0-9]{3}")
    response = world.client("heidi").post(
        reverse("intake:detail", args=[report.pk]),
        {
            "d-open_investigation": "1",
            "d-reason": "Oro",
            "d-decided_on": "2024-06-14",
            "d-investigation_unit": world.unit.pk,
            "d-weight": "1",
        },
    )
    assert response.status_code == 302
    assert Case.objects.get().number == "MOT-8"


def test_the_decision_service_refuses_an_identity_number_itself(world):
    from django.core.exceptions import ValidationError

    from intake.services import intake_decide

    report = item(world.intake_unit, "MOT-9", by=world.grace, received=timezone.now() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        intake_decide(
            organisation=world.org,
            actor=world.heidi,
            item=report,
            open_investigation=False,
            reason="Barnet 121212-1212 bor nu hos fadern",
            decided_on=datetime.date(2024, 6, 14),
        )
    assert exc.value.error_dict["reason"][0].code == "identity_number"
    report.refresh_from_db()
    assert report.decision == IntakeItem.Decision.PENDING and report.decision_reason == ""
