"""Demo data for the survey app: Demo kommun has three closed tertials, an open round, flagged answers
with action plans, a baseline and exit interviews; Grannby kommun has one closed round. Idempotent."""

from __future__ import annotations

import datetime

from django.utils import timezone

from staff.models import CASE_WORKER_ROLES, RoleAssignment, StaffMember, Unit

from . import services
from .models import ActionPlan, Answer, ExitInterview, Invitation, RhythmStep, SurveyRound
from .tertials import Tertial

MOTIVATIONS = {
    1: "Alldeles för många ärenden, jag hinner inte dokumentera.",
    2: "Tungt just nu, flera kollegor har slutat.",
    3: "Det varierar mellan veckorna.",
    4: "Bra stöd från gruppen och chefen.",
    5: "",
}


def _case_workers(org) -> list[tuple[StaffMember, int]]:
    rows = RoleAssignment.objects.filter(organisation=org, role__in=sorted(CASE_WORKER_ROLES)).select_related("staff")
    return [(r.staff, r.unit_id) for r in rows.order_by("staff_id")]


def _closed_round(ctx, tertial: Tertial, *, answer_share: float, mood: int) -> SurveyRound:
    org = ctx.organisation
    survey_round = services.round_ensure(organisation=org, tertial=tertial)
    rng = ctx.rng
    for staff, unit_id in _case_workers(org):
        if not staff.is_active_on(tertial.end) and not staff.is_active_on(survey_round.opens_at.date()):
            continue
        Invitation.objects.get_or_create(
            organisation=org,
            round=survey_round,
            staff=staff,
            defaults={"unit_id": unit_id, "invited_at": survey_round.opens_at},
        )
        if rng.random() > answer_share:
            continue
        scores = [max(1, min(5, round(rng.gauss(3.4 + mood * 0.2, 0.9)))) for _ in range(3)]
        Answer.objects.create(
            organisation=org,
            round=survey_round,
            staff=staff,
            unit_id=unit_id,
            q1=scores[0],
            q2=scores[1],
            q3=scores[2],
            m1=MOTIVATIONS[scores[0]],
            m2=MOTIVATIONS[scores[1]] if rng.random() < 0.5 else "",
            m3="",
        )
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        status=SurveyRound.Status.CLOSED,
        opened_at=survey_round.opens_at,
        closed_at=survey_round.closes_at,
        min_respondents=services.survey_settings_get(organisation=org).min_respondents,
    )
    survey_round.refresh_from_db()
    services.snapshot_take(organisation=org, survey_round=survey_round)
    return survey_round


def _open_round(ctx, tertial: Tertial) -> SurveyRound:
    org = ctx.organisation
    now = timezone.now()
    survey_round = services.round_schedule(
        organisation=org,
        tertial=tertial,
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now + datetime.timedelta(days=12),
    )
    SurveyRound.objects.filter(pk=survey_round.pk).update(status=SurveyRound.Status.OPEN, opened_at=now)
    survey_round.refresh_from_db()
    for staff, unit_id in _case_workers(org):
        if not staff.is_active_on(ctx.today):
            continue
        Invitation.objects.get_or_create(
            organisation=org, round=survey_round, staff=staff, defaults={"unit_id": unit_id, "invited_at": now}
        )
    return survey_round


def _leavers(ctx) -> None:
    org = ctx.organisation
    units = [u for u in Unit.objects.filter(organisation=org, kind__in=[Unit.Kind.INTAKE, Unit.Kind.INVESTIGATION])]
    if not units or not ctx.logins:
        return
    interviewer = ctx.logins.get("hr") or next(iter(ctx.logins.values()))
    plan = [
        ("Lina", "Berglund", 330, 1.2, ExitInterview.Reason.SALARY, "Högre lön i grannkommunen."),
        ("Tobias", "Ekman", 250, 0.8, ExitInterview.Reason.WORKLOAD, "För många ärenden under lång tid."),
        ("Nora", "Sjöberg", 140, 3.5, ExitInterview.Reason.LEADERSHIP, "Enheten var utan chef i ett halvår."),
        ("Elias", "Holmgren", 60, 6.0, ExitInterview.Reason.DEVELOPMENT, "Vill prova nya arbetsuppgifter."),
    ]
    for index, (first, last, days_ago, years, reason, why) in enumerate(plan):
        left = ctx.today - datetime.timedelta(days=days_ago)
        member = StaffMember.objects.create(
            organisation=org,
            first_name=first,
            last_name=last,
            unit=units[index % len(units)],
            title="Socialsekreterare",
            employment_start=left - datetime.timedelta(days=round(years * 365)),
            employment_end=left,
            profession_start=left - datetime.timedelta(days=round(years * 365)),
            leaving_reason=why,
            employee_number=f"{org.pk}9{index:03d}",  # the leavers' own series, apart from staff/demo.py's
        )
        ExitInterview.objects.create(
            organisation=org,
            staff=member,
            unit=member.unit,
            held_on=left - datetime.timedelta(days=7),
            main_reason=reason,
            answers={"1": why, "9": "Hög, ibland för hög.", "12": "Lägre arbetsbelastning och mer chefsstöd."},
            interviewer=interviewer,
        )


def seed(ctx) -> None:
    org = ctx.organisation
    if SurveyRound.objects.filter(organisation=org).exists():
        return
    current = Tertial.of(ctx.today)
    if org.slug != "demo":
        _closed_round(ctx, current.previous(), answer_share=1.0, mood=0)
        return
    _leavers(ctx)
    past = [current.previous().previous().previous(), current.previous().previous(), current.previous()]
    closed = [_closed_round(ctx, t, answer_share=0.85, mood=m) for t, m in zip(past, (-1, 0, 1), strict=True)]
    services.baseline_import(
        organisation=org,
        content="enhet;q1;q2;q3\n"
        + "\n".join(f"{u.name};3,1;3,6;3,0" for u in Unit.objects.filter(organisation=org).order_by("name")),
    )
    manager = ctx.logins.get("manager")
    latest = closed[-1]
    if manager and manager.unit_id:
        flagged = [a for a in Answer.objects.filter(round=latest, unit_id=manager.unit_id) if a.flagged]
        worker = ctx.logins.get("worker")
        if worker and not any(a.staff_id == worker.pk for a in flagged):
            answer = Answer.objects.filter(round=latest, staff=worker).first()
            if answer:
                answer.q1, answer.m1 = 2, MOTIVATIONS[2]
                answer.save()
                flagged.insert(0, answer)
        for answer in flagged[:2]:
            ActionPlan.objects.create(
                organisation=org,
                answer=answer,
                staff=answer.staff,
                offered_by=manager,
                actions="Genomgång av ärendelistan varannan vecka; två ärenden omfördelas.",
                follow_up_on=ctx.today + datetime.timedelta(days=30),
            )
        for step in (1, 2):
            if Tertial(ctx.today.year, step).end < ctx.today:
                RhythmStep.objects.create(
                    organisation=org,
                    unit_id=manager.unit_id,
                    year=ctx.today.year,
                    step=step,
                    done_on=Tertial(ctx.today.year, step).end - datetime.timedelta(days=10),
                    note="Presenterat på APT.",
                    recorded_by=manager,
                )
    _open_round(ctx, current)
