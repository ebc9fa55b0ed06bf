"""A case in the export for a supervisory request (staff.platform.audit.supervisory), registered from trust.py.

The case as it is now, with its handlers, investigations and extension decisions; its change history, its
events and every access-log row that showed it, of the period. Numbers and ids only of the case: Stabil holds
no client's name or personal identity number. A person's export gets the cases they handled (`person_cases`).
"""

from __future__ import annotations

from caseload.models import Assignment, Case, CaseEvent, Extension, Investigation
from staff.models import Organisation, StaffMember
from staff.platform.audit.supervisory import Period, Table, history_table, model_table, reads_of


def case_find(organisation: Organisation, number: str) -> Case | None:
    return Case.objects.filter(organisation=organisation, number=number.strip()).first()


def case_tables(organisation: Organisation, case: Case, period: Period) -> list[Table]:
    of_case = {"organisation": organisation, "case": case}
    return [
        model_table("case", Case.objects.filter(organisation=organisation, pk=case.pk), exclude=["version"]),
        history_table("case_history", Case, organisation, period, id=case.pk),
        model_table("assignments", Assignment.objects.filter(**of_case)),
        history_table("assignment_history", Assignment, organisation, period, case_id=case.pk),
        model_table("investigations", Investigation.objects.filter(**of_case)),
        history_table("investigation_history", Investigation, organisation, period, case_id=case.pk),
        model_table("extensions", Extension.objects.filter(organisation=organisation, investigation__case=case)),
        model_table("case_events", CaseEvent.objects.filter(**of_case, **period.at())),
        reads_of("reads", organisation, "case", case.pk, period),
    ]


def person_cases(organisation: Organisation, member: StaffMember, period: Period) -> list[Table]:
    """The cases a person handled: their handler assignments (all of them, with the case numbers) and the
    changes of those made in the period."""
    assignments = Assignment.objects.filter(organisation=organisation, staff=member)
    numbers = dict(
        Case.objects.filter(organisation=organisation, assignments__staff=member).values_list("pk", "number")
    )
    table = model_table("case_assignments", assignments)
    at = table.columns.index("case_id")
    table.columns.insert(at + 1, "case_number")
    for row in table.rows:
        row.insert(at + 1, numbers.get(row[at]))
    return [table, history_table("case_assignment_history", Assignment, organisation, period, staff_id=member.pk)]
