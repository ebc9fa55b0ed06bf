"""A hand-computed tertial for the HR API tests: Alfa kommun, T2 2026 (May–August), viewed 15 Sep 2026.

Utredning: alice, bob (level 1), carol (level 4), ivan, and nils (level 2, social worker, hired 1 July); lena
left on 30 June. Mottagning: grace, heidi and olga, a consultant from 16 August (60 000 SEK a month).
Case workers (social workers and specialists) on 31 August: bob, carol, nils in Utredning; heidi in Mottagning.
Employees' days in T2 (123 days): Utredning 4 × 123 + nils 62 + lena 61 = 615 (average headcount 5.0);
Mottagning 2 × 123 = 246 (2.0): olga, a consultant, is in consultant months (16/31 of August = 0.52), not in
turnover.

Cases of Utredning open on 31 August: c1 (weight 3, co-handler), c2 (1, none), c3 (2, co-handler),
c7 (1, co-handler, closed 5 September): 4 cases, weight 7, 3 with a co-handler.
Investigations closed in T2: c4 (within target and legal limit), c5 (neither), c6 (legal limit only).
Level 2 pays 1 000 SEK a month: nils earns 2 000 SEK over July and August.
Survey T2: Utredning's five answer (4, 4, 5); Mottagning's three are invited and do not answer.
Survey T1: Utredning's five of then answer (3, 3, 3). Baseline of Utredning: 3.50, 3.75, 4.10.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from competence.models import SupplementRate
from staff.models import Role, RoleAssignment, StaffMember
from surveys.models import Answer, Baseline, Invitation, SurveyRound
from surveys.services import round_schedule
from surveys.tertials import Tertial
from tests.caseload.factories import case, levels, place
from tests.factories import StaffMemberFactory, UserFactory
from tests.surveys.conftest import at

D = datetime.date
NOW = datetime.datetime(2026, 9, 15, 12, 0, tzinfo=datetime.UTC)


def _survey(world, tertial: Tertial, people, scores, invited_only=()) -> SurveyRound:
    opens = at(tertial.year, tertial.last_month, 3, 8)
    survey_round = round_schedule(
        organisation=world.org, tertial=tertial, opens_at=opens, closes_at=opens + datetime.timedelta(days=14)
    )
    for person in list(people) + list(invited_only):
        Invitation.objects.create(
            organisation=world.org, round=survey_round, staff=person, unit=person.unit, invited_at=opens
        )
    for person in people:
        Answer.objects.create(
            organisation=world.org,
            round=survey_round,
            staff=person,
            unit=person.unit,
            q1=scores[0],
            q2=scores[1],
            q3=scores[2],
            m1="Hemlig motivering",
        )
    SurveyRound.objects.filter(pk=survey_round.pk).update(status=SurveyRound.Status.CLOSED)
    return survey_round


def build(world) -> dict:
    org, unit, intake = world.org, world.unit, world.intake_unit
    lv = levels(org)
    SupplementRate.objects.create(organisation=org, level=lv[2], amount=Decimal("1000"), valid_from=D(2020, 1, 1))
    place(world.bob, 1)
    place(world.carol, 4)
    nils = StaffMemberFactory(
        organisation=org, unit=unit, user=UserFactory(username="nils"), employment_start=D(2026, 7, 1)
    )
    place(nils, 2, start=D(2026, 7, 1))
    RoleAssignment.objects.create(organisation=org, staff=nils, role=Role.SOCIAL_WORKER, unit=unit)
    lena = StaffMemberFactory(
        organisation=org, unit=unit, employment_start=D(2020, 1, 1), employment_end=D(2026, 6, 30)
    )
    olga = StaffMemberFactory(
        organisation=org,
        unit=intake,
        employment_start=D(2026, 8, 16),
        employment_type=StaffMember.EmploymentType.CONSULTANT,
        consultant_monthly_cost=Decimal("60000"),
    )
    bob, carol = world.bob, world.carol
    case(unit, "c1", main=bob, co=nils, start=D(2026, 7, 1), weight=3)
    case(unit, "c2", main=bob, start=D(2026, 6, 1))
    case(unit, "c3", main=nils, co=bob, start=D(2026, 7, 10), weight=2)
    case(unit, "c4", main=bob, co=carol, start=D(2026, 5, 1), closed_on=D(2026, 7, 15))
    case(unit, "c5", main=bob, co=carol, start=D(2026, 4, 1), closed_on=D(2026, 8, 20))
    case(unit, "c6", main=bob, co=carol, start=D(2026, 5, 10), closed_on=D(2026, 8, 25))
    case(unit, "c7", main=bob, co=carol, start=D(2026, 6, 15), closed_on=D(2026, 9, 5))
    case(unit, "c8", start=D(2026, 8, 1))  # awaiting allocation: not open
    utredning_t2 = [world.alice, bob, carol, world.ivan, nils]
    _survey(world, Tertial(2026, 1), [world.alice, bob, carol, world.ivan, lena], (3, 3, 3))
    _survey(world, Tertial(2026, 2), utredning_t2, (4, 4, 5), invited_only=[world.grace, world.heidi, olga])
    Baseline.objects.create(organisation=org, unit=unit, q1=Decimal("3.50"), q2=Decimal("3.75"), q3=Decimal("4.10"))
    return {"nils": nils, "lena": lena, "olga": olga}
