"""The survey settings keep change history, shown on the survey settings page; the free-text answers, action plans
and exit interviews are scanned by `find_identity_numbers`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from staff.platform import audit, identity_scan
from staff.platform.audit.registry import OWN, SETTINGS, Logged, access_log_pages
from staff.platform.history.display import Source
from staff.platform.history.registry import LEGACY, track
from surveys.models import ActionPlan, Answer, ExitInterview, RhythmStep, SurveySettings

track(SurveySettings, table=LEGACY)

identity_scan.texts(Answer, "m1", "m2", "m3")
identity_scan.texts(ActionPlan, "actions", "outcome")
identity_scan.texts(RhythmStep, "note")
identity_scan.texts(ExitInterview, "answers")  # JSON: each answer is checked on its own

audit.model_kind(Answer, "survey_answer")
audit.model_kind(ExitInterview, "exit_interview")

# Its pages in the access log: what each shows, or why it shows no personal data (staff.platform.audit.registry).
access_log_pages(
    {
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
    },
    not_personal={
        "surveys:admin": SETTINGS,
        "surveys:round_edit": SETTINGS,
        "surveys:results": "results across units: aggregates only, never individual answers",
        "surveys:baseline": "baseline figures of the organisation",
        "surveys:rhythm_record": "records a step of the unit's survey rhythm",
        "surveys:answer": (
            "the worker's own answer form: a row (a POST above all) would tell who answered an open round"
        ),
        "surveys_api:tertials": "the list of tertials",
    },
)


def survey_settings_history() -> list[Source]:
    return [Source(SurveySettings, {}, _("Survey settings"), created_values=False)]
