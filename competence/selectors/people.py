"""Who a manager sees, the staff list with its filters, the staff timeline and the overview figures."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, When
from django.utils.translation import gettext as _

from staff.access import Access
from staff.dates import latest_start_for, months_in
from staff.models import MANAGER_ROLES, Absence, GroupMembership, Organisation, Role, StaffMember, Unit
from staff.platform.tenancy import get_for_org

from ..dates import add_months
from ..models import (
    Appointment,
    Assessment,
    IntroductionItem,
    LadderSettings,
    LevelPlacement,
    Mentorship,
    PlannedTraining,
)
from .ladder import ladder_levels, ladder_settings


def visible_unit_ids(*, access: Access) -> frozenset[int] | None:
    """Units whose staff the person sees on ladder pages; None = all (organisation admin)."""
    if access.is_org_admin:
        return None
    units = set(access.managed_unit_ids)
    if access.department_ids:
        units |= set(
            Unit.objects.filter(
                organisation_id=access.staff.organisation_id, department_id__in=access.department_ids
            ).values_list("pk", flat=True)
        )
    return frozenset(units)


def staff_for_viewer(*, organisation: Organisation, access: Access, pk) -> StaffMember:
    """A person of the organisation (else 404) whom the viewer may see (else 403)."""
    member = get_for_org(StaffMember.objects.select_related("unit", "user"), organisation=organisation, pk=pk)
    units = visible_unit_ids(access=access)
    if units is not None and member.unit_id not in units:
        raise PermissionDenied
    return member


def may_assess(*, access: Access, member: StaffMember) -> bool:
    """Only a unit manager or assistant manager of the person's unit assesses and promotes."""
    return bool(member.unit_id) and access.manages_unit(member.unit_id)


def unit_managers(*, unit_id: int | None) -> list[StaffMember]:
    if unit_id is None:
        return []
    return list(
        StaffMember.objects.filter(
            roles__unit_id=unit_id, roles__role__in=sorted(MANAGER_ROLES), employment_end__isnull=True
        )
        .distinct()
        .order_by("pk")
    )


def specialists(*, organisation: Organisation) -> QuerySet[StaffMember]:
    return (
        StaffMember.objects.filter(organisation=organisation, roles__role=Role.SPECIALIST, employment_end__isnull=True)
        .distinct()
        .order_by("last_name", "first_name")
    )


STAFF_SORTS = {
    "name": "last_name",
    "unit": "unit__name",
    "level": "current_level",
    "experience": "profession_start",
    "type": "employment_type",
}


