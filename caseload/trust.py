"""What the caseload asks of the platform's trust mechanisms: the models that keep change history, the history
its pages show, and what the retention run (gallring) removes. Found by
`staff.platform.history.registry.discover()`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from caseload.models import (
    Assignment,
    Case,
    CaseEvent,
    CaseloadSettings,
    CycleSettings,
    Extension,
    Investigation,
    MeetingCycle,
    ReviewEntry,
    ReviewForm,
)
from caseload.supervisory import case_find, case_tables, person_cases
from staff.platform import audit, identity_scan
from staff.platform.audit import supervisory
from staff.platform.audit.registry import CASE, SETTINGS, UNIT, Logged, access_log_pages
from staff.platform.history.display import Source
from staff.platform.history.registry import LEGACY, track
from staff.platform.retention.registry import on_anonymise, rule

track(Case, exclude=["version"], table=LEGACY)
track(Assignment, exclude=["created_at"], table=LEGACY)
track(Investigation, exclude=["unit"], table=LEGACY)  # the case's unit, copied: never changes on its own
track(CaseloadSettings, table=LEGACY)
track(CycleSettings, exclude=["feed_token", "updated_at"], table=LEGACY)

# Stored text that can hold case data, scanned by `manage.py find_identity_numbers`.
identity_scan.case_numbers(Case, "number")
identity_scan.case_number_pattern(lambda organisation: CaseloadSettings.for_org(organisation).case_number_pattern)
identity_scan.texts(Assignment, "reason")
identity_scan.texts(Extension, "reason")
identity_scan.texts(CaseEvent, "detail")
identity_scan.texts(MeetingCycle, "wrap_up_notes")
identity_scan.texts(ReviewForm, "comment")
identity_scan.texts(ReviewEntry, "stands", "still_needed", "interventions", "decisions")

audit.model_kind(Case, "case")
supervisory.case_export(find=case_find, tables=case_tables)  # the export for a supervisory request
supervisory.person_part("caseload", person_cases)
audit.model_kind(Investigation, "investigation")

# Its pages in the access log: what each shows, or why it shows no personal data (staff.platform.audit.registry).
access_log_pages(
    {
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
        "caseload:handover": Logged("staff", pk="pk"),  # a leaver's open cases (noted too)
        "caseload_api:my_caseload": Logged("case"),
        "caseload_api:unit_overview": UNIT,
    },
    not_personal={
        "caseload:settings": SETTINGS,
        "caseload:case_create": "an empty form; the new case's page logs",
        "caseload:feed_token_regenerate": "replaces the calendar address of a unit",
        "caseload:unit_feed": "meeting dates of a unit's allocation cycle",
        "caseload:token_feed": "meeting dates of a unit's allocation cycle",
    },
)


def case_history(case) -> list[Source]:
    return [
        Source(Case, {"id": case.pk}, _("Case")),
        Source(Assignment, {"case_id": case.pk}, _("Handler assignment"), hide=("case",)),
        Source(Investigation, {"case_id": case.pk}, _("Investigation"), hide=("case",)),
    ]


def caseload_settings_history() -> list[Source]:
    return [Source(CaseloadSettings, {}, _("Caseload settings"), created_values=False)]


def cycle_settings_history(unit) -> list[Source]:
    return [Source(CycleSettings, {"unit_id": unit.pk}, _("Allocation cycle"), hide=("unit",))]


@rule(period="closed_case_years", order=20)
def closed_cases(*, organisation, cutoff) -> dict[str, int]:
    """Cases closed before `cutoff` go, with their handlers and investigations and the change history of all
    three, including the rows the deletion itself just wrote. (Intake items linked to them went first.)"""
    case_ids = list(
        Case.objects.filter(organisation=organisation, status=Case.Status.CLOSED, closed_on__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    if not case_ids:
        return {}
    counts = {
        "cases": len(case_ids),
        "assignments": Assignment.objects.filter(organisation=organisation, case_id__in=case_ids).count(),
        "investigations": Investigation.objects.filter(organisation=organisation, case_id__in=case_ids).count(),
        "history_rows": 0,
    }
    Case.objects.filter(organisation=organisation, pk__in=case_ids).delete()
    for model, lookup in ((Case, "id__in"), (Assignment, "case_id__in"), (Investigation, "case_id__in")):
        deleted, _by_model = model.history.filter(organisation_id=organisation.pk, **{lookup: case_ids}).delete()
        counts["history_rows"] += deleted
    return counts


@on_anonymise
def review_comments(member) -> None:
    """A former worker's own words on the review forms go when the person is anonymised."""
    ReviewForm.objects.filter(organisation=member.organisation, staff=member).exclude(comment="").update(comment="")
