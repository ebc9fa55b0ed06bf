"""A survey motivation refuses a personal identity number at the field; the answer is not saved."""

import time_machine

from surveys.models import Answer
from tests.surveys.conftest import at
from tests.surveys.test_answers import GOOD, _post, open_round  # noqa: F401 - the fixture

REFUSAL = "Skriv inte personnummer eller samordningsnummer här"


@time_machine.travel(at(2026, 12, 3, 10, 0), tick=False)
def test_a_motivation_with_an_identity_number_is_refused(world, open_round):  # noqa: F811
    for field, text in (("m1", "Ärendet 19121212-1212 tar all tid"), ("m3", "1212121212")):
        response = _post(world.client("bob"), open_round, {**GOOD, field: text})
        assert response.status_code == 200
        assert REFUSAL in str(response.context["form"].errors[field])
    assert not Answer.objects.exists()
    assert _post(world.client("bob"), open_round, {**GOOD, "m1": "Ärende BoU-W-001 tar all tid"}).status_code == 302
    assert Answer.objects.get().m1 == "Ärende BoU-W-001 tar all tid"


# Issue 15 review: the other free texts of the surveys app, through the page and through the service.

PNR = "19121212-1212"


def test_an_exit_interview_answer_with_an_identity_number_is_refused_at_the_field(world):
    import datetime

    from django.urls import reverse

    from surveys.models import ExitInterview

    heidi = world.heidi
    heidi.employment_end = datetime.date(2026, 6, 30)
    heidi.save()
    data = {"staff": heidi.pk, "held_on": "2026-06-20", "main_reason": "workload", "a1": "För många ärenden"}
    response = world.client("erin").post(reverse("surveys:exit_new"), {**data, "a3": f"Klienten {PNR} hotade"})
    assert response.status_code == 200
    assert REFUSAL in str(response.context["form"].errors["a3"])
    assert not ExitInterview.objects.exists()
    assert world.client("erin").post(reverse("surveys:exit_new"), data).status_code == 302


def test_an_action_plan_with_an_identity_number_is_refused_at_the_field(world, open_round):  # noqa: F811
    from django.urls import reverse

    from surveys.models import ActionPlan
    from surveys.services import round_close

    with time_machine.travel(at(2026, 12, 3, 10, 0), tick=False):
        _post(world.client("bob"), open_round, GOOD)  # q2 = 2: flagged
    round_close(organisation=world.org, survey_round=open_round, now=at(2026, 12, 15, 8, 0))
    url = reverse("surveys:action_plan", args=[Answer.objects.get().pk])
    with time_machine.travel(at(2026, 12, 16, 10, 0), tick=False):
        response = world.client("alice").post(url, {"actions": f"Färre ärenden än {PNR}", "follow_up_on": "2027-01-20"})
        assert response.status_code == 200
        assert REFUSAL in str(response.context["form"].errors["actions"])
        assert not ActionPlan.objects.exists()
        good = world.client("alice").post(url, {"actions": "Färre ärenden", "follow_up_on": "2027-01-20"})
        assert good.status_code == 302


@time_machine.travel(at(2026, 9, 10, 10, 0), tick=False)
def test_a_rhythm_note_with_an_identity_number_is_refused(world):
    from django.urls import reverse

    from surveys.models import RhythmStep

    url = reverse("surveys:rhythm_record", args=[world.unit.pk])
    data = {"step": 1, "done_on": "2026-04-20", "year": 2026}
    response = world.client("alice").post(url, {**data, "note": f"APT om {PNR}"}, follow=True)
    assert REFUSAL in response.content.decode()
    assert not RhythmStep.objects.exists()
    world.client("alice").post(url, {**data, "note": "APT"})
    assert RhythmStep.objects.get().note == "APT"


def _refused(call, field):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        call()
    assert exc.value.error_dict[field][0].code == "identity_number"


def test_the_survey_services_refuse_identity_numbers_themselves(world, open_round):  # noqa: F811
    import datetime

    from surveys import services
    from surveys.models import ActionPlan, ExitInterview, RhythmStep

    with time_machine.travel(at(2026, 12, 3, 10, 0), tick=False):
        _refused(
            lambda: services.answer_submit(
                organisation=world.org,
                survey_round=open_round,
                staff=world.bob,
                scores={"q1": 4, "q2": 2, "q3": 5},
                motivations={"m2": f"Ärendet {PNR}"},
            ),
            "m2",
        )
        assert not Answer.objects.exists()
        _post(world.client("bob"), open_round, GOOD)
    services.round_close(organisation=world.org, survey_round=open_round, now=at(2026, 12, 15, 8, 0))
    with time_machine.travel(at(2026, 12, 16, 10, 0), tick=False):
        _refused(
            lambda: services.action_plan_offer(
                organisation=world.org,
                answer=Answer.objects.get(),
                offered_by=world.alice,
                actions=PNR,
                follow_up_on=datetime.date(2027, 1, 20),
            ),
            "actions",
        )
        _refused(
            lambda: services.rhythm_step_record(
                organisation=world.org,
                unit=world.unit,
                year=2026,
                step=1,
                done_on=datetime.date(2026, 4, 20),
                note=PNR,
                recorded_by=world.alice,
            ),
            "note",
        )
        _refused(
            lambda: services.exit_interview_record(
                organisation=world.org,
                staff=world.heidi,
                interviewer=world.erin,
                held_on=datetime.date(2026, 6, 20),
                main_reason="workload",
                answers={"1": "För många ärenden", "15": f"Se {PNR}"},
            ),
            "a15",
        )
    assert not (ActionPlan.objects.exists() or RhythmStep.objects.exists() or ExitInterview.objects.exists())