def staff_list(
    *,
    organisation: Organisation,
    unit_ids: frozenset[int] | None,
    on: datetime.date,
    q: str = "",
    unit: int | None = None,
    group: int | None = None,
    level: int | None = None,
    employment_type: str = "",
    min_years: float | None = None,
    max_years: float | None = None,
    order: str = "last_name",
) -> QuerySet[StaffMember]:
    """Active staff the viewer sees, with their current level number annotated (no N+1)."""
    from django.db.models import Subquery

    current = LevelPlacement.objects.filter(staff=OuterRef("pk"), start__lte=on).filter(
        Q(end__isnull=True) | Q(end__gte=on)
    )
    qs = (
        StaffMember.objects.filter(organisation=organisation, employment_start__lte=on)
        .filter(Q(employment_end__isnull=True) | Q(employment_end__gte=on))
        .select_related("unit")
        .annotate(
            current_level=Subquery(current.values("level__number")[:1]),
            current_level_name=Subquery(current.values("level__name")[:1]),
        )
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    if q:
        qs = qs.filter(Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(title__icontains=q))
    if unit:
        qs = qs.filter(unit_id=unit)
    if group:
        memberships = GroupMembership.objects.filter(staff=OuterRef("pk"), group_id=group, start__lte=on).filter(
            Q(end__isnull=True) | Q(end__gte=on)
        )
        qs = qs.filter(Exists(memberships))
    if level:
        qs = qs.filter(current_level=level)
    if employment_type:
        qs = qs.filter(employment_type=employment_type)
    if min_years is not None:
        qs = qs.filter(profession_start__lte=latest_start_for(on, months=months_in(min_years)))
    if max_years is not None:
        qs = qs.filter(profession_start__gt=latest_start_for(on, months=months_in(max_years)))
    return qs.order_by(order, "first_name", "pk")


@dataclass(frozen=True)
class TimelineEvent:
    on: datetime.date
    kind: str
    text: str
    note: str = ""


def staff_timeline(*, member: StaffMember) -> list[TimelineEvent]:
    """Placements, assessments, appointments, absences and group changes, newest first."""
    org = member.organisation_id
    events = [TimelineEvent(member.employment_start, _("Employment"), _("Employed"))]
    if member.employment_end:
        events.append(TimelineEvent(member.employment_end, _("Employment"), _("Left"), member.leaving_reason))
    for p in LevelPlacement.objects.filter(organisation_id=org, staff=member).select_related("level"):
        events.append(TimelineEvent(p.start, _("Level"), _("On level %(level)s") % {"level": p.level}))
    for a in Assessment.objects.filter(organisation_id=org, staff=member).select_related(
        "to_level", "manager", "specialist"
    ):
        note = a.motivation
        if a.is_override:
            note = _("Override: %(reason)s (rules not met: %(rules)s)") % {
                "reason": a.override_reason,
                "rules": a.unmet_rules,
            }
        events.append(
            TimelineEvent(
                a.assessed_on,
                _("Joint assessment"),
                _("Assessed for level %(level)s by %(manager)s and %(specialist)s")
                % {"level": a.to_level, "manager": a.manager, "specialist": a.specialist},
                note,
            )
        )
    for ap in Appointment.objects.filter(organisation_id=org, staff=member):
        events.append(
            TimelineEvent(
                ap.start,
                _("Appointment"),
                _("Specialist appointment until %(end)s") % {"end": ap.end},
                _("Renewal") if ap.renewal_of_id else "",
            )
        )
    for ab in Absence.objects.filter(organisation_id=org, staff=member):
        events.append(
            TimelineEvent(
                ab.start,
                _("Absence"),
                _("%(kind)s until %(end)s (%(extent)s %%)")
                % {"kind": ab.get_kind_display(), "end": ab.end, "extent": ab.extent},
            )
        )
    for gm in GroupMembership.objects.filter(organisation_id=org, staff=member).select_related("group"):
        events.append(TimelineEvent(gm.start, _("Group"), _("Joined %(group)s") % {"group": gm.group}))
        if gm.end:
            events.append(TimelineEvent(gm.end, _("Group"), _("Left %(group)s") % {"group": gm.group}))
    return sorted(events, key=lambda e: e.on, reverse=True)


def people_per_level_per_unit(
    *, organisation: Organisation, unit_ids: frozenset[int] | None, on: datetime.date
) -> tuple[list, list[tuple[str, list[int]]]]:
    levels = ladder_levels(organisation=organisation)
    qs = (
        LevelPlacement.objects.filter(organisation=organisation, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .filter(staff__employment_start__lte=on)
        .filter(Q(staff__employment_end__isnull=True) | Q(staff__employment_end__gte=on))
    )
    if unit_ids is not None:
        qs = qs.filter(staff__unit_id__in=unit_ids)
    counts: dict[str, Counter] = defaultdict(Counter)
    for unit_name, level_id in qs.values_list("staff__unit__name", "level_id"):
        counts[unit_name or "–"][level_id] += 1
    return levels, [(name, [c[level.pk] for level in levels]) for name, c in sorted(counts.items())]


def level_history(
    *, organisation: Organisation, unit_ids: frozenset[int] | None, today: datetime.date, months: int = 24
) -> dict:
    """People per level at the start of each quarter over `months`: Chart.js data (seed 000's chart)."""
    levels = ladder_levels(organisation=organisation)
    points = [add_months(today.replace(day=1), -m) for m in range(months, -1, -3)]
    qs = LevelPlacement.objects.filter(organisation=organisation, start__lte=today)
    if unit_ids is not None:
        qs = qs.filter(staff__unit_id__in=unit_ids)
    rows = list(qs.values_list("level_id", "start", "end", "staff__employment_start", "staff__employment_end"))
    datasets = []
    for level in levels:
        data = []
        for point in points:
            data.append(
                sum(
                    1
                    for level_id, start, end, emp_start, emp_end in rows
                    if level_id == level.pk
                    and start <= point
                    and (end is None or end >= point)
                    and emp_start <= point
                    and (emp_end is None or emp_end >= point)
                )
            )
        datasets.append({"label": str(level), "data": data})
    return {"labels": [p.isoformat() for p in points], "datasets": datasets}


def expiring_appointments(
    *, organisation: Organisation, unit_ids: frozenset[int] | None, on: datetime.date, months: int
) -> QuerySet[Appointment]:
    qs = (
        Appointment.objects.filter(organisation=organisation, end__gte=on, end__lte=add_months(on, months))
        .filter(renewal__isnull=True)
        .select_related("staff", "staff__unit")
    )
    if unit_ids is not None:
        qs = qs.filter(staff__unit_id__in=unit_ids)
    return qs.order_by("end")


def renewal_due_filter(*, settings: LadderSettings, on: datetime.date) -> Q:
    """Appointments whose renewal decision is due on `on`: from `renewal_notice_weeks` before the date the
    decision must be made by, until the appointment ends, unless renewed already."""
    notice_until = on + datetime.timedelta(weeks=settings.renewal_notice_weeks)
    return Q(renewal_due__lte=notice_until, end__gte=on, renewal__isnull=True)


def renewal_decisions_due(
    *,
    organisation: Organisation,
    on: datetime.date,
    unit_ids: frozenset[int] | None = None,
    settings: LadderSettings | None = None,
) -> QuerySet[Appointment]:
    """The appointments whose renewal is to be decided now (the reminders' and the overview's list)."""
    settings = settings or ladder_settings(organisation=organisation)
    qs = (
        Appointment.objects.filter(organisation=organisation)
        .filter(renewal_due_filter(settings=settings, on=on))
        .select_related("staff")
    )
    if unit_ids is not None:
        qs = qs.filter(staff__unit_id__in=unit_ids)
    return qs.order_by("renewal_due", "pk")


def appointments(
    *, organisation: Organisation, unit_ids: frozenset[int] | None, on: datetime.date
) -> QuerySet[Appointment]:
    """Every appointment, latest end first, each with `decision_due` (the renewal is to be decided now)."""
    settings = ladder_settings(organisation=organisation)
    qs = (
        Appointment.objects.filter(organisation=organisation)
        .select_related("staff", "staff__unit", "renewal")
        .annotate(
            decision_due=Case(
                When(renewal_due_filter(settings=settings, on=on), then=True),
                default=False,
                output_field=BooleanField(),
            )
        )
    )
    if unit_ids is not None:
        qs = qs.filter(staff__unit_id__in=unit_ids)
    return qs.order_by("-end")


def overdue_introduction_items(
    *,
    organisation: Organisation,
    on: datetime.date,
    unit_ids: frozenset[int] | None = None,
    responsible: StaffMember | None = None,
) -> QuerySet[IntroductionItem]:
    qs = IntroductionItem.objects.filter(organisation=organisation, due__lt=on, done_on__isnull=True).select_related(
        "staff", "responsible"
    )
    if unit_ids is not None:
        qs = qs.filter(staff__unit_id__in=unit_ids)
    if responsible is not None:
        qs = qs.filter(responsible=responsible)
    return qs.order_by("due", "pk")


def staff_ladder_details(*, member: StaffMember) -> dict:
    """What the staff page and 'my ladder' show besides the timeline."""
    org = member.organisation_id
    return {
        "placements": list(
            LevelPlacement.objects.filter(organisation_id=org, staff=member)
            .select_related("level", "assessment", "assessment__manager", "assessment__specialist")
            .order_by("-start")
        ),
        "intro_items": list(
            IntroductionItem.objects.filter(organisation_id=org, staff=member).select_related("responsible", "done_by")
        ),
        "mentorships": list(Mentorship.objects.filter(organisation_id=org, staff=member).select_related("mentor")),
        "reflections": list(member.reflection_sessions.filter(organisation_id=org)),
        "trainings": list(PlannedTraining.objects.filter(organisation_id=org, staff=member).select_related("training")),
        "appointments": list(Appointment.objects.filter(organisation_id=org, staff=member).order_by("-start")),
    }
