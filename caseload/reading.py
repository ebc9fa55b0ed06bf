"""Who may read a case (DOMAIN.md section 2): social workers and specialists read their own cases.

- Those who may view the case's unit (its managers and administrators, its department head, organisation
  admins) read every case of it, as before.
- A social worker or specialist reads the cases they are current main or co-handler of.
- A colleague's case of the reader's unit only through a stated purpose, recorded on the access-log row:
  `supervision` — a specialist of the unit whose work group (arbetsgrupp) includes a current handler;
  `handover` — a case worker of the unit, when a current handler is absent that day or has an end date.
Everything else is refused (403, as every in-organisation refusal; another organisation's case is a 404).
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from staff.access import Access
from staff.audit.models import Purpose
from staff.models import CASE_WORKER_ROLES, Absence, GroupMembership, Role

from .models import Assignment, Case


def current_handler_ids(case: Case) -> set[int]:
    return set(
        Assignment.objects.filter(organisation_id=case.organisation_id, case=case, end__isnull=True).values_list(
            "staff_id", flat=True
        )
    )


def _active(on: datetime.date) -> Q:
    return Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gte=on))


def purposes_open(*, access: Access, case: Case, handlers: set[int], on: datetime.date) -> list[str]:
    """The purposes under which this reader may read a colleague's case of their unit (none: refused)."""
    if not handlers or case.unit_id not in access.unit_ids_with(*CASE_WORKER_ROLES):
        return []
    org = case.organisation_id
    found = []
    if case.unit_id in access.unit_ids_with(Role.SPECIALIST):
        groups = GroupMembership.objects.filter(_active(on), organisation_id=org, staff_id__in=handlers).values("group")
        if GroupMembership.objects.filter(
            _active(on), organisation_id=org, staff=access.staff, group__in=groups
        ).exists():
            found.append(Purpose.SUPERVISION.value)
    away = Absence.objects.filter(organisation_id=org, staff_id__in=handlers, start__lte=on, end__gte=on).exists()
    leaving = case.assignments.filter(end__isnull=True, staff__employment_end__isnull=False).exists()
    if away or leaving:
        found.append(Purpose.HANDOVER.value)
    return found


def case_read(*, access: Access, case: Case, purpose: str, on: datetime.date) -> tuple[bool, str, list[str]]:
    """(may read, the purpose to record, the purposes this reader could state) for one case."""
    if access.may_view_unit(case.unit):
        return True, "", []
    handlers = current_handler_ids(case)
    if access.staff.pk in handlers:
        return True, "", []
    open_ = purposes_open(access=access, case=case, handlers=handlers, on=on)
    if purpose and purpose in open_:
        return True, purpose, open_
    return False, "", open_


def supervision_cases(*, access: Access, on: datetime.date):
    """The specialist's supervision list: open cases of their units with a current handler in one of the
    specialist's current work groups, not their own (the cases `supervision` opens). One query."""
    units = access.unit_ids_with(Role.SPECIALIST)
    org, me = access.staff.organisation_id, access.staff.pk
    groups = GroupMembership.objects.filter(_active(on), organisation_id=org, staff_id=me).values("group")
    colleagues = GroupMembership.objects.filter(_active(on), organisation_id=org, group__in=groups).values("staff")
    handled = Assignment.objects.filter(organisation_id=org, end__isnull=True, staff__in=colleagues).values("case")
    mine = Assignment.objects.filter(organisation_id=org, end__isnull=True, staff_id=me).values("case")
    return (
        Case.objects.filter(organisation_id=org, unit_id__in=units, pk__in=handled)
        .exclude(status=Case.Status.CLOSED)
        .exclude(pk__in=mine)
        .order_by("number")
    )
