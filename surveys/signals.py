"""Keeps `RawRoleTenure` in step with the role assignments of unit managers and assistant managers."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from staff.models import MANAGER_ROLES, RoleAssignment


def sync_tenures(*, organisation_id: int, staff_id: int) -> None:
    """Close the open tenures the person no longer holds a role for, open one for each new role."""
    from .models import RawRoleTenure

    now = timezone.now()
    held = set(
        RoleAssignment.objects.filter(
            organisation_id=organisation_id, staff_id=staff_id, role__in=MANAGER_ROLES
        ).values_list("role", "unit_id")
    )
    open_ = RawRoleTenure.objects.filter(organisation_id=organisation_id, staff_id=staff_id, ended_at__isnull=True)
    recorded = set()
    for tenure in open_:
        if (tenure.role, tenure.unit_id) in held:
            recorded.add((tenure.role, tenure.unit_id))
        else:
            RawRoleTenure.objects.filter(pk=tenure.pk).update(ended_at=now)
    RawRoleTenure.objects.bulk_create(
        RawRoleTenure(organisation_id=organisation_id, staff_id=staff_id, unit_id=unit_id, role=role, started_at=now)
        for role, unit_id in sorted(held - recorded)
    )


def _changed(sender, instance: RoleAssignment, **kwargs) -> None:
    # Every change, not only of manager roles: an assignment edited away from unit manager ends a tenure.
    sync_tenures(organisation_id=instance.organisation_id, staff_id=instance.staff_id)


def connect() -> None:
    post_save.connect(_changed, sender=RoleAssignment, dispatch_uid="surveys_tenure_save")
    post_delete.connect(_changed, sender=RoleAssignment, dispatch_uid="surveys_tenure_delete")
