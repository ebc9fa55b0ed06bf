"""What the signed-in person may see: computed once per request from their role assignments."""

from __future__ import annotations

from dataclasses import dataclass, field

from staff.models import (
    CASE_WORKER_ROLES,
    MANAGER_ROLES,
    Department,
    Role,
    RoleAssignment,
    StaffMember,
    Unit,
)


@dataclass(frozen=True)
class Access:
    staff: StaffMember | None  # None in the navigation's role-only view (staff.navigation)
    roles: frozenset[str] = field(default_factory=frozenset)
    unit_roles: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    unit_department: dict[int, int] = field(default_factory=dict)
    unit_kind: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, staff: StaffMember) -> Access:
        rows = list(
            RoleAssignment.objects.filter(organisation_id=staff.organisation_id, staff=staff).values_list(
                "role", "unit_id", "department_id", "unit__department_id", "unit__kind"
            )
        )
        return cls(
            staff=staff,
            roles=frozenset(r for r, _u, _d, _ud, _k in rows),
            unit_roles=frozenset((r, u) for r, u, _d, _ud, _k in rows if u),
            department_ids=frozenset(d for r, _u, d, _ud, _k in rows if r == Role.DEPARTMENT_HEAD and d),
            unit_department={u: ud for _r, u, _d, ud, _k in rows if u},
            unit_kind={u: k for _r, u, _d, _ud, k in rows if u},
        )

    @property
    def organisation(self):
        return self.staff.organisation

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_org_admin(self) -> bool:
        return Role.ORG_ADMIN in self.roles

    @property
    def is_hr(self) -> bool:
        return Role.HR in self.roles

    @property
    def is_case_worker(self) -> bool:
        return self.has_any(*CASE_WORKER_ROLES)

    @property
    def managed_unit_ids(self) -> frozenset[int]:
        """Units where the person is unit manager or assistant manager."""
        return frozenset(u for r, u in self.unit_roles if r in MANAGER_ROLES)

    def unit_ids_with(self, *roles: str) -> frozenset[int]:
        return frozenset(u for r, u in self.unit_roles if r in roles)

    def manages_unit(self, unit: Unit | int) -> bool:
        unit_id = unit if isinstance(unit, int) else unit.pk
        return unit_id in self.managed_unit_ids

    def heads_department(self, department: Department | int) -> bool:
        department_id = department if isinstance(department, int) else department.pk
        return department_id in self.department_ids

    def may_view_unit(self, unit: Unit) -> bool:
        """Unit pages: its managers and administrators, its department head and organisation admins."""
        return (
            self.is_org_admin
            or self.manages_unit(unit)
            or unit.pk in self.unit_ids_with(Role.ADMINISTRATOR)
            or self.heads_department(unit.department_id)
        )

    def may_view_department(self, department: Department) -> bool:
        return self.is_org_admin or self.heads_department(department)
