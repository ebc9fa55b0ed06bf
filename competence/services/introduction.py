"""Introduction plans, mentors, reflection sessions and individual development plans."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import Organisation, Role, StaffMember
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org

from ..dates import add_months
from ..models import (
    IntroductionItem,
    IntroductionTemplateItem,
    LadderSettings,
    Mentorship,
    PlannedTraining,
    ReflectionSession,
    ResponsibleRole,
    Training,
)
from ..selectors import ladder_settings, unit_managers
from .base import save_validated


def _responsible(template: IntroductionTemplateItem, staff: StaffMember) -> StaffMember | None:
    if template.responsible_person_id:
        return template.responsible_person
    if template.responsible_role == ResponsibleRole.EMPLOYEE:
        return staff
    if template.responsible_role == ResponsibleRole.MENTOR:
        mentorship = Mentorship.objects.filter(organisation_id=staff.organisation_id, staff=staff).first()
        if mentorship:
            return mentorship.mentor
    if template.responsible_role == ResponsibleRole.SPECIALIST and staff.unit_id:
        specialist = (
            StaffMember.objects.filter(roles__unit_id=staff.unit_id, roles__role=Role.SPECIALIST).order_by("pk").first()
        )
        if specialist:
            return specialist
    managers = unit_managers(unit_id=staff.unit_id)
    return managers[0] if managers else None


@transaction.atomic
def introduction_plan_create(*, organisation: Organisation, staff: StaffMember, start: datetime.date) -> int:
    """The new employee's plan from the organisation's template; items already there are kept."""
    check_same_org(organisation, staff)
    created = 0
    for template in IntroductionTemplateItem.objects.filter(organisation=organisation).select_related(
        "responsible_person"
    ):
        _item, new = IntroductionItem.objects.get_or_create(
            organisation=organisation,
            staff=staff,
            title=template.title,
            phase=template.phase,
            defaults={
                "responsible": _responsible(template, staff),
                "due": start + datetime.timedelta(days=template.due_offset_days),
            },
        )
        created += int(new)
    if not created and not IntroductionItem.objects.filter(organisation=organisation, staff=staff).exists():
        raise ValidationError(_("The organisation has no introduction template yet."))
    return created


def may_tick(*, access, item: IntroductionItem) -> bool:
    return item.responsible_id == access.staff.pk or (
        item.staff.unit_id is not None and access.manages_unit(item.staff.unit_id)
    )


@transaction.atomic
def introduction_item_complete(
    *,
    organisation: Organisation,
    item: IntroductionItem,
    by: StaffMember,
    done_on: datetime.date,
    access,
    today: datetime.date | None = None,
) -> IntroductionItem:
    """Tick an item off with its date and by whom: the unit's manager or the responsible person."""
    check_same_org(organisation, item, by)
    if not may_tick(access=access, item=item):
        raise PermissionDenied
    today = today or timezone.localdate()
    if done_on > today:
        raise ValidationError({"done_on": _("The done date cannot be in the future.")})
    if item.done_on:
        raise ValidationError(_("The item is already done."))
    item.done_on, item.done_by = done_on, by
    item.full_clean()
    item.save(update_fields=["done_on", "done_by"])
    return item


@transaction.atomic
def mentor_assign(
    *,
    organisation: Organisation,
    staff: StaffMember,
    mentor: StaffMember,
    start: datetime.date,
    end: datetime.date,
) -> Mentorship:
    check_same_org(organisation, staff, mentor)
    if mentor.pk == staff.pk:
        raise ValidationError({"mentor": _("A person cannot be their own mentor.")})
    return save_validated(Mentorship(organisation=organisation, staff=staff, mentor=mentor, start=start, end=end))


def _sessions_in_month(first: datetime.date, per_month: int) -> list[datetime.date]:
    """`per_month` sessions spread over four weeks from `first` (twice a month: the 1st and the 15th day)."""
    return [first + datetime.timedelta(days=k * 28 // per_month) for k in range(per_month)]


def reflection_dates(start: datetime.date, settings: LadderSettings) -> list[datetime.date]:
    """The organisation's cadence (Kiruna: twice a month for the first 4 months, then monthly up to one year):
    `reflection_intensive_per_month` sessions in each of the first `reflection_intensive_months` months,
    then `reflection_later_per_month` in each month up to `reflection_total_months`."""
    dates = []
    for month in range(settings.reflection_total_months):
        intensive = month < settings.reflection_intensive_months
        per_month = settings.reflection_intensive_per_month if intensive else settings.reflection_later_per_month
        dates += _sessions_in_month(add_months(start, month), per_month)
    return dates


@transaction.atomic
def reflection_sessions_plan(*, organisation: Organisation, staff: StaffMember, start: datetime.date) -> int:
    check_same_org(organisation, staff)
    settings = ladder_settings(organisation=organisation)
    created = 0
    for day in reflection_dates(start, settings):
        created += int(ReflectionSession.objects.get_or_create(organisation=organisation, staff=staff, on=day)[1])
    return created


@transaction.atomic
def reflection_attendance_set(*, organisation: Organisation, session: ReflectionSession, attended: bool) -> None:
    check_same_org(organisation, session)
    ReflectionSession.objects.filter(organisation=organisation, pk=session.pk).update(attended=attended)


@transaction.atomic
def training_plan_add(
    *,
    organisation: Organisation,
    staff: StaffMember,
    training: Training,
    status: str,
    planned_on: datetime.date | None = None,
    completed_on: datetime.date | None = None,
    goal: str = "",
    purpose: str = "",
    follow_up_on: datetime.date | None = None,
) -> PlannedTraining:
    check_same_org(organisation, staff, training)
    refuse_identity_numbers(goal=goal, purpose=purpose)
    return save_validated(
        PlannedTraining(
            organisation=organisation,
            staff=staff,
            training=training,
            status=status,
            planned_on=planned_on,
            completed_on=completed_on,
            goal=goal,
            purpose=purpose,
            follow_up_on=follow_up_on,
        )
    )
