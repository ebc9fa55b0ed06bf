from surveys.models import Answer, SurveyRound
from surveys.tertials import Tertial
from tests.outsiders import Outsider


def _beta_round(w) -> SurveyRound:
    from surveys.services import round_ensure

    return round_ensure(organisation=w.other_org, tertial=Tertial(2026, 3))


def _beta_answer(w) -> Answer:
    from surveys.models import Invitation

    survey_round = _beta_round(w)
    SurveyRound.objects.filter(pk=survey_round.pk).update(status=SurveyRound.Status.OPEN)
    Invitation.objects.get_or_create(
        organisation=w.other_org,
        round=survey_round,
        staff=w.charlie,
        defaults={"unit": w.other_unit, "invited_at": survey_round.opens_at},
    )
    answer, _ = Answer.objects.get_or_create(
        organisation=w.other_org,
        round=survey_round,
        staff=w.charlie,
        defaults={"unit": w.other_unit, "q1": 1, "q2": 2, "q3": 3},
    )
    return answer


def _beta_plan(w):
    from surveys.models import ActionPlan

    answer = _beta_answer(w)
    plan, _ = ActionPlan.objects.get_or_create(
        organisation=w.other_org,
        answer=answer,
        defaults={"staff": w.charlie, "offered_by": w.charlie, "actions": "Beta", "follow_up_on": "2027-01-20"},
    )
    return plan


CASES = {
    "surveys:answer": Outsider("bob", lambda w: {"pk": _beta_round(w).pk}),
    "surveys:round_results": Outsider("erin", lambda w: {"pk": _beta_round(w).pk}),
    "surveys:round_export": Outsider("erin", lambda w: {"pk": _beta_round(w).pk}),
    "surveys:unit_results": Outsider("erin", lambda w: {"pk": w.other_unit.pk}),
    "surveys:rhythm_record": Outsider(
        "alice",
        lambda w: {"pk": w.other_unit.pk},
        method="post",
        data=lambda w: {"step": 1, "done_on": "2026-04-20", "year": 2026},
    ),
    "surveys:action_plan": Outsider("alice", lambda w: {"pk": _beta_answer(w).pk}),
    "surveys:action_plan_detail": Outsider("alice", lambda w: {"pk": _beta_plan(w).pk}),
    "surveys:action_plan_edit": Outsider(
        "alice",
        lambda w: {"pk": _beta_plan(w).pk},
        method="post",
        data=lambda w: {"actions": "Alfa", "follow_up_on": "2099-01-20"},
    ),
    "surveys:round_edit": Outsider("erin", lambda w: {"pk": _beta_round(w).pk}),
}

# The HR report's only object is the optional ?department=: Beta kommun's department is a 404 for Alfa's HR.
CASES["surveys_api:tertial_report"] = Outsider(
    "erin", lambda w: {"tertial": "2026-T2"}, data=lambda w: {"department": w.other_unit.department_id}
)
