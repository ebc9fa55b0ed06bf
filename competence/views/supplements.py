from __future__ import annotations

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.formtools import csv_cell, parse_month
from staff.permissions import staff_required

from .. import selectors
from .common import SUPPLEMENT_VIEWERS


def _report(request):
    """(month, report, error) for ?month=YYYY-MM (this month when absent)."""
    raw = request.GET.get("month", "")
    month = parse_month(raw) if raw else timezone.localdate().replace(day=1)
    if month is None:
        return raw, None, _("Give the month as YYYY-MM, for example 2026-03.")
    unit_ids = None if request.access.has_any("hr", "org_admin") else selectors.visible_unit_ids(access=request.access)
    return month, selectors.supplement_report(organisation=request.organisation, month=month, unit_ids=unit_ids), None


@staff_required(*SUPPLEMENT_VIEWERS)
def supplements(request):
    month, report, error = _report(request)
    return render(
        request,
        "competence/supplements.html",
        {"month": month, "report": report, "error": error},
        status=400 if error else 200,
    )


@staff_required(*SUPPLEMENT_VIEWERS)
def supplements_csv(request):
    month, report, error = _report(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tillagg-{month:%Y-%m}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Name"), _("Unit"), _("Level"), _("Days"), _("FTE"), _("Amount (SEK)")])
    for row in report.rows:
        writer.writerow(
            [csv_cell(v) for v in (row.staff.full_name, row.unit_name, row.level, row.days, row.fte, row.amount)]
        )
    for unit, amount in report.unit_totals:
        writer.writerow([csv_cell(v) for v in (_("Total"), unit, "", "", "", amount)])
    writer.writerow([csv_cell(v) for v in (_("Total"), "", "", "", "", report.total)])
    for c in report.consultants:
        writer.writerow(
            [csv_cell(v) for v in (c.staff.full_name, c.staff.unit or "", _("Consultant"), c.months, "", c.cost)]
        )
    return response
