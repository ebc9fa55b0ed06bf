"""SCIM tokens, the directory's groups and their members, and the mapping of a group to a role."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from staff.platform.keys import HashedKeyToken
from staff.platform.tenancy import TenantModel


class ScimToken(HashedKeyToken):
    """The organisation's bearer token for its directory's provisioning. Only a SHA-256 hash of the key is kept.

    It acts as no person: its changes are recorded under its name (history and access log)."""

    name = models.CharField(_("name"), max_length=100, help_text=_("Which directory uses it, e.g. 'Entra ID'."))
    created_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(HashedKeyToken.Meta):
        verbose_name = _("SCIM token")
        verbose_name_plural = _("SCIM tokens")


class ScimGroup(TenantModel):
    """A group as the directory sent it; it gives roles only through a mapping."""

    display_name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("directory group")
        verbose_name_plural = _("directory groups")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "display_name"], name="scim_group_name_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.display_name


class ScimGroupMember(TenantModel):
    """A person in a directory group, and the role assignments the membership gave (removed with it)."""

    group = models.ForeignKey(ScimGroup, on_delete=models.CASCADE, related_name="members")
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="scim_groups")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "group", "staff"], name="scim_group_member_unique")
        ]


class ScimGrant(TenantModel):
    """A role assignment that a directory group membership made."""

    member = models.ForeignKey(ScimGroupMember, on_delete=models.CASCADE, related_name="grants")
    assignment = models.ForeignKey("staff.RoleAssignment", on_delete=models.CASCADE, related_name="scim_grants")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "member", "assignment"], name="scim_grant_unique")
        ]


class ScimGroupMapping(TenantModel):
    """The organisation admin's rule: members of the directory group named `group_name` (its displayName or
    externalId) get `role`, in `unit` for a unit's role or `department` for a department head."""

    group_name = models.CharField(
        _("directory group"),
        max_length=200,
        help_text=_("The group's display name or object id as the directory sends it."),
    )
    role = models.CharField(_("role"), max_length=30)
    unit = models.ForeignKey("staff.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group_name", "role"]
        verbose_name = _("directory group mapping")
        verbose_name_plural = _("directory group mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "group_name", "role", "unit", "department"],
                name="scim_group_mapping_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.group_name} → {self.role}"

    def get_role_display(self) -> str:
        from staff.models import Role

        return Role(self.role).label if self.role in Role.values else self.role

    def clean(self) -> None:
        from staff.models import Role, RoleAssignment

        if self.role not in Role.values:
            raise ValidationError({"role": _("Choose a role.")})
        # The scope a role needs (a unit, a department or none) is the role assignment's rule: said once, there.
        RoleAssignment(role=self.role, unit_id=self.unit_id, department_id=self.department_id).clean()
