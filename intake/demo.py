"""Demo intake: reports and applications in the intake unit, a few due today, some overdue, some decided."""

from __future__ import annotations

import datetime

from django.utils import timezone

from staff.demo import DemoContext, ensure_login
from staff.models import Role, StaffMember

from .models import IntakeItem, IntakeSettings

# (days ago received, kind, reason, acute, decided?)
ITEMS = [
    (14, IntakeItem.Kind.REPORT, IntakeItem.Reason.NEGLECT, False, False),
    (14, IntakeItem.Kind.REPORT, IntakeItem.Reason.VIOLENCE, True, False),
    (14, IntakeItem.Kind.APPLICATION, IntakeItem.Reason.SUPPORT, False, False),
    (17, IntakeItem.Kind.REPORT, IntakeItem.Reason.PARENTING, False, False),
    (9, IntakeItem.Kind.REPORT, IntakeItem.Reason.SUBSTANCE, False, False),
    (3, IntakeItem.Kind.REPORT, IntakeItem.Reason.BEHAVIOUR, False, False),
    (0, IntakeItem.Kind.REPORT, IntakeItem.Reason.VIOLENCE, True, False),
    (30, IntakeItem.Kind.REPORT, IntakeItem.Reason.NEGLECT, False, True),
    (45, IntakeItem.Kind.APPLICATION, IntakeItem.Reason.SUPPORT, False, True),
]


def seed(ctx: DemoContext) -> None:
    org = ctx.organisation
    unit = ctx.units.get("intake")
    if unit is None:
        return
    # a social worker of the intake unit: the login that makes pre-assessments and decisions
    assessor = ensure_login(ctx, "intake-worker", unit=unit, role=Role.SOCIAL_WORKER)
    if IntakeItem.objects.filter(organisation=org).exists():
        return
    registrar = ctx.logins.get("administrator") or StaffMember.objects.filter(organisation=org, unit=unit).first()
    if registrar is None:
        return
    days = IntakeSettings.for_org(org).pre_assessment_days
    now = timezone.localtime()
    for n, (ago, kind, reason, acute, decided) in enumerate(ITEMS):
        received = (now - datetime.timedelta(days=ago)).replace(hour=8 + n, minute=15, second=0, microsecond=0)
        received = min(received, now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=5))  # never later
        on = received.date()
        assessed = kind == IntakeItem.Kind.REPORT and ago > 0
        IntakeItem.objects.create(
            organisation=org,
            unit=unit,
            case_number=f"MOT-{ctx.today.year}-{n + 101:04d}",
            kind=kind,
            received_at=received,
            acute=acute,
            reason=reason,
            due_date=on + datetime.timedelta(days=days),
            protection_assessed_at=received + datetime.timedelta(hours=2) if assessed else None,
            protection_needed=False if assessed else None,
            protection_outcome="Inget omedelbart skydd: barnet är tryggt hos vårdnadshavare." if assessed else "",
            protection_assessed_by=assessor if assessed else None,
            decision=IntakeItem.Decision.NOT_OPENED if decided else IntakeItem.Decision.PENDING,
            decided_on=on + datetime.timedelta(days=10) if decided else None,
            decision_reason="Ingen aktuell oro efter samtal med vårdnadshavare och skola." if decided else "",
            registered_by=registrar,
            decided_by=registrar if decided else None,
        )
