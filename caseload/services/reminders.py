"""Deadline reminders: one notification per investigation, threshold and recipient (a unique key)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from staff.models import MANAGER_ROLES, Organisation, RoleAssignment
from staff.services import notify

from ..models import Assignment, CaseloadSettings, Investigation


def _threshold(inv: Investigation, today: datetime.date, settings: CaseloadSettings) -> tuple[str, str] | None:
    """The most urgent threshold reached today, as (key, subject)."""
    number = inv.case.number
    if today > inv.deadline:
        # The day after the date in force, with no extension covering it: a decision is missing (docs/domain.md 5).
        return (
            f"overrun-{inv.deadline.isoformat()}",
            _("Case %(number)s: the legal deadline %(date)s passed without an extension decision")
            % {"number": number, "date": inv.deadline},
        )
    if today >= inv.deadline:
        return (
            f"legal-{inv.deadline.isoformat()}",
            _("Case %(number)s: the legal deadline %(date)s is reached") % {"number": number, "date": inv.deadline},
        )
    if today >= inv.target_date:
        return (
            "target",
            _("Case %(number)s: the target date %(date)s is reached") % {"number": number, "date": inv.target_date},
        )
    day = (today - inv.start_date).days
    for key, limit in (("second", settings.second_warning_day), ("first", settings.first_warning_day)):
        if day >= limit:
            return (
                key,
                _("Case %(number)s: day %(day)s of the investigation, legal deadline %(date)s")
                % {"number": number, "day": limit, "date": inv.deadline},
            )
    return None


def deadline_reminders_send(*, organisation: Organisation, today: datetime.date) -> int:
    """Notify the main handler (and, from the target date on, the unit's managers) once per threshold.

    The thresholds: first and second warning, target date, legal deadline (the date in force), and the day
    after it when no extension decision covers it (overrun: the extension is missing).

    Returns the number of new notifications. Running it again the same day creates none.
    """
    settings = CaseloadSettings.for_org(organisation)
    warned_from = today - datetime.timedelta(days=min(settings.first_warning_day, settings.target_days))
    running = list(
        Investigation.objects.filter(organisation=organisation, closed_on__isnull=True)
        .filter(Q(start_date__lte=warned_from) | Q(legal_deadline__lte=today))
        .select_related("case")
    )
    case_ids = [inv.case_id for inv in running]
    mains = {
        a.case_id: a.staff
        for a in Assignment.objects.filter(
            organisation=organisation, case_id__in=case_ids, role=Assignment.Role.MAIN, end__isnull=True
        ).select_related("staff")
    }
    managers: dict[int, list] = {}
    for ra in RoleAssignment.objects.filter(
        organisation=organisation, role__in=MANAGER_ROLES, unit_id__in={inv.case.unit_id for inv in running}
    ).select_related("staff"):
        managers.setdefault(ra.unit_id, []).append(ra.staff)
    created = 0
    for inv in running:
        reached = _threshold(inv, today, settings)
        if reached is None:
            continue
        key, subject = reached
        recipients = [mains[inv.case_id]] if inv.case_id in mains else []
        if key == "target" or key.startswith(("legal", "overrun")):
            recipients += managers.get(inv.case.unit_id, [])
        url = reverse("caseload:case_detail", args=[inv.case_id])
        body = _("Investigation started %(start)s. Target date %(target)s, legal deadline %(legal)s.") % {
            "start": inv.start_date,
            "target": inv.target_date,
            "legal": inv.deadline,
        }
        for person in {p.pk: p for p in recipients}.values():
            _n, new = notify(
                organisation=organisation,
                recipient=person,
                key=f"deadline:{inv.pk}:{key}:staff:{person.pk}",
                subject=subject,
                body=body,
                url=url,
                case_refs=[(inv.case_id, inv.case.unit_id)],
            )
            created += new
    return created
