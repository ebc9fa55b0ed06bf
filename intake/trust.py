"""What intake asks of the platform's trust mechanisms: intake items and the intake settings keep change history,
shown on their pages, and the retention run (gallring) removes decided items and their history. Found by
`staff.platform.history.registry.discover()`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from caseload.models import Case
from intake.models import IntakeItem, IntakeSettings
from staff.platform import audit, identity_scan
from staff.platform.audit import supervisory
from staff.platform.audit.registry import SETTINGS, Logged, access_log_pages
from staff.platform.history.display import Source
from staff.platform.history.registry import LEGACY, track
from staff.platform.retention.registry import rule

track(IntakeSettings, table=LEGACY)
track(IntakeItem)

identity_scan.case_numbers(IntakeItem, "case_number")
identity_scan.texts(IntakeItem, "decision_reason", "protection_outcome")

audit.model_kind(IntakeItem, "intake_item")

# Its pages in the access log: what each shows, or why it shows no personal data (staff.platform.audit.registry).
access_log_pages(
    {
        "intake:queue": Logged("intake_item"),
        "intake:detail": Logged("intake_item", pk="pk"),
    },
    not_personal={
        "intake:settings": SETTINGS,
        "intake:register": "an empty form; the new item's page logs",
    },
)


def intake_item_history(item) -> list[Source]:
    return [Source(IntakeItem, {"id": item.pk}, _("Intake item"), hide=("unit", "investigation"))]


def intake_settings_history() -> list[Source]:
    return [Source(IntakeSettings, {}, _("Intake settings"), created_values=False)]


def _delete(organisation, items) -> dict[str, int]:
    ids = list(items.values_list("pk", flat=True))
    if not ids:
        return {}
    deleted, _by_model = IntakeItem.objects.filter(organisation=organisation, pk__in=ids).delete()
    history, _by_model = IntakeItem.history.filter(organisation_id=organisation.pk, id__in=ids).delete()
    return {"intake_items": deleted, "history_rows": history}


@rule(period="closed_case_years", order=10)
def reports_of_closed_cases(*, organisation, cutoff) -> dict[str, int]:
    """Reports linked to a case's investigations belong to the case file: they go with the case, before it
    (the link protects the investigation)."""
    return _delete(
        organisation,
        IntakeItem.objects.filter(
            organisation=organisation,
            investigation__case__status=Case.Status.CLOSED,
            investigation__case__closed_on__lt=cutoff,
        ),
    )


@rule(period="intake_item_years", order=30)
def decided_items(*, organisation, cutoff) -> dict[str, int]:
    """Items decided before `cutoff` (not the pending ones) go, with their change history."""
    return _delete(
        organisation,
        IntakeItem.objects.filter(organisation=organisation, decided_on__lt=cutoff).exclude(
            decision=IntakeItem.Decision.PENDING
        ),
    )


def _intake_tables(organisation, case, period):
    """The intake items that led to the case (matched by its number): the report of concern or application as
    Stabil holds it (received, acute, the pre-assessment and immediate-protection decisions and their dates),
    its change history and who read it, of the period."""
    from staff.platform.audit.supervisory import ACCESS_COLUMNS, Table, history_table, model_table, reads_of

    items = IntakeItem.objects.filter(organisation=organisation, case_number=case.number)
    table = model_table("intake_items", items)
    ids = [row[table.columns.index("id")] for row in table.rows]
    reads = Table("intake_item_reads", ACCESS_COLUMNS)
    for pk in ids:  # a case has one or a few intake items
        reads.rows.extend(reads_of(reads.name, organisation, "intake_item", pk, period).rows)
    return [table, history_table("intake_item_history", IntakeItem, organisation, period, id__in=ids), reads]


supervisory.case_part("intake", _intake_tables)  # the export for a supervisory request (staff.platform.audit)
