"""Writes of SCIM provisioning: tokens, the group mapping, people and directory groups. Each is atomic and
organisation-checked; a refusal is a ValidationError (a SCIM 400) or a `Conflict` (a SCIM 409)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from staff import services
from staff.models import REVEALING_ROLES, Department, Organisation, Role, RoleAssignment, StaffMember, Unit
from staff.platform.authentication import hash_key
from staff.platform.history.reasons import current_reason
from staff.platform.tenancy import check_same_org
from staff.scim.authentication import new_key
from staff.scim.models import ScimGrant, ScimGroup, ScimGroupMapping, ScimGroupMember, ScimToken

User = get_user_model()


class Conflict(Exception):
    """A value that must be unique is taken (SCIM 409, scimType "uniqueness")."""


# --- tokens and the mapping (the organisation admin's page) ----------------------------------------------------


@transaction.atomic
def scim_token_create(*, organisation: Organisation, by: StaffMember, name: str) -> tuple[ScimToken, str]:
    """Create the organisation's SCIM token; returns (token, key). The key is not stored and cannot be shown again."""
    check_same_org(organisation, by)
    key, prefix = new_key()
    token = ScimToken(
        organisation=organisation, name=name.strip(), prefix=prefix, key_hash=hash_key(key), created_by=by
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def scim_token_revoke(*, organisation: Organisation, token: ScimToken) -> None:
    check_same_org(organisation, token)
    ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def mapping_create(
    *,
    organisation: Organisation,
    group_name: str,
    role: str,
    unit: Unit | None = None,
    department: Department | None = None,
) -> ScimGroupMapping:
    """Members of the group get `role` from their next membership change on (existing members are not re-read)."""
    check_same_org(organisation, unit, department)
    mapping = ScimGroupMapping(
        organisation=organisation, group_name=group_name.strip(), role=role, unit=unit, department=department
    )
    mapping.full_clean(validate_constraints=False)
    if ScimGroupMapping.objects.filter(
        organisation=organisation, group_name=mapping.group_name, role=role, unit=unit, department=department
    ).exists():
        raise ValidationError(_("This mapping exists already."))
    mapping.save()
    return mapping


@transaction.atomic
def mapping_delete(*, organisation: Organisation, mapping: ScimGroupMapping) -> None:
    """Remove the rule; the roles it gave stay until the directory removes the membership."""
    check_same_org(organisation, mapping)
    mapping.delete()


# --- people ------------------------------------------------------------------------------------------------


@dataclass
class UserData:
    """A SCIM User as Stabil keeps it."""

    user_name: str
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    active: bool = True
    external_id: str = ""
    employee_number: str = ""
    title: str = ""


def user_data(member: StaffMember) -> UserData:
    return UserData(
        user_name=member.user.username,
        given_name=member.first_name,
        family_name=member.last_name,
        email=member.email,
        active=member.user.is_active,
        external_id=member.external_id,
        employee_number=member.employee_number,
        title=member.title,
    )


def _check_user_name(user_name: str, *, exclude_user_id: int | None = None) -> None:
    if not user_name:
        raise ValidationError({"userName": _("userName is required.")})
    taken = User.objects.filter(username__iexact=user_name)
    if exclude_user_id is not None:
        taken = taken.exclude(pk=exclude_user_id)
    if taken.exists():
        raise Conflict(_("That userName is already taken."))


def _check_names(data: UserData) -> None:
    if not data.given_name.strip() or not data.family_name.strip():
        raise ValidationError({"name": _("name.givenName and name.familyName are required.")})


@transaction.atomic
def user_create(*, organisation: Organisation, data: UserData) -> StaffMember:
    """A person from the directory: a staff record and a login without a password (they sign in through the
    directory), employed from today, full-time, with no role."""
    _check_user_name(data.user_name)
    _check_names(data)
    member = services.staff_member_create(
        organisation=organisation,
        username=data.user_name,
        first_name=data.given_name.strip(),
        last_name=data.family_name.strip(),
        email=data.email.strip(),
        employment_start=timezone.localdate(),
        fte=Decimal("1.00"),
        external_id=data.external_id.strip(),
        employee_number=data.employee_number.strip(),
        title=data.title.strip(),
    )
    if not data.active:
        services.login_set_active(member=member, active=False, by_label=current_reason())
    return StaffMember.objects.select_related("user").get(pk=member.pk)


@transaction.atomic
def user_replace(*, member: StaffMember, data: UserData) -> StaffMember:
    """Make the person what the directory says (PUT, and PATCH once its operations are applied)."""
    _check_user_name(data.user_name, exclude_user_id=member.user_id)
    _check_names(data)
    services.staff_member_update(
        member=member,
        first_name=data.given_name.strip(),
        last_name=data.family_name.strip(),
        email=data.email.strip(),
        external_id=data.external_id.strip(),
        employee_number=data.employee_number.strip(),
        title=data.title.strip(),
    )
    user = member.user
    if user.username != data.user_name:
        user.username = data.user_name
        user.full_clean(exclude=["password"])
        user.save(update_fields=["username"])
    if user.is_active != data.active:
        user_set_active(member=member, active=data.active)
    return StaffMember.objects.select_related("user").get(pk=member.pk)


@transaction.atomic
def user_set_active(*, member: StaffMember, active: bool) -> None:
    """Switch the person's sign-in on or off; the staff record and everything about them stay."""
    # The security event of an end names the token ("SCIM: <name>", the reason the SCIM view sets).
    services.login_set_active(member=member, active=active, by_label=current_reason())
    member.user.refresh_from_db(fields=["is_active"])


# --- directory groups ---------------------------------------------------------------------------------------


def _check_group_name(organisation: Organisation, name: str, *, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError({"displayName": _("displayName is required (at most 200 characters).")})
    taken = ScimGroup.objects.filter(organisation=organisation, display_name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(_("A group with that displayName exists already."))
    return name


@transaction.atomic
def group_create(
    *, organisation: Organisation, display_name: str, external_id: str = "", members: list[StaffMember] = ()
) -> ScimGroup:
    group = ScimGroup.objects.create(
        organisation=organisation,
        display_name=_check_group_name(organisation, display_name),
        external_id=(external_id or "").strip()[:200],
    )
    for member in members:
        group_member_add(group=group, member=member)
    return group


@transaction.atomic
def group_rename(*, group: ScimGroup, display_name: str | None = None, external_id: str | None = None) -> None:
    """A new name does not re-read the mapping for existing members: their roles change with their membership."""
    if display_name is not None:
        group.display_name = _check_group_name(group.organisation, display_name, exclude_pk=group.pk)
    if external_id is not None:
        group.external_id = external_id.strip()[:200]
    group.save(update_fields=["display_name", "external_id"])


def _mappings(group: ScimGroup):
    """The mappings of the group's display name or external id, in any case (an admin types them by hand)."""
    names = Q(group_name__iexact=group.display_name)
    if group.external_id:
        names |= Q(group_name__iexact=group.external_id)
    return ScimGroupMapping.objects.filter(names, organisation=group.organisation_id).select_related(
        "unit", "department"
    )


@transaction.atomic
def group_member_add(*, group: ScimGroup, member: StaffMember) -> ScimGroupMember:
    """Add the person; each mapping of the group gives its role (through `staff.services.role_assign`, the
    system as actor). A role the person holds already is left as it is and not taken with the membership."""
    check_same_org(group.organisation, member)
    membership, created = ScimGroupMember.objects.get_or_create(
        organisation=group.organisation, group=group, staff=member
    )
    if not created:
        return membership
    is_admin = RoleAssignment.objects.filter(
        organisation=group.organisation, staff=member, role=Role.ORG_ADMIN
    ).exists()
    for mapping in _mappings(group):
        held = RoleAssignment.objects.filter(
            organisation=group.organisation,
            staff=member,
            role=mapping.role,
            unit=mapping.unit,
            department=mapping.department,
        ).exists()
        if held:
            continue
        if is_admin and mapping.role in REVEALING_ROLES:
            # Another organisation admin must give an admin a role that shows cases or answers (role_assign's
            # rule for an admin's own roles): an admin who made the token and the mapping could otherwise give
            # themself one through the directory.
            raise ValidationError(
                {
                    "role": _(
                        "An organisation admin gets this role from another admin in Stabil, not from the directory."
                    )
                }
            )
        assignment = services.role_assign(
            organisation=group.organisation,
            member=member,
            role=mapping.role,
            actor=None,
            unit=mapping.unit,
            department=mapping.department,
        )
        ScimGrant.objects.create(organisation=group.organisation, member=membership, assignment=assignment)
    return membership


@transaction.atomic
def group_member_remove(*, group: ScimGroup, member: StaffMember) -> None:
    """Remove the person; the roles this membership gave go with it (`staff.services.role_remove`, which keeps
    an organisation admin who can sign in)."""
    check_same_org(group.organisation, member)
    membership = ScimGroupMember.objects.filter(organisation=group.organisation, group=group, staff=member).first()
    if membership is None:
        return
    for grant in ScimGrant.objects.filter(organisation=group.organisation, member=membership).select_related(
        "assignment"
    ):
        services.role_remove(organisation=group.organisation, assignment=grant.assignment)
    membership.delete()


@transaction.atomic
def group_members_set(*, group: ScimGroup, members: list[StaffMember]) -> None:
    wanted = {m.pk: m for m in members}
    for membership in list(ScimGroupMember.objects.filter(organisation=group.organisation, group=group)):
        if membership.staff_id not in wanted:
            group_member_remove(group=group, member=membership.staff)
    for member in wanted.values():
        group_member_add(group=group, member=member)


@transaction.atomic
def group_delete(*, group: ScimGroup) -> None:
    for membership in list(ScimGroupMember.objects.filter(organisation=group.organisation, group=group)):
        group_member_remove(group=group, member=membership.staff)
    group.delete()
