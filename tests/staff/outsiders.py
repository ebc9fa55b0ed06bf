from staff.models import Department, RoleAssignment
from tests.outsiders import Outsider

CASES = {
    "staff:unit_detail": Outsider("frank", lambda w: {"pk": w.other_unit.pk}),
    "staff:department_detail": Outsider("frank", lambda w: {"pk": Department.objects.get(organisation=w.other_org).pk}),
    "staff:admin_staff_edit": Outsider("frank", lambda w: {"pk": w.charlie.pk}),
    "staff:admin_staff_role_add": Outsider(
        "frank", lambda w: {"pk": w.charlie.pk}, method="post", data=lambda w: {"role-role": "hr"}
    ),
    "staff:admin_staff_role_remove": Outsider(
        "frank",
        lambda w: {"pk": w.charlie.pk, "role_pk": RoleAssignment.objects.get(staff=w.charlie).pk},
        method="post",
    ),
    "staff:admin_staff_login": Outsider(
        "frank", lambda w: {"pk": w.charlie.pk}, method="post", data=lambda w: {"active": "0"}
    ),
    "staff:admin_staff_login_create": Outsider(
        "frank", lambda w: {"pk": w.charlie.pk}, method="post", data=lambda w: {"login-username": "x"}
    ),
    "staff:admin_staff_invitation_send": Outsider("frank", lambda w: {"pk": w.charlie.pk}, method="post"),
    "staff:admin_staff_invitation_revoke": Outsider("frank", lambda w: {"pk": w.charlie.pk}, method="post"),
}

CASES["staff:api_token_revoke"] = Outsider(
    "erin",
    lambda w: {
        "pk": __import__("staff.services", fromlist=["x"])
        .api_token_create(organisation=w.other_org, staff=w.charlie, name="beta")[0]
        .pk
    },
    method="post",
)
