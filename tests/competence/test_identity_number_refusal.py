"""The ladder's free texts refuse a personal identity number at the field, through the page and the service."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from competence.models import Assessment, LadderLevel, LevelPlacement, PlannedTraining, Training
from competence.services import ladder_level_save, training_create, training_plan_add
from tests.competence.test_promotion import _promote

REFUSAL = "Skriv inte personnummer eller samordningsnummer här"
PNR = "19121212-1212"
PROMOTION = {"level": None, "start": "2026-03-10", "assessed_on": "2026-03-09", "motivation": "Självständig."}


def _errors(response, form_key="form"):
    return {field: " ".join(errors) for field, errors in response.context[form_key].errors.items()}


@pytest.mark.parametrize("field", ["motivation", "override_reason"])
def test_a_promotion_text_with_an_identity_number_is_refused_at_the_field(world, ladder, field):
    data = {**PROMOTION, "level": ladder[2].pk, "specialist": world.carol.pk, field: f"Se ärendet {PNR}."}
    response = world.client("alice").post(reverse("competence:promote", args=[world.bob.pk]), data)
    assert response.status_code == 400
    assert REFUSAL in _errors(response)[field]
    assert LevelPlacement.objects.filter(staff=world.bob).count() == 1 and not Assessment.objects.exists()


def test_a_level_s_expectations_with_an_identity_number_are_refused_at_the_field(world, ladder):
    level = ladder[3]
    url = reverse("competence:level_edit", args=[level.pk])
    data = {"number": "3", "name": "Erfaren socionom", "min_years": "6", "expectations": f"Som i {PNR}"}
    response = world.client("frank").post(url, data)
    assert REFUSAL in _errors(response)["expectations"]
    added = world.client("frank").post(reverse("competence:level_add"), {**data, "number": "5"})
    assert added.status_code == 400 and REFUSAL in _errors(added, "level_form")["expectations"]
    level.refresh_from_db()
    assert level.name != "Erfaren socionom"
    assert not LadderLevel.objects.filter(organisation=world.org, number=5).exists()
    assert world.client("frank").post(url, {**data, "expectations": "Handleder."}).status_code == 302


def test_a_training_s_description_with_an_identity_number_is_refused_at_the_field(world, ladder):
    data = {"name": "MI", "description": f"För {PNR}"}
    response = world.client("frank").post(reverse("competence:training_add_catalogue"), data)
    assert response.status_code == 400 and REFUSAL in _errors(response, "training_form")["description"]
    assert not Training.objects.filter(name="MI").exists()


@pytest.mark.parametrize("field", ["goal", "purpose"])
def test_a_development_plan_text_with_an_identity_number_is_refused_at_the_field(world, ladder, field):
    bbic = Training.objects.get(organisation=world.org, name="BBIC")
    data = {"training": bbic.pk, "status": "planned", "planned_on": "2026-05-01", field: f"Ärendet {PNR}"}
    response = world.client("alice").post(reverse("competence:training_add", args=[world.bob.pk]), data)
    assert response.status_code == 400 and REFUSAL in _errors(response, "training_form")[field]
    assert not PlannedTraining.objects.exists()


def _refused(call, field):
    with pytest.raises(ValidationError) as exc:
        call()
    assert exc.value.error_dict[field][0].code == "identity_number"


def test_the_ladder_services_refuse_identity_numbers_themselves(world, ladder):
    _refused(lambda: _promote(world, ladder, motivation=PNR), "motivation")
    _refused(lambda: _promote(world, ladder, override_reason=PNR), "override_reason")
    _refused(lambda: ladder_level_save(organisation=world.org, number=5, name="Fem", expectations=PNR), "expectations")
    _refused(lambda: training_create(organisation=world.org, name="MI", description=PNR), "description")
    bbic = Training.objects.get(organisation=world.org, name="BBIC")
    for field in ("goal", "purpose"):
        _refused(
            lambda field=field: training_plan_add(
                organisation=world.org, staff=world.bob, training=bbic, status="planned", **{field: PNR}
            ),
            field,
        )
    assert LevelPlacement.objects.filter(staff=world.bob).count() == 1 and not Assessment.objects.exists()
    assert not LadderLevel.objects.filter(organisation=world.org, number=5).exists()
    assert not Training.objects.filter(name="MI").exists() and not PlannedTraining.objects.exists()
