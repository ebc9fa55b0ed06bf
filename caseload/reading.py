"""Who may read a case (docs/domain.md section 2): social workers and specialists read their own cases.

- Those who may view the case's unit (its managers and administrators, its department head, organisation
  admins) read every case of it, as before.
- A social worker or specialist reads the cases they are current main or co-handler of.
- A colleague's case of the reader's unit only through a stated purpose, recorded on the access-log row:
  `supervision` — a specialist of the unit in a work group of that unit which includes a current handler;
  `handover` — a case worker of the unit, when the MAIN handler is absent that day at `HANDOVER_ABSENCE_EXTENT`
  per cent or more, or their employment ends within `handover_window_days` (or has ended, the case still theirs).
The purposes offered depend on the reader's roles only, never on the handlers' absences or end dates (health
information): a purpose is checked only once stated. Everything else is refused (403, as every
in-organisation refusal; another organisation's case is a 404).
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, Sum

from staff.access import Access
from staff.models import CASE_WORKER_ROLES, Absence, GroupMembership, Role
from staff.platform.audit.models import Purpose

from .models import Assignment, Case, CaseloadSettings

# The least extent (%) of the main handler's absence on the day that opens a handover (docs/caseload.md).
HANDOVER_ABSENCE_EXTENT = 50


def current_handler_ids(case: Case) -> set[int]:
    return set(
        Assignment.objects.filter(organisation_id=case.organisation_id, case=case, end__isnull=True).values_list(
            "staff_id", flat=True
        )
    )


def _active(on: datetime.date) -> Q:
    return Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gte=on))


def purposes_offered(*, access: Access, case: Case) -> list[str]:
    """The purposes a reader who is no handler may state for a case, by their roles in its unit alone."""
    if case.unit_id not in access.unit_ids_with(*CASE_WORKER_ROLES):
        return []
    offered = [Purpose.HANDOVER.value]
    if case.unit_id in access.unit_ids_with(Role.SPECIALIST):
        offered.insert(0, Purpose.SUPERVISION.value)
    return offered


def _supervises(*, access: Access, case: Case, handlers: set[int], on: datetime.date) -> bool:
    """The reader shares a current work group of the case's own unit with a current handler."""
    org = case.organisation_id
    groups = GroupMembership.objects.filter(
        _active(on), organisation_id=org, staff_id__in=handlers, group__unit_id=case.unit_id
    ).values("group")
    return GroupMembership.objects.filter(
        _active(on), organisation_id=org, staff=access.staff, group__in=groups
    ).exists()


def _handover(*, case: Case, on: datetime.date) -> bool:
    """The current main handler is absent on the day at HANDOVER_ABSENCE_EXTENT % or more, or their employment
    ends within the organisation's handover window (or has ended while the case is still theirs)."""
    main = (
        Assignment.objects.filter(
            organisation_id=case.organisation_id, case=case, end__isnull=True, role=Assignment.Role.MAIN
        )
        .values_list("staff_id", "staff__employment_end")
        .first()
    )
    if main is None:
        return False
    staff_id, employment_end = main
    if employment_end is not None:
        window = CaseloadSettings.for_org(case.organisation).handover_window_days
        if employment_end <= on + datetime.timedelta(days=window):
            return True
    # Partial absences may overlap (up to 100 % a day): what counts is their sum on the day.
    absent = Absence.objects.filter(
        organisation_id=case.organisation_id, staff_id=staff_id, start__lte=on, end__gte=on
    ).aggregate(total=Sum("extent"))["total"]
    return (absent or 0) >= HANDOVER_ABSENCE_EXTENT


def purpose_applies(*, access: Access, case: Case, purpose: str, handlers: set[int], on: datetime.date) -> bool:
    if not handlers or purpose not in purposes_offered(access=access, case=case):
        return False
    if purpose == Purpose.SUPERVISION:
        return _supervises(access=access, case=case, handlers=handlers, on=on)
    if purpose == Purpose.HANDOVER:
        return _handover(case=case, on=on)
    return False


def case_read(*, access: Access, case: Case, purpose: str, on: datetime.date) -> tuple[bool, str, list[str]]:
    """(may read, the purpose to record, the purposes this reader may state) for one case. The purposes
    offered are the same for every colleague's case of the unit, whether one would apply or not."""
    if access.may_view_unit(case.unit):
        return True, "", []
    handlers = current_handler_ids(case)
    if access.staff.pk in handlers:
        return True, "", []
    offered = purposes_offered(access=access, case=case)
    if purpose and purpose_applies(access=access, case=case, purpose=purpose, handlers=handlers, on=on):
        return True, purpose, offered
    return False, "", offered


def supervision_cases(*, access: Access, on: datetime.date):
    """The specialist's supervision list: open cases of their units with a current handler in one of the
    specialist's current work groups of the case's unit, not their own (the cases `supervision` opens).
    One query."""
    units = access.unit_ids_with(Role.SPECIALIST)
    org, me = access.staff.organisation_id, access.staff.pk
    my_groups = GroupMembership.objects.filter(_active(on), organisation_id=org, staff_id=me).values("group")
    # A handler in one of those groups, the group being of the case's own unit.
    in_group = GroupMembership.objects.filter(
        _active(on),
        organisation_id=org,
        group__in=my_groups,
        staff_id=OuterRef("staff_id"),
        group__unit_id=OuterRef("case__unit_id"),
    )
    handled = Assignment.objects.filter(Exists(in_group), organisation_id=org, end__isnull=True).values("case")
    mine = Assignment.objects.filter(organisation_id=org, end__isnull=True, staff_id=me).values("case")
    return (
        Case.objects.filter(organisation_id=org, unit_id__in=units, pk__in=handled)
        .exclude(status=Case.Status.CLOSED)
        .exclude(pk__in=mine)
        .order_by("number")
    )
