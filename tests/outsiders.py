"""Registry for the outsider test: every URL pattern that takes an object id must be listed.

Each app keeps `tests/<app>/outsiders.py` with `CASES = {url_name: Outsider(...)}`. The walker in
tests/staff/test_outsider_404.py requests each pattern as a person of Alfa kommun who *would* be
allowed to see such an object, with ids of Beta kommun's objects, and expects 404. A pattern that
takes arguments and is missing from every registry fails the test.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

APPS = ("staff", "competence", "caseload", "intake", "surveys")


@dataclass(frozen=True)
class Outsider:
    viewer: str  # a name from tests/conftest.py's World, in Alfa kommun
    kwargs: Callable[[Any], dict]  # World -> URL kwargs pointing at Beta kommun's objects
    method: str = "get"
    data: Callable[[Any], dict] | None = None  # World -> POST/PUT body, when the view needs one
    headers: dict | None = None


# URL patterns with arguments that hold no object id of an organisation.
NOT_OBJECT_URLS = {
    "password_reset_confirm",  # uidb64 + token: Django's own reset link
    # the secret token of an invitation link, not an object id: an unknown one is a 404 for anyone
    # (tests/staff/test_invitations.py)
    "invitation_accept",
    # the secret token of an e-mail domain's verification link, as an invitation's (tests/staff/test_sso_admin.py)
    "sso_domain_verify",
    # an organisation's short name: its public sign-in addresses, which sign in only its own people
    # (tests/staff/test_sso_oidc.py, test_sso_saml.py: Beta's answers sign no one into Alfa)
    "sso_organisation",
    "openid_connect_login",
    "openid_connect_callback",
    "saml_login",
    "saml_acs",
    "saml_finish_acs",
    "saml_sls",
    "saml_metadata",
    "set_language",
    # a month (YYYY-MM), not an object: the approval freezes the viewer's own organisation's month
    # (tests/competence/test_supplement_months.py: the outsider's approval leaves Alfa's month open)
    "competence:supplements_approve",
    # the same month, prepared and released as the viewer's own organisation's payroll file only
    # (tests/competence/test_payroll.py: the outsider's preparation and file are Beta's)
    "competence:supplements_prepare",
    "competence:payroll_file",
    # a guide's name (docs/handbok/<name>.md), the same text in every organisation (tests/staff/test_help.py)
    "staff:help_guide",
    # SCIM's schema and resource-type documents by their fixed names, the same for every organisation
    "scim:schema",
    "scim:resource_type",
}


def all_cases() -> dict[str, Outsider]:
    cases: dict[str, Outsider] = {}
    for app in APPS:
        try:
            module = importlib.import_module(f"tests.{app}.outsiders")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"tests.{app}", f"tests.{app}.outsiders"):
                raise
            continue
        cases.update(module.CASES)
    return cases
