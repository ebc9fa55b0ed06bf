"""Moves on the ladder: placing a new employee, promotion after a joint assessment, level-4 appointments."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import MANAGER_ROLES, Organisation, Role, StaffMember
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org
from staff.services import notify

from ..dates import add_months
from ..models import Appointment, Assessment, LadderLevel, LevelPlacement
from ..selectors import (
    eligibility,
    ladder_levels,
    ladder_settings,
    next_level,
    renewal_decisions_due,
    unit_managers,
)

ONE_DAY = datetime.timedelta(days=1)


def _check_no_overlap(
    *, organisation: Organisation, staff: StaffMember, start: datetime.date, end: datetime.date | None
) -> None:
    overlapping = LevelPlacement.objects.filter(organisation=organisation, staff=staff).filter(
        Q(end__isnull=True) | Q(end__gte=start)
    )
    if end is not None:
        overlapping = overlapping.filter(start__lte=end)
    if overlapping.exists():
        raise ValidationError({"start": _("The period overlaps another placement of the person.")})


@transaction.atomic
def placement_start(
    *,
    organisation: Organisation,
    staff: StaffMember,
    level: LadderLevel,
    start: datetime.date,
    end: datetime.date | None = None,
    plan: bool = True,
) -> LevelPlacement:
    """Put a person on the ladder (on hiring), or record a past period (with an end) as history.

    A new level-1 employee gets an introduction plan and reflection sessions from the template (`plan=False`:
    the caller makes them, as `onboarding_start` does).
    """
    from .introduction import introduction_plan_create, reflection_sessions_plan

    check_same_org(organisation, staff, level)
    if end is not None and end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    if end is None and LevelPlacement.objects.filter(organisation=organisation, staff=staff, end__isnull=True).exists():
        raise ValidationError(_("The person is already on the ladder: move them up with a joint assessment."))
    _check_no_overlap(organisation=organisation, staff=staff, start=start, end=end)
    placement = LevelPlacement(organisation=organisation, staff=staff, level=level, start=start, end=end)
    placement.full_clean()
    placement.save()
    levels = ladder_levels(organisation=organisation)
    if plan and end is None and levels and level.pk == levels[0].pk:
        introduction_plan_create(organisation=organisation, staff=staff, start=start)
        reflection_sessions_plan(organisation=organisation, staff=staff, start=start)
    return placement


@transaction.atomic
def placement_promote(
    *,
    organisation: Organisation,
    staff: StaffMember,
    level: LadderLevel,
    start: datetime.date,
    assessed_on: datetime.date,
    manager: StaffMember,
    specialist: StaffMember,
    motivation: str,
    override_reason: str = "",
) -> LevelPlacement:
    """Move a person one level up from `start`, recorded with the joint assessment behind it.

    The entry rules are checked on the start date; a rule not met needs a written override reason.
    Moving onto a specialist level also creates the appointment (limited by the number of posts).
    """
    check_same_org(organisation, staff, level, manager, specialist)
    if not (staff.unit_id and manager.roles.filter(unit_id=staff.unit_id, role__in=sorted(MANAGER_ROLES)).exists()):
        raise PermissionDenied
    if not specialist.roles.filter(role=Role.SPECIALIST).exists():
        raise ValidationError({"specialist": _("Choose a specialist social worker for the joint assessment.")})
    refuse_identity_numbers(motivation=motivation, override_reason=override_reason)
    errors: dict[str, str] = {}
    if not motivation.strip():
        errors["motivation"] = _("Write the motivation of the joint assessment.")
    if assessed_on > start:
        errors["assessed_on"] = _("The joint assessment must be made on or before the decision date.")
    current = (
        LevelPlacement.objects.select_for_update()
        .filter(organisation=organisation, staff=staff, end__isnull=True)
        .select_related("level")
        .first()
    )
    if current is None:
        raise ValidationError(_("The person is not on the ladder yet: place them on the first level."))
    expected = next_level(levels=ladder_levels(organisation=organisation), current=current.level)
    if expected is None:
        raise ValidationError({"level": _("The person is already on the highest level.")})
    if level.number != expected.number:
        errors["level"] = _("Levels cannot be skipped: the next level for %(name)s is %(level)s.") % {
            "name": staff.full_name,
            "level": expected,
        }
    if start <= current.start:
        errors["start"] = _("The decision date must be after the start of the current level (%(date)s).") % {
            "date": current.start
        }
    if errors:
        raise ValidationError(errors)
    unmet = eligibility(staff=staff, on=start).unmet
    if unmet and not override_reason.strip():
        raise ValidationError(
            {
                "override_reason": _("The entry rules are not met: %(rules)s Write a reason to override them.")
                % {"rules": " ".join(unmet)}
            }
        )
    current.end = start - ONE_DAY
    current.full_clean()
    current.save(update_fields=["end"])
    placement = LevelPlacement(organisation=organisation, staff=staff, level=level, start=start)
    placement.full_clean()
    placement.save()
    Assessment(
        organisation=organisation,
        staff=staff,
        placement=placement,
        from_level=current.level,
        to_level=level,
        assessed_on=assessed_on,
        manager=manager,
        specialist=specialist,
        motivation=motivation.strip(),
        unmet_rules=" ".join(unmet),
        override_reason=override_reason.strip() if unmet else "",
    ).save()
    if level.is_specialist:
        appointment_create(organisation=organisation, staff=staff, start=start, by=manager, check_posts=not unmet)
    return placement


def _check_posts(*, organisation: Organisation, start: datetime.date, end: datetime.date, posts: int) -> None:
    """No date in [start, end] may have more appointments than posts."""
    overlapping = list(
        Appointment.objects.select_for_update()
        .filter(organisation=organisation, start__lte=end, end__gte=start)
        .values_list("start", "end")
    )
    for day in {start, *(s for s, _e in overlapping if s > start)}:
        running = sum(1 for s, e in overlapping if s <= day <= e)
        if running + 1 > posts:
            raise ValidationError(
                {
                    "start": _("All %(posts)s specialist posts are taken on %(date)s.")
                    % {"posts": posts, "date": day.isoformat()}
                }
            )


@transaction.atomic
def appointment_create(
    *,
    organisation: Organisation,
    staff: StaffMember,
    start: datetime.date,
    by: StaffMember | None = None,
    renewal_of: Appointment | None = None,
    check_posts: bool = True,
) -> Appointment:
    """A level-4 appointment for the organisation's appointment length, within the number of posts."""
    check_same_org(organisation, staff, by, renewal_of)
    settings = ladder_settings(organisation=organisation)
    end = add_months(start, settings.appointment_months) - ONE_DAY
    if Appointment.objects.filter(organisation=organisation, staff=staff, start__lte=end, end__gte=start).exists():
        raise ValidationError({"start": _("The person already has an appointment in this period.")})
    if check_posts:
        _check_posts(organisation=organisation, start=start, end=end, posts=settings.specialist_posts)
    appointment = Appointment(
        organisation=organisation,
        staff=staff,
        start=start,
        end=end,
        renewal_due=add_months(end + ONE_DAY, -settings.renewal_notice_months),
        renewal_of=renewal_of,
        decided_by=by,
    )
    appointment.full_clean()
    appointment.save()
    return appointment


