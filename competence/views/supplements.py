from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staff.permissions import staff_required
from staff.platform.exports import bad_format_response, export_format, table_response
from staff.platform.formtools import parse_month

from .. import payroll, selectors, services
from ..models import PayrollApproval
from .common import SUPPLEMENT_VIEWERS


def _unit_ids(request):
    return None if request.access.has_any("hr", "org_admin") else selectors.visible_unit_ids(access=request.access)


def _report(request):
    """(month, report, error) for ?month=YYYY-MM (this month when absent)."""
    raw = request.GET.get("month", "")
    month = parse_month(raw) if raw else timezone.localdate().replace(day=1)
    if month is None:
        return raw, None, _("Give the month as YYYY-MM, for example 2026-03.")
    return (
        month,
        selectors.supplement_report(organisation=request.organisation, month=month, unit_ids=_unit_ids(request)),
        None,
    )


@staff_required(*SUPPLEMENT_VIEWERS)
def supplements(request):
    month, report, error = _report(request)
    context = {"month": month, "report": report, "error": error}
    if report is not None:
        context["month_running"] = services.may_freeze(month=month) and not services.has_ended(month=month)
        payroll_side = request.access.has_any(*services.PAYROLL_ROLES)
        approval = (
            PayrollApproval.objects.filter(organisation=request.organisation, month=month)
            .select_related("prepared_by", "approved_by")
            .first()
        )
        begun = services.may_freeze(month=month)
        context["payroll_side"] = payroll_side
        context["approval"] = approval
        approved = approval is not None and approval.approved_by_id is not None
        # Payroll's side sees the whole organisation's report (_unit_ids is None): the file's lines are read
        # from it rather than from a second computation of the same month. Others are not shown the file.
        context["held_back"] = (
            payroll_side
            and approved
            and services.held_back(organisation=request.organisation, approval=approval, report=report)
        )
        context["may_prepare"] = payroll_side and begun and (not approved or bool(context["held_back"]))
        context["may_approve"] = (
            payroll_side
            and approval is not None
            and not approved
            and approval.prepared_by_id != request.get_staff().pk
            and services.may_approve(request.get_staff())
        )
    return render(request, "competence/supplements.html", context, status=400 if error else 200)


@staff_required(*SUPPLEMENT_VIEWERS)
def supplements_csv(request):
    """The month's report as CSV or, with ?format=xlsx, as an Excel file (the same rows). Payroll's export
    (HR, organisation admin) of a month that has ended freezes it, in either format."""
    fmt = export_format(request)
    if fmt is None:
        return bad_format_response()
    month, report, error = _report(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    if (
        report.frozen is None
        and request.access.has_any(*services.FREEZERS)
        and services.supplement_month_exported(organisation=request.organisation, month=month, by=request.get_staff())
    ):
        report = selectors.supplement_report(
            organisation=request.organisation, month=month, unit_ids=_unit_ids(request)
        )
    rows = [[_("Name"), _("Unit"), _("Level"), _("Days"), _("FTE"), _("Amount (SEK)")]]
    for row in report.rows:
        rows.append([row.staff.full_name, row.unit_name, str(row.level), row.days, row.fte, row.amount])
    for c in report.corrections:
        label = _("Correction of %(month)s: %(reason)s") % {"month": f"{c.corrects:%Y-%m}", "reason": c.reason}
        rows.append([c.staff.full_name, c.unit_name, label, "", "", c.amount])
    for unit, amount in report.unit_totals:
        rows.append([_("Total"), unit, "", "", "", amount])
    rows.append([_("Total"), "", "", "", "", report.total])
    for c in report.consultants:
        rows.append([c.staff.full_name, str(c.staff.unit or ""), _("Consultant"), c.months, "", c.cost])
    return table_response(rows, filename=f"tillagg-{month:%Y-%m}", fmt=fmt, sheet_title=f"{month:%Y-%m}")


def _month_or_404(month: str):
    first = parse_month(month)
    if first is None:
        raise Http404
    return first, f"{reverse('competence:supplements')}?month={first:%Y-%m}"


def _month_step(request, month: str, *, service, title, question, label, done, template="confirm.html", more=None):
    """One of the two people's steps (prepare, approve): a confirmation page first, then the service; its
    refusal or `done` as a message on the month's report."""
    first, back = _month_or_404(month)
    texts = {"month": f"{first:%Y-%m}"}
    if request.POST.get("confirm") != "1":
        context = {"title": title, "question": question % texts, "confirm_label": label, "cancel_url": back}
        return render(request, template, context | (more(first) if more else {}))
    try:
        service(organisation=request.organisation, month=first, by=request.get_staff())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % texts)
    return redirect(back)


@require_POST
@staff_required(*services.PAYROLL_ROLES)
def supplements_prepare(request, month: str):
    """The first of two people: HR (or the organisation admin) prepares the month's payroll file."""
    return _month_step(
        request,
        month,
        service=services.payroll_prepare,
        title=_("Prepare the payroll file"),
        question=_(
            "Prepare the payroll file for %(month)s? Someone else then checks and approves it; the file is "
            "released once it is approved."
        ),
        label=_("Prepare"),
        done=_("The payroll file for %(month)s is prepared. Someone else must now approve it."),
    )


@require_POST
@staff_required(services.APPROVER_ROLE)
def supplements_approve(request, month: str):
    """The second person approves exactly the lines prepared (after a confirmation page): the month is frozen
    from then on and its payroll file is released."""
    return _month_step(
        request,
        month,
        service=services.payroll_approve,
        title=_("Approve the supplement report"),
        question=_(
            "Approve the supplement report for %(month)s? The month is then frozen: the report keeps its rows, "
            "and a later change shows as a correction in the next month."
        ),
        label=_("Approve"),
        done=_("The supplement report for %(month)s is approved."),
        template="competence/payroll_approve.html",
        more=lambda first: _prepared(request, first),
    )


def _prepared(request, first):
    """What the approver approves: the prepared month's lines as the file will hold them, who prepared it."""
    approval = (
        PayrollApproval.objects.filter(organisation=request.organisation, month=first)
        .select_related("prepared_by")
        .first()
    )
    try:
        month_lines = payroll.lines(
            organisation=request.organisation, month=first, layout=payroll.layout_for(request.organisation)
        )
    except ValidationError as exc:
        return {"approval": approval, "lines_error": " ".join(exc.messages)}
    return {"approval": approval, "lines": month_lines}


@staff_required(*services.PAYROLL_ROLES)
def payroll_download(request, month: str):
    """The approved month's payroll transactions in the organisation's layout (docs/integrations.md)."""
    first, back = _month_or_404(month)
    try:
        name, data, encoding = services.payroll_file(organisation=request.organisation, month=first)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    charset = {"cp1252": "windows-1252"}.get(encoding, encoding)
    response = HttpResponse(data, content_type=f"text/plain; charset={charset}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
