"""Which URL patterns show personal or case data: every pattern of the site is classified here.

`LOGGED[url_name]` says what a request to it shows; `NOT_PERSONAL[url_name]` says why it needs no
access-log row. tests/staff/test_access_log_walk.py fails on a pattern in neither, so a new page
cannot ship unclassified. Staff's own pages are listed here; every other app declares its pages in its
`trust.py` with `access_log_pages({...}, not_personal={...})`, in the same change that adds them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Logged:
    kind: str
    # The URL argument that *is* the object of `kind` (recorded even when the view answers 404).
    pk: str | None = None
    # "page", "api", "export" or "scim"; None: "api" under /api/, else "page".
    channel: str | None = None
    # The page shows the reader's own staff record.
    own_record: bool = False
    # Rows only for what the view noted: nothing when it showed none (e.g. notifications naming no case).
    only_noted: bool = False


CASE = Logged("case", pk="pk")
UNIT = Logged("unit", pk="pk")
STAFF = Logged("staff", pk="pk")
OWN = Logged("staff", own_record=True)

LOGGED: dict[str, Logged] = {
    # staff
    "api-me": OWN,
    "staff:my_page": OWN,
    "staff:unit_detail": UNIT,
    "staff:department_detail": Logged("report"),
    "staff:organisation_overview": Logged("report"),
    "staff:admin_staff_list": Logged("staff"),
    "staff:admin_staff_edit": STAFF,
    "staff:admin_staff_login": STAFF,
    "staff:admin_staff_login_create": STAFF,
    "staff:admin_staff_invitation_send": STAFF,
    "staff:admin_staff_invitation_revoke": STAFF,
    "staff:admin_staff_break_glass": STAFF,
    "staff:admin_staff_role_add": STAFF,
    "staff:admin_staff_role_remove": STAFF,
    # absences and groups of a person (pk: the person), and a unit's month of its people's absences
    "staff:absences": STAFF,
    "staff:absence_edit": STAFF,
    "staff:absence_delete": STAFF,
    "staff:membership_add": STAFF,
    "staff:membership_end": STAFF,
    "staff:unit_absences": UNIT,
    "staff:admin_sso": Logged("staff"),  # the break-glass people, with the provider's settings
    "staff:access_review": Logged("access_log"),
    "staff:access_log_export": Logged("access_log", channel="export"),
    # the export for a supervisory request: the row names the case (or the person) exported
    "staff:supervisory_export": Logged("case", channel="export"),
    "staff:security_events": Logged("access_log"),
    "staff:notifications": Logged("case", only_noted=True),  # reminders name cases (Notification.case_refs)
    # SCIM provisioning (staff/scim/): rows under the organisation's SCIM token, no person
    "scim:users": Logged("staff", channel="scim"),
    "scim:user": Logged("staff", pk="pk", channel="scim"),
    "scim:groups": Logged("staff", channel="scim"),
    "scim:group": Logged("staff", channel="scim"),
    # File imports (staff/imports/): a run's rows name people by employee number, with names and what changes
    "staff:imports": Logged("staff"),
    "staff:import_detail": Logged("staff"),
    "staff:import_mapping": Logged("staff"),
    "staff:import_apply": Logged("staff"),
    "api-import-run": Logged("staff"),
    "api-import-apply": Logged("staff"),
}

SIGN_IN = "signing in and one's own account: no one else's data"
SETTINGS = "organisation settings: rules and numbers, no personal data"

NOT_PERSONAL: dict[str, str] = {
    "login": SIGN_IN,
    "logout": SIGN_IN,
    "password_change": SIGN_IN,
    "password_change_done": SIGN_IN,
    "password_reset": SIGN_IN,
    "password_reset_done": SIGN_IN,
    "password_reset_confirm": SIGN_IN,
    "password_reset_complete": SIGN_IN,
    "mfa_manage": SIGN_IN,
    "mfa_setup": SIGN_IN,
    "mfa_verify": SIGN_IN,
    "invitation_accept": SIGN_IN,
    "set_language": "the interface language",
    "healthz": "a health check for the load balancer",
    "api-docs": "the API documentation",
    "api-schema": "the API schema",
    "staff:start": "a redirect to the person's start page",
    "staff:api_tokens": "integration tokens: names and prefixes, no personal data",
    "staff:api_token_revoke": "revokes an integration token",
    "staff:admin_structure": "departments, units and groups",
    "staff:admin_staff_create": "an empty form; the new record's page logs",
    "staff:access_log_settings": SETTINGS,
    "staff:accessibility": "the accessibility statement",
    "staff:help": "the user guides (the repository's docs/handbok/)",
    "staff:help_guide": "the user guides (the repository's docs/handbok/)",
    "scim:service_provider_config": "what the SCIM service supports",
    "scim:schemas": "the SCIM schemas",
    "scim:schema": "the SCIM schemas",
    "scim:resource_types": "the SCIM resource types",
    "scim:resource_type": "the SCIM resource types",
    "staff:admin_scim": "SCIM token names and prefixes, directory group mappings: no personal data",
    "staff:admin_scim_token_revoke": "revokes a SCIM token",
    "staff:admin_scim_mapping_delete": "removes a directory group mapping",
    "staff:admin_sso_domain_remove": "removes an e-mail domain",
    "sso_domain_verify": SIGN_IN,
    # Sign-in through the organisation's identity provider (staff/sso/): no one is signed in yet, and the
    # pages show only the organisation's name and its buttons; each sign-in and refusal is a security event.
    "sso_find": SIGN_IN,
    "sso_organisation": SIGN_IN,
    "openid_connect_login": SIGN_IN,
    "openid_connect_callback": SIGN_IN,
    "saml_login": SIGN_IN,
    "saml_acs": SIGN_IN,
    "saml_finish_acs": SIGN_IN,
    "saml_sls": SIGN_IN,
    "saml_metadata": SIGN_IN,
    "retention:settings": "retention periods and counts of what was removed, no personal data",
    "staff:import_upload": "the upload form; the run's own pages log",
    "staff:import_status": "an import's status and row counts (polled by its progress bar), no personal data",
    "api-import-upload": "receives a file; the run's own addresses log",
}


def access_log_pages(logged: dict[str, Logged], *, not_personal: dict[str, str] | None = None) -> None:
    """An app's URL names: what each shows (`logged`), or why it shows no personal data (`not_personal`)."""
    not_personal = not_personal or {}
    for name in [*logged, *not_personal]:
        if name in LOGGED or name in NOT_PERSONAL:
            raise ImproperlyConfigured(f"the URL name {name} is classified twice")
    LOGGED.update(logged)
    NOT_PERSONAL.update(not_personal)


def classify(url_name: str | None) -> Logged | None:
    return LOGGED.get(url_name) if url_name else None
