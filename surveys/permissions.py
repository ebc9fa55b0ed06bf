"""Who sees what in the survey app (the views ask these)."""

from __future__ import annotations

from staff.models import Role, Unit

RESULT_VIEWERS = (Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER, Role.DEPARTMENT_HEAD, Role.HR, Role.ORG_ADMIN)
ORGANISATION_VIEWERS = (Role.HR, Role.ORG_ADMIN)
EXIT_INTERVIEWERS = (Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER, Role.HR, Role.ORG_ADMIN)


def sees_individual_answers(access, unit: Unit) -> bool:
    """Only the unit's own managers see individual answers and motivations."""
    return access.manages_unit(unit)


def sees_action_plan(access, plan) -> bool:
    """A plan tells that its person answered 1 or 2: as private as the answer, so the managers of the
    answer's unit only (department heads, HR and organisation admins see aggregates, never a plan)."""
    return access.manages_unit(plan.answer.unit_id)


def sees_unit_results(access, unit: Unit) -> bool:
    return (
        access.manages_unit(unit)
        or access.heads_department(unit.department_id)
        or access.has_any(*ORGANISATION_VIEWERS)
    )


def sees_all_exits(access) -> bool:
    return access.has_any(*ORGANISATION_VIEWERS)


def result_viewer(access):
    """The viewer class survey results are suppressed for: what the person is shown and knows raw.

    HR, organisation admins and unit managers see the whole organisation's comparison; a department head
    sees their departments. A unit manager or assistant manager knows their own units' raw figures, and a
    person who was one keeps knowing them for every round that opened before the role ended (`knew`,
    from `RawRoleTenure`; `Viewer.on(round)` applies it): becoming HR or leaving the role forgets nothing.
    """
    from .models import RawRoleTenure
    from .selectors import Viewer

    managed = frozenset(access.managed_unit_ids)
    knew = tuple(
        sorted(
            RawRoleTenure.objects.filter(
                organisation_id=access.staff.organisation_id, staff=access.staff, ended_at__isnull=False
            )
            .exclude(unit_id__in=managed)
            .values_list("unit_id", "ended_at")
        )
    )
    whole = access.has_any(*ORGANISATION_VIEWERS) or bool(managed)
    return Viewer(knows=managed, departments=None if whole else frozenset(access.department_ids), knew=knew)
