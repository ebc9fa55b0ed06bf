"""Who sees what in the survey app (the views ask these)."""

from __future__ import annotations

from staff.models import Role, Unit

RESULT_VIEWERS = (Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER, Role.DEPARTMENT_HEAD, Role.HR, Role.ORG_ADMIN)
ORGANISATION_VIEWERS = (Role.HR, Role.ORG_ADMIN)
EXIT_INTERVIEWERS = (Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER, Role.HR, Role.ORG_ADMIN)


def sees_individual_answers(access, unit: Unit) -> bool:
    """Only the unit's own managers see individual answers and motivations."""
    return access.manages_unit(unit)


def sees_unit_results(access, unit: Unit) -> bool:
    return (
        access.manages_unit(unit)
        or access.heads_department(unit.department_id)
        or access.has_any(*ORGANISATION_VIEWERS)
    )


def sees_all_exits(access) -> bool:
    return access.has_any(*ORGANISATION_VIEWERS)
