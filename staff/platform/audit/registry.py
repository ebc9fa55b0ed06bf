"""Which URL patterns show personal or case data: every pattern of the site is classified here.

`LOGGED[url_name]` says what a request to it shows; `NOT_PERSONAL[url_name]` says why it needs no
access-log row. tests/staff/test_access_log_walk.py fails on a pattern in neither, so a new page
cannot ship unclassified. Keyed by URL name (strings, not imports: staff never imports the apps
built on it). An app adding pages adds its names here in the same change.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Logged:
    kind: str
    # The URL argument that *is* the object of `kind` (recorded even when the view answers 404).
    pk: str | None = None
    # "page", "api" or "export"; None: "api" under /api/, else "page".
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
    "staff:admin_staff_role_add": STAFF,
    "staff:admin_staff_role_remove": STAFF,
    "staff:access_review": Logged("access_log"),
    "staff:access_log_export": Logged("access_log", channel="export"),
    "staff:security_events": Logged("access_log"),
    "staff:notifications": Logged("case", only_noted=True),  # reminders name cases (Notification.case_refs)
    # competence
    "competence:overview": Logged("report"),
    "competence:my_ladder": OWN,
    "competence:staff_list": Logged("staff"),
    "competence:staff_detail": STAFF,
    "competence:promote": STAFF,
    "competence:place": STAFF,
    "competence:introduction_create": STAFF,
    "competence:mentor_add": STAFF,
    "competence:training_add": STAFF,
    "competence:onboarding_undo": STAFF,
    "competence:item_done": Logged("staff"),
    "competence:reflection_attendance": Logged("staff"),
    "competence:appointments": Logged("staff"),
    "competence:appointment_renew": Logged("staff"),
    "competence:supplements": Logged("report"),
    "competence:supplements_csv": Logged("report", channel="export"),
    "competence:supplements_approve": Logged("report"),
    "competence-supplements": Logged("report"),
    # caseload
    "caseload:my_caseload": Logged("case"),
    "caseload:supervision": Logged("case"),  # with the purpose "supervision"
    "caseload:case_detail": CASE,
    "caseload:case_assign": CASE,
    "caseload:investigation_open": CASE,
    "caseload:investigation_close": CASE,
    "caseload:investigation_extend": CASE,
    "caseload:unit_dashboard": UNIT,
    "caseload:unit_load_csv": Logged("unit", pk="pk", channel="export"),
    "caseload:unit_cycle": UNIT,
    "caseload:board": UNIT,
    "caseload:review_forms_read": UNIT,
    "caseload:review_form": UNIT,  # and the worker's own cases it lists
    "caseload:interest_toggle": Logged("case"),
    "caseload:duty_set": UNIT,
    "caseload:proposal_make": UNIT,
    "caseload:proposal_adjust": UNIT,
    "caseload:proposal_confirm": UNIT,
    "caseload:wrap_up_save": UNIT,
    "caseload_api:my_caseload": Logged("case"),
    "caseload_api:unit_overview": UNIT,
    # intake
    "intake:queue": Logged("intake_item"),
    "intake:detail": Logged("intake_item", pk="pk"),
    # surveys
    "surveys:my_survey": OWN,  # the worker's own answers: naming one would tell who has answered an open round
    "surveys:unit_results": Logged("survey_answer"),
    "surveys:action_plan": Logged("survey_answer", pk="pk"),
    # A plan's page notes its answer (the plan's id is in url_ids): "who read answer X" finds plan readers too.
    "surveys:action_plans": Logged("survey_answer"),
    "surveys:action_plan_detail": Logged("survey_answer"),
    "surveys:action_plan_edit": Logged("survey_answer"),
    "surveys:round_results": Logged("report"),
    "surveys:round_export": Logged("report", channel="export"),
    "surveys:exits": Logged("exit_interview"),
    "surveys:exit_new": Logged("staff"),
    "surveys_api:tertial_report": Logged("report"),
    "surveys_api:turnover": Logged("report"),
    "surveys_api:span_of_control": Logged("report"),
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
    "competence:settings": SETTINGS,
    "competence:level_add": SETTINGS,
    "competence:level_edit": SETTINGS,
    "competence:rate_add": SETTINGS,
    "competence:template_item_add": SETTINGS,
    "competence:training_add_catalogue": SETTINGS,
    "competence:setup_default": SETTINGS,
    "caseload:settings": SETTINGS,
    "intake:settings": SETTINGS,
    "caseload:case_create": "an empty form; the new case's page logs",
    "caseload:feed_token_regenerate": "replaces the calendar address of a unit",
    "caseload:unit_feed": "meeting dates of a unit's allocation cycle",
    "caseload:token_feed": "meeting dates of a unit's allocation cycle",
    "staff:accessibility": "the accessibility statement",
    "staff:help": "the user guides (the repository's docs/handbok/)",
    "staff:help_guide": "the user guides (the repository's docs/handbok/)",
    "retention:settings": "retention periods and counts of what was removed, no personal data",
    "intake:register": "an empty form; the new item's page logs",
    "surveys:admin": SETTINGS,
    "surveys:round_edit": SETTINGS,
    "surveys:results": "results across units: aggregates only, never individual answers",
    "surveys:baseline": "baseline figures of the organisation",
    "surveys:rhythm_record": "records a step of the unit's survey rhythm",
    "surveys:answer": "the worker's own answer form: a row (a POST above all) would tell who answered an open round",
    "surveys_api:tertials": "the list of tertials",
}


def classify(url_name: str | None) -> Logged | None:
    return LOGGED.get(url_name) if url_name else None
