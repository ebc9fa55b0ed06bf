"""Absences and group memberships, entered in the app by the person's unit manager or the organisation admin.

Capacity reads absences where it is computed (caseload.selectors.load.worker_capacity, for the dashboard, the
unit page, the board and the allocation engine) on every request: nothing is cached, so a saved absence counts
from the next page load on.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from staff.models import Absence, Group, GroupMembership, Organisation, StaffMember
from staff.platform.history.reasons import change_reason
from staff.platform.tenancy import check_same_org

from .rules import first_day_over_full

REASON = "Absences and groups page"


def _lock(member: StaffMember) -> None:
    """One writer per person at a time: two managers saving overlapping absences cannot both pass the check of
    100 % a day."""
    StaffMember.objects.select_for_update().filter(organisation_id=member.organisation_id, pk=member.pk).first()


def _day(value: datetime.date) -> str:
    return date_format(value, "Y-m-d")


def _refuse_overlap(absence: Absence) -> None:
    others = list(
        Absence.objects.filter(
            organisation_id=absence.organisation_id,
            staff_id=absence.staff_id,
            start__lte=absence.end,
            end__gte=absence.start,
        )
        .exclude(pk=absence.pk)
        .order_by("start", "pk")
    )
    day = first_day_over_full(
        ((a.start, a.end, a.extent) for a in others), start=absence.start, end=absence.end, extent=absence.extent
    )
    if day is not None:
        clash = next(a for a in others if a.start <= day <= a.end)
        raise ValidationError(
            {
                "extent": _(
                    "%(name)s is already registered as absent %(start)s–%(end)s (%(kind)s, %(extent)s %%). With "
                    "this absence that is more than 100 %% on %(day)s: lower the extent, change that absence or "
                    "choose other days."
                )
                % {
                    "name": absence.staff.full_name,
                    "start": _day(clash.start),
                    "end": _day(clash.end),
                    "kind": clash.get_kind_display(),
                    "extent": clash.extent,
                    "day": _day(day),
                }
            }
        )


def _save(absence: Absence) -> Absence:
    absence.full_clean(exclude=["organisation", "staff"])
    _refuse_overlap(absence)
    with change_reason(REASON):
        absence.save()
    return absence


@transaction.atomic
def absence_create(
    *,
    organisation: Organisation,
    member: StaffMember,
    kind: str,
    start: datetime.date,
    end: datetime.date,
    extent: int,
) -> Absence:
    """Register an absence: end on or after start, extent 1-100 %; with the person's other absences never more
    than 100 % on a day."""
    check_same_org(organisation, member)
    _lock(member)
    return _save(Absence(organisation=organisation, staff=member, kind=kind, start=start, end=end, extent=extent))


@transaction.atomic
def absence_update(
    *, organisation: Organisation, absence: Absence, kind: str, start: datetime.date, end: datetime.date, extent: int
) -> Absence:
    check_same_org(organisation, absence)
    _lock(absence.staff)
    absence.kind, absence.start, absence.end, absence.extent = kind, start, end, extent
    return _save(absence)


@transaction.atomic
def absence_delete(*, organisation: Organisation, absence: Absence) -> None:
    check_same_org(organisation, absence)
    with change_reason(REASON):
        absence.delete()


@transaction.atomic
def group_membership_add(
    *, organisation: Organisation, member: StaffMember, group: Group, start: datetime.date
) -> GroupMembership:
    """The person works in `group` from `start` on; a membership of the same group still running then is refused."""
    check_same_org(organisation, member, group)
    _lock(member)
    running = (
        GroupMembership.objects.filter(organisation=organisation, staff=member, group=group)
        .exclude(end__lt=start)
        .exists()
    )
    if running:
        raise ValidationError({"group": _("%(name)s is already in this group then.") % {"name": member.full_name}})
    membership = GroupMembership(organisation=organisation, staff=member, group=group, start=start)
    membership.full_clean(exclude=["organisation", "staff", "group"])
    with change_reason(REASON):
        membership.save()
    return membership


@transaction.atomic
def group_membership_end(
    *, organisation: Organisation, membership: GroupMembership, end: datetime.date
) -> GroupMembership:
    check_same_org(organisation, membership)
    if end < membership.start:
        raise ValidationError(
            {
                "end": _("The membership began on %(start)s: it cannot end before that.")
                % {"start": _day(membership.start)}
            }
        )
    membership.end = end
    with change_reason(REASON):
        membership.save(update_fields=["end"])
    return membership
