"""An organisation admin cannot give themself a role that shows cases or individual answers (another
admin must give it), and the last organisation admin with a login cannot remove their own admin role."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from staff import services
from staff.models import Role, RoleAssignment
from tests.factories import RoleAssignmentFactory, StaffMemberFactory, UserFactory

# Role -> the scope field the form needs for it.
REVEALING = {
    Role.UNIT_MANAGER: "unit",
    Role.ASSISTANT_MANAGER: "unit",
    Role.SOCIAL_WORKER: "unit",
    Role.SPECIALIST: "unit",
    Role.ADMINISTRATOR: "unit",
    Role.DEPARTMENT_HEAD: "department",
    Role.HR: None,
}


def _form(world, role: str, scope: str | None) -> dict:
    data = {"role-role": role}
    if scope == "unit":
        data["role-unit"] = world.unit.pk
    elif scope == "department":
        data["role-department"] = world.unit.department_id
    return data


def _second_admin(world, *, active: bool = True):
    olga = StaffMemberFactory(organisation=world.org, unit=None, user=UserFactory(username="olga", is_active=active))
    RoleAssignmentFactory(staff=olga, organisation=world.org, role=Role.ORG_ADMIN)
    return olga


@pytest.mark.parametrize(("role", "scope"), sorted(REVEALING.items()))
def test_an_admin_giving_themself_a_revealing_role_is_refused_at_the_field(world, role, scope):
    response = world.client("frank").post(
        reverse("staff:admin_staff_role_add", args=[world.frank.pk]), _form(world, role, scope)
    )
    assert response.status_code == 400
    form = response.context["role_form"]
    assert form.errors["role"] == ["Den här rollen måste en annan systemförvaltare ge dig."]
    assert "Den här rollen måste en annan systemförvaltare ge dig." in response.content.decode()
    assert list(RoleAssignment.objects.filter(staff=world.frank).values_list("role", flat=True)) == [Role.ORG_ADMIN]


@pytest.mark.parametrize(("role", "scope"), sorted(REVEALING.items()))
def test_an_admin_gives_the_same_role_to_someone_else(world, role, scope):
    member = StaffMemberFactory(organisation=world.org, unit=world.unit)
    response = world.client("frank").post(
        reverse("staff:admin_staff_role_add", args=[member.pk]), _form(world, role, scope)
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(staff=member, role=role).exists()


def test_a_second_admin_gives_the_role_to_the_first(world):
    olga = _second_admin(world)
    services.role_assign(organisation=world.org, actor=olga, member=world.frank, role=Role.HR)
    assert RoleAssignment.objects.filter(staff=world.frank, role=Role.HR).exists()


def test_the_service_refuses_self_assignment_whoever_calls_it(world):
    with pytest.raises(ValidationError) as exc:
        services.role_assign(organisation=world.org, actor=world.frank, member=world.frank, role=Role.HR)
    assert "role" in exc.value.error_dict
    assert not RoleAssignment.objects.filter(staff=world.frank, role=Role.HR).exists()


def _remove_own_admin_role(world, **follow):
    own = RoleAssignment.objects.get(staff=world.frank, role=Role.ORG_ADMIN)
    return world.client("frank").post(reverse("staff:admin_staff_role_remove", args=[world.frank.pk, own.pk]), **follow)


def test_the_last_admin_cannot_remove_their_own_admin_role(world):
    response = _remove_own_admin_role(world, follow=True)
    assert "Du är den enda systemförvaltaren" in response.content.decode()
    assert RoleAssignment.objects.filter(staff=world.frank, role=Role.ORG_ADMIN).exists()


def test_an_admin_without_a_login_does_not_count(world):
    _second_admin(world, active=False)
    _remove_own_admin_role(world)
    assert RoleAssignment.objects.filter(staff=world.frank, role=Role.ORG_ADMIN).exists()


def test_with_two_admins_one_may_remove_their_own_admin_role(world):
    _second_admin(world)
    response = _remove_own_admin_role(world)
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(staff=world.frank, role=Role.ORG_ADMIN).exists()


def test_the_other_admins_login_cannot_be_switched_off_when_it_leaves_no_admin(world):
    """Two admins, one without a login: switching off the other's login is allowed (frank stays)."""
    olga = _second_admin(world)
    world.client("frank").post(reverse("staff:admin_staff_login", args=[olga.pk]), {"active": "0"})
    olga.user.refresh_from_db()
    assert not olga.user.is_active