@transaction.atomic
def appointment_renew(*, organisation: Organisation, appointment: Appointment, by: StaffMember) -> Appointment:
    check_same_org(organisation, appointment, by)
    if Appointment.objects.filter(organisation=organisation, renewal_of=appointment).exists():
        raise ValidationError(_("The appointment is already renewed."))
    return appointment_create(
        organisation=organisation,
        staff=appointment.staff,
        start=appointment.end + ONE_DAY,
        by=by,
        renewal_of=appointment,
    )


def appointment_renewal_reminders(*, organisation: Organisation, today: datetime.date | None = None) -> int:
    """Remind the managers of each unit with an appointment due for a renewal decision; once per person.

    Due from `renewal_notice_weeks` before the date the decision must be made by (docs/domain.md §3)."""
    today = today or timezone.localdate()
    due = renewal_decisions_due(organisation=organisation, on=today)
    created = 0
    for appointment in due:
        for manager in unit_managers(unit_id=appointment.staff.unit_id):
            _note, new = notify(
                organisation=organisation,
                recipient=manager,
                key=f"appointment-renewal:{appointment.pk}:staff:{manager.pk}",
                subject=_("Decide on renewing the specialist appointment of %(name)s")
                % {"name": appointment.staff.full_name},
                body=_("The appointment ends on %(end)s. Decide on renewal no later than %(due)s.")
                % {"end": appointment.end, "due": appointment.renewal_due},
                url=reverse("competence:appointments"),
            )
            created += int(new)
    return created
