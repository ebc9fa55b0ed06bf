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


# SCIM: Alfa kommun's directory token asking for Beta kommun's person and group (and Alfa's admin for Beta's
# token and mapping). The token is made with a known key when the URL's arguments are made, before the request.
SCIM_KEY = "scim_0a1f0a1f_outsider-test-key"
SCIM_HEADERS = {"HTTP_AUTHORIZATION": f"Bearer {SCIM_KEY}"}


def _alfa_scim_token(w) -> None:
    from staff.platform.authentication import hash_key
    from staff.scim.models import ScimToken

    ScimToken.objects.get_or_create(
        organisation=w.org, prefix="0a1f0a1f", key_hash=hash_key(SCIM_KEY), defaults={"name": "Entra ID"}
    )


def _beta_scim_group(w):
    from staff.scim.models import ScimGroup

    return ScimGroup.objects.get_or_create(organisation=w.other_org, display_name="Beta grupp")[0]


def _beta(w, make):
    _alfa_scim_token(w)
    return {"pk": str(make(w).pk)}


CASES["scim:user"] = Outsider("frank", lambda w: _beta(w, lambda w: w.charlie), headers=SCIM_HEADERS)
CASES["scim:group"] = Outsider("frank", lambda w: _beta(w, _beta_scim_group), headers=SCIM_HEADERS)
CASES["staff:admin_scim_token_revoke"] = Outsider(
    "frank",
    lambda w: {
        "pk": __import__("staff.scim.services", fromlist=["x"])
        .scim_token_create(organisation=w.other_org, by=w.charlie, name="beta")[0]
        .pk
    },
    method="post",
)
CASES["staff:admin_scim_mapping_delete"] = Outsider(
    "frank",
    lambda w: {
        "pk": __import__("staff.scim.services", fromlist=["x"])
        .mapping_create(organisation=w.other_org, group_name="Beta", role="hr")
        .pk
    },
    method="post",
)
CASES["staff:admin_staff_break_glass"] = Outsider(
    "frank", lambda w: {"pk": w.charlie.pk}, method="post", data=lambda w: {"break_glass": "1"}
)
CASES["staff:admin_sso_domain_remove"] = Outsider(
    "frank",
    lambda w: {
        "pk": __import__("staff.sso.models", fromlist=["x"])
        .EmailDomain.objects.create(organisation=w.other_org, domain="beta.example")
        .pk
    },
    method="post",
    data=lambda w: {"confirm": "1"},
)


# Absences and groups (issue 19): Alfa's organisation admin asking for Beta's person, absence, membership, unit.
def _beta_absence(w):
    import datetime

    from staff.models import Absence

    day = datetime.date(2024, 6, 14)
    return Absence.objects.get_or_create(
        organisation=w.other_org, staff=w.charlie, kind="sick", start=day, end=day, defaults={"extent": 100}
    )[0]


def _beta_membership(w):
    import datetime

    from staff.models import Group, GroupMembership

    group = Group.objects.get(organisation=w.other_org)
    return GroupMembership.objects.get_or_create(
        organisation=w.other_org, staff=w.charlie, group=group, start=datetime.date(2024, 1, 1)
    )[0]


_ABSENCE_POST = {
    "absence-kind": "sick",
    "absence-start": "2024-06-10",
    "absence-end": "2024-06-10",
    "absence-extent": "100",
}
CASES.update(
    {
        "staff:absences": Outsider("frank", lambda w: {"pk": w.charlie.pk}),
        "staff:absence_edit": Outsider(
            "frank",
            lambda w: {"pk": w.charlie.pk, "absence_pk": _beta_absence(w).pk},
            method="post",
            data=lambda w: _ABSENCE_POST,
        ),
        "staff:absence_delete": Outsider(
            "frank",
            lambda w: {"pk": w.charlie.pk, "absence_pk": _beta_absence(w).pk},
            method="post",
            data=lambda w: {"confirm": "1"},
        ),
        "staff:membership_add": Outsider(
            "frank",
            lambda w: {"pk": w.charlie.pk},
            method="post",
            data=lambda w: {"membership-group": _beta_membership(w).group_id, "membership-start": "2024-06-01"},
        ),
        "staff:membership_end": Outsider(
            "frank",
            lambda w: {"pk": w.charlie.pk, "membership_pk": _beta_membership(w).pk},
            method="post",
            data=lambda w: {"end": "2024-06-01"},
        ),
        "staff:unit_absences": Outsider("frank", lambda w: {"pk": w.other_unit.pk}),
    }
)


# File imports (staff/imports/): Alfa's HR asking for Beta kommun's import run, on each page and API address.
def _beta_run(w):
    from staff.imports.models import ImportRun

    run, _created = ImportRun.objects.get_or_create(
        organisation=w.other_org,
        kind="staff",
        filename="beta.csv",
        defaults={
            "status": ImportRun.Status.PREVIEWED,
            "headers": ["Anst.nr"],
            "mapping": {"employee_number": "Anst.nr"},
        },
    )
    return {"pk": run.pk}


CASES["staff:import_detail"] = Outsider("erin", _beta_run)
CASES["staff:import_mapping"] = Outsider("erin", _beta_run)
CASES["staff:import_status"] = Outsider("erin", _beta_run)
CASES["staff:import_apply"] = Outsider("erin", _beta_run, method="post", data=lambda w: {"confirm": "1"})
CASES["api-import-run"] = Outsider("erin", _beta_run)
CASES["api-import-apply"] = Outsider("erin", _beta_run, method="post")
