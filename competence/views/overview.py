from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from staff.permissions import staff_required

from .. import selectors
from ..models import IntroductionItem, Mentorship, PlannedTraining
from .common import LADDER_VIEWERS


@staff_required(*LADDER_VIEWERS)
def overview(request):
    """The manager's ladder overview: people per level per unit, eligible people, expiring
    appointments, supplement cost this month, overdue introduction items and the level chart."""
    org = request.organisation
    today = timezone.localdate()
    unit_ids = selectors.visible_unit_ids(access=request.access)
    settings = selectors.ladder_settings(organisation=org)
    levels, per_unit = selectors.people_per_level_per_unit(organisation=org, unit_ids=unit_ids, on=today)
    people = selectors.staff_list(organisation=org, unit_ids=unit_ids, on=today).filter(current_level__isnull=False)
    checks = selectors.eligibility_for(organisation=org, staff=people, on=today).values()
    report = selectors.supplement_report(organisation=org, month=today.replace(day=1), unit_ids=unit_ids)
    return render(
        request,
        "competence/overview.html",
        {
            "settings": settings,
            "levels": levels,
            "per_unit": per_unit,
            "eligible_now": [e for e in checks if e.eligible],
            "eligible_soon": [e for e in checks if e.soon],
            "expiring": selectors.expiring_appointments(
                organisation=org, unit_ids=unit_ids, on=today, months=settings.renewal_notice_months
            ),
            "report": report,
            "renewals_due": selectors.renewal_decisions_due(
                organisation=org, on=today, unit_ids=unit_ids, settings=settings
            )[:50],
            "mentor_requests": selectors.mentor_requests(organisation=org, unit_ids=unit_ids)[:50],
            "overdue": selectors.overdue_introduction_items(organisation=org, on=today, unit_ids=unit_ids)[:50],
            "chart": selectors.level_history(organisation=org, unit_ids=unit_ids, today=today),
            "today": today,
        },
    )


@staff_required()
def my_ladder(request):
    """The worker's own ladder: level, expectations, what the next level needs, introduction, mentor, trainings."""
    member = request.get_staff()
    org = request.organisation
    today = timezone.localdate()
    check = selectors.eligibility(staff=member, on=today)
    return render(
        request,
        "competence/my_ladder.html",
        {
            "member": member,
            "check": check,
            "intro_items": IntroductionItem.objects.filter(organisation=org, staff=member).select_related(
                "responsible", "done_by"
            ),
            "mentorships": Mentorship.objects.filter(organisation=org, staff=member).select_related("mentor"),
            "trainings": PlannedTraining.objects.filter(organisation=org, staff=member).select_related("training"),
            "responsible_for": IntroductionItem.objects.filter(
                organisation=org, responsible=member, done_on__isnull=True
            )
            .exclude(staff=member)
            .select_related("staff"),
            "today": today,
        },
    )
