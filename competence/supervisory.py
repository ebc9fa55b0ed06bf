"""The competence ladder's part of a person's export for a supervisory request (staff.platform.audit.supervisory):
their periods on the ladder with the changes made in the period, the joint assessments behind each move up, and
their frozen supplement rows (what payroll was told, month by month). Registered in competence/trust.py."""

from __future__ import annotations

from competence.models import Assessment, LevelPlacement, SupplementMonthRow
from staff.models import Organisation, StaffMember
from staff.platform.audit.supervisory import Period, Table, model_table, person_rows


def person_ladder(organisation: Organisation, member: StaffMember, period: Period) -> list[Table]:
    rows = SupplementMonthRow.objects.filter(organisation=organisation, staff=member)
    months = dict(rows.values_list("pk", "frozen_month__month"))
    supplements = model_table("supplement_rows", rows)
    at = supplements.columns.index("frozen_month_id")
    supplements.columns.insert(at + 1, "month")
    for row in supplements.rows:
        row.insert(at + 1, months.get(row[0]))
    return [
        *person_rows("level_placements", LevelPlacement, organisation, member, period),
        model_table("ladder_assessments", Assessment.objects.filter(organisation=organisation, staff=member)),
        supplements,
    ]
