"""Reads of intake: the queue (acute first, then overdue) and the unit dashboard's overdue pre-assessments."""

from __future__ import annotations

import datetime

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from staff.models import Organisation, Unit
from staff.platform.tenancy import get_for_org

from .models import IntakeItem


def intake_get(*, organisation: Organisation, pk) -> IntakeItem:
    return get_for_org(
        IntakeItem.objects.select_related("unit", "investigation__case", "protection_assessed_by"),
        organisation=organisation,
        pk=pk,
    )


def intake_queue(
    *,
    organisation: Organisation,
    unit_ids,
    today: datetime.date,
    search: str = "",
    show: str = "pending",
    order_by: str | None = None,
) -> QuerySet[IntakeItem]:
    """Items of the given units. Pending ones: acute first (a chosen column sorts within acute and the rest),
    then overdue, then by due date and arrival. Decided ones newest first."""
    qs = IntakeItem.objects.filter(organisation=organisation, unit_id__in=unit_ids).select_related("unit")
    if search:
        qs = qs.filter(case_number__icontains=search.strip())
    if show == "pending":
        return (
            qs.filter(decision=IntakeItem.Decision.PENDING)
            .annotate(
                overdue=Case(When(due_date__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField())
            )
            .order_by("-acute", *([order_by, "pk"] if order_by else ["overdue", "due_date", "received_at", "pk"]))
        )
    decided = qs.exclude(decision=IntakeItem.Decision.PENDING)
    return decided.order_by(*([order_by, "pk"] if order_by else ["-decided_on", "-pk"]))


def overdue_pre_assessments(*, organisation: Organisation, today: datetime.date) -> QuerySet[IntakeItem]:
    return IntakeItem.objects.filter(
        organisation=organisation, decision=IntakeItem.Decision.PENDING, due_date__lt=today
    )


def overdue_panel(*, organisation: Organisation, unit: Unit, today: datetime.date) -> dict:
    """The unit dashboard's panel: overdue pre-assessments in the unit's department (two queries)."""
    qs = overdue_pre_assessments(organisation=organisation, today=today).filter(
        Q(unit=unit) | Q(unit__department_id=unit.department_id)
    )
    items = list(qs.select_related("unit").order_by("-acute", "due_date", "pk")[:20])
    total = len(items) if len(items) < 20 else qs.count()
    cases = cases_shown(organisation=organisation, numbers=[i.case_number for i in items])
    return {"template": "intake/_overdue_panel.html", "items": items, "cases": cases, "total": total, "today": today}


def cases_shown(*, organisation: Organisation, numbers) -> list:
    """The caseload cases carrying the case numbers an intake page shows (matched as `find_case` does, case
    and spaces aside), for the access log: "who read case X" finds the reader of the queue, of an item and
    of the dashboard's panel. One query (none for no numbers)."""
    from django.db.models.functions import Upper

    from caseload.models import Case as CaseloadCase

    wanted = {(n or "").strip().upper() for n in numbers} - {""}
    if not wanted:
        return []
    return list(
        CaseloadCase.objects.annotate(upper_number=Upper("number"))
        .filter(organisation=organisation, upper_number__in=wanted)
        .only("pk", "unit_id")
    )
