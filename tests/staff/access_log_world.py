"""Real objects of Alfa kommun for the access-log tests: a case, an intake item, a ladder, a survey answer."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from caseload.models import Case, CycleSettings
from competence.models import Appointment, IntroductionItem, LadderLevel, ReflectionSession
from competence.services import appointment_create, ladder_setup_default, placement_start
from intake.models import IntakeItem
from staff.models import RoleAssignment
from staff.services import notify
from surveys.models import Answer, ExitInterview, Invitation, SurveyRound
from surveys.services import round_ensure
from surveys.tertials import Tertial
from tests.caseload.factories import case
from tests.intake.factories import item


@dataclass
class Objects:
    case: Case
    intake_item: IntakeItem
    round: SurveyRound
    answer: Answer
    exit_interview: ExitInterview
    intro_item: IntroductionItem
    session: ReflectionSession
    appointment: Appointment


def alfa_objects(w) -> Objects:
    org = w.org
    ladder_setup_default(organisation=org)
    level1 = LadderLevel.objects.get(organisation=org, number=1)
    placement_start(organisation=org, staff=w.bob, level=level1, start=w.bob.employment_start)
    appointment = appointment_create(organisation=org, staff=w.bob, start=datetime.date(2025, 1, 1))
    the_case = case(w.unit, "ALFA-1", main=w.bob)
    intake_item = item(w.intake_unit, "MOT-1", by=w.grace)
    survey_round = round_ensure(organisation=org, tertial=Tertial(2026, 3))
    # Closed: results, answers and action plans of a survey are read only once its round has closed.
    SurveyRound.objects.filter(pk=survey_round.pk).update(status=SurveyRound.Status.CLOSED)
    Invitation.objects.create(
        organisation=org, round=survey_round, staff=w.bob, unit=w.unit, invited_at=survey_round.opens_at
    )
    answer = Answer.objects.create(organisation=org, round=survey_round, staff=w.bob, unit=w.unit, q1=1, q2=2, q3=3)
    exit_interview = ExitInterview.objects.create(
        organisation=org,
        staff=w.carol,
        unit=w.unit,
        held_on=datetime.date(2026, 1, 10),
        main_reason="salary",
        interviewer=w.erin,
    )
    notify(  # a reminder naming the case: the notifications page logs it
        organisation=org,
        recipient=w.bob,
        key="walk:reminder",
        subject="Ärende ALFA-1",
        email=False,
        case_refs=[(the_case.pk, w.unit.pk)],
    )
    CycleSettings.objects.get_or_create(organisation=org, unit=w.unit, defaults={"anchor": datetime.date(2026, 1, 12)})
    return Objects(
        case=the_case,
        intake_item=intake_item,
        round=survey_round,
        answer=answer,
        exit_interview=exit_interview,
        intro_item=IntroductionItem.objects.filter(staff=w.bob).first(),
        session=ReflectionSession.objects.filter(staff=w.bob).first(),
        appointment=appointment if isinstance(appointment, Appointment) else Appointment.objects.get(staff=w.bob),
    )


def bob_role(w) -> int:
    return RoleAssignment.objects.get(staff=w.bob).pk
