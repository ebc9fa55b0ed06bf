"""Caseload pages: my caseload, the unit dashboard, the case page and its forms. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from caseload import trust
from staff.models import CASE_WORKER_ROLES, MANAGER_ROLES, Role, Unit
from staff.permissions import staff_required
from staff.platform import audit
from staff.platform.audit.models import Purpose
from staff.platform.formtools import apply_errors, paginate
from staff.platform.history.display import history_for_request
from staff.platform.links import link_format
from staff.selectors import unit_get

from . import reading, selectors, services
from .forms import AssignForm, CaseCreateForm, CloseForm, ExtensionForm, OpenInvestigationForm, SettingsForm
from .meeting import selectors as meeting_selectors
from .meeting.texts import over_capacity_warning


class PurposeRequired(Exception):
    """A colleague's case that this reader may read only under a stated purpose (caseload.reading)."""

    def __init__(self, case, purposes: list[str]) -> None:
        super().__init__(case.pk)
        self.case, self.purposes = case, purposes


def _viewable_case(request, pk, *, with_purpose: bool = False):
    """The case if the reader may read it (docs/caseload.md, "Who reads a case"); else 403.

    `with_purpose`: a colleague's case may be read under `?purpose=` (recorded on the access-log row)."""
    case = selectors.case_get(organisation=request.organisation, pk=pk)
    stated = request.GET.get("purpose", "") if with_purpose else ""
    allowed, purpose, purposes = reading.case_read(
        access=request.access, case=case, purpose=stated, on=timezone.localdate()
    )
    if not allowed:
        if with_purpose and purposes:
            raise PurposeRequired(case, purposes)
        raise PermissionDenied
    if purpose:
        audit.purpose(request, purpose)
    audit.note(request, case)
    return case


def _managed_case(request, pk):
    case = selectors.case_get(organisation=request.organisation, pk=pk)
    if not request.access.manages_unit(case.unit_id):
        raise PermissionDenied
    audit.note(request, case)
    return case


@staff_required()
def my_caseload(request):
    data = selectors.my_caseload(
        organisation=request.organisation, staff=request.get_staff(), today=timezone.localdate()
    )
    page = paginate(request, data.rows, per_page=50)
    audit.note(request, [row.case for row in page])
    supervises = bool(request.access.unit_ids_with(Role.SPECIALIST))
    case_link = link_format("caseload:case_detail")
    rows = [(row, case_link(row.case.pk)) for row in page]
    context = {"data": data, "page": page, "rows": rows, "supervises": supervises}
    return render(request, "caseload/my_caseload.html", context)


@staff_required(Role.SPECIALIST)
def supervision(request):
    """Case supervision (ärendehandledning): the open cases of the specialist's work groups, read under
    the purpose `supervision`, recorded on the access-log row with every case number shown."""
    page = paginate(request, reading.supervision_cases(access=request.access, on=timezone.localdate()), per_page=50)
    audit.purpose(request, Purpose.SUPERVISION)
    audit.note(request, page)
    return render(request, "caseload/supervision.html", {"page": page, "purpose": Purpose.SUPERVISION.value})


@staff_required()
def unit_dashboard(request, pk: int):
    unit = unit_get(organisation=request.organisation, pk=pk)
    if not request.access.may_view_unit(unit):
        raise PermissionDenied
    data = selectors.unit_dashboard(organisation=request.organisation, unit=unit, today=timezone.localdate())
    audit.note(request, data.shown())
    case_link = link_format("caseload:case_detail")
    at_risk = [(d, case_link(d.investigation.case_id)) for d in data.at_risk]
    context = {"data": data, "unit": unit, "chart": data.chart_data(), "at_risk": at_risk}
    return render(request, "caseload/unit_dashboard.html", context)


@staff_required()
def case_detail(request, pk: int):
    try:
        case = _viewable_case(request, pk, with_purpose=True)
    except PurposeRequired as refused:
        choices = [(p, Purpose(p).label) for p in refused.purposes]
        context = {"case_pk": refused.case.pk, "choices": choices, "stated": request.GET.get("purpose", "")}
        return render(request, "caseload/purpose_required.html", context, status=403)
    detail = selectors.case_detail(case=case, today=timezone.localdate())
    return render(
        request,
        "caseload/case_detail.html",
        {
            "detail": detail,
            "case": case,
            "is_manager": request.access.manages_unit(case.unit_id),
            "history": history_for_request(request, trust.case_history(case)),
        },
    )


def _form_page(request, form, save, *, template="caseload/form.html", context=None):
    """Run a valid form through a service: on success redirect with its message, else show the errors."""
    if request.method == "POST" and form.is_valid():
        try:
            url, message = save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(url)
    return render(request, template, {"form": form, **(context or {})})


def _case_form_context(case, title, submit):
    return {"case": case, "title": title, "submit": submit}


@staff_required(*MANAGER_ROLES)
def case_assign(request, pk: int):
    case = _managed_case(request, pk)
    today = timezone.localdate()
    workers = selectors.unit_case_workers(organisation=request.organisation, unit=case.unit, on=today)
    detail = selectors.case_detail(case=case, today=today)
    current = detail.current
    initial = {
        "main": current["main"].staff_id if "main" in current else None,
        "co": current["co"].staff_id if "co" in current else None,
        "version": case.version,
    }
    # "Allocate now" (a case waiting for allocation): the least loaded who may take it, over capacity if
    # need be, with a warning naming the load. The manager saves it or chooses otherwise.
    suggestion = (
        None if current else meeting_selectors.allocate_now(organisation=request.organisation, case=case, today=today)
    )
    warnings = []
    if suggestion is not None:
        initial |= {"main": suggestion.main.pk, "co": suggestion.co.pk if suggestion.co else None}
        warnings = [
            over_capacity_warning(number=case.number, acute=case.acute, name=name, load=load, capacity=capacity)
            for name, load, capacity in suggestion.over
        ]

    def save(data):
        services.case_assign(
            organisation=request.organisation,
            actor=request.get_staff(),
            case=case,
            main=data["main"],
            co=data["co"],
            reason=data["reason"],
            expected_version=data["version"],
        )
        return case.get_absolute_url(), _("The handlers of case %(number)s are saved.") % {"number": case.number}

    form = AssignForm(request.POST or None, workers=workers, initial=initial)
    context = {"case": case, "detail": detail, "suggestion": suggestion, "over_capacity": warnings}
    return _form_page(request, form, save, template="caseload/assign.html", context=context)


def _running_or_404(case):
    investigation = selectors.running_investigation(case=case)
    if investigation is None:
        raise Http404
    return investigation


@staff_required(*MANAGER_ROLES, *CASE_WORKER_ROLES)
def investigation_close(request, pk: int):
    case = _viewable_case(request, pk)
    investigation = _running_or_404(case)

    def save(data):
        services.investigation_close(
            organisation=request.organisation, actor=request.get_staff(), investigation=investigation, **data
        )
        return case.get_absolute_url(), _("The investigation is closed.")

    form = CloseForm(request.POST or None, initial={"closed_on": timezone.localdate(), "close_case": True})
    return _form_page(
        request,
        form,
        save,
        context=_case_form_context(case, _("Close the investigation"), pgettext("investigation", "Close")),
    )


@staff_required()
def investigation_extend(request, pk: int):
    case = _viewable_case(request, pk)
    investigation = _running_or_404(case)

    def save(data):
        services.extension_decide(
            organisation=request.organisation, actor=request.get_staff(), investigation=investigation, **data
        )
        return case.get_absolute_url(), _("The extension is recorded.")

    form = ExtensionForm(request.POST or None)
    context = _case_form_context(case, _("Decide an extension"), _("Save the decision"))
    return _form_page(request, form, save, context=context)


@staff_required(*MANAGER_ROLES)
def investigation_open(request, pk: int):
    case = _managed_case(request, pk)

    def save(data):
        investigation = services.investigation_open(
            organisation=request.organisation, actor=request.get_staff(), case=case, **data
        )
        if investigation.chained:
            messages.warning(
                request, _("Flagged: a new investigation so soon after closing one, without a new report.")
            )
        return case.get_absolute_url(), _("The investigation is opened.")

    form = OpenInvestigationForm(request.POST or None, initial={"start_date": timezone.localdate()})
    return _form_page(
        request, form, save, context=_case_form_context(case, _("Open an investigation"), _("Open an investigation"))
    )


@staff_required(*MANAGER_ROLES)
def case_create(request):
    units = Unit.objects.filter(organisation=request.organisation, pk__in=request.access.managed_unit_ids)

    def save(data):
        case = services.case_create(organisation=request.organisation, actor=request.get_staff(), **data)
        return case.get_absolute_url(), _("Case %(number)s is registered.") % {"number": case.number}

    form = CaseCreateForm(request.POST or None, units=units, initial={"opened_on": timezone.localdate()})
    return _form_page(request, form, save, context=_case_form_context(None, _("New case"), _("Register")))


@staff_required(Role.ORG_ADMIN)
def settings_edit(request):
    from .models import CaseloadSettings

    current = CaseloadSettings.for_org(request.organisation)

    def save(data):
        services.caseload_settings_update(organisation=request.organisation, settings=current, **data)
        return reverse("caseload:settings"), _("The caseload settings are saved.")

    form = SettingsForm(request.POST or None, instance=current)
    history = history_for_request(request, trust.caseload_settings_history())
    return _form_page(
        request, form, save, context={"title": _("Caseload settings"), "submit": _("Save"), "history": history}
    )


@staff_required()
def unit_load_csv(request, pk: int):
    """The unit's load table as CSV or, with ?format=xlsx, as an Excel file (the same rows)."""
    from decimal import Decimal

    from staff.platform.exports import bad_format_response, export_format, table_response

    fmt = export_format(request)
    if fmt is None:
        return bad_format_response()
    unit = unit_get(organisation=request.organisation, pk=pk)
    if not request.access.may_view_unit(unit):
        raise PermissionDenied
    today = timezone.localdate()
    data = selectors.unit_dashboard(organisation=request.organisation, unit=unit, today=today)
    rows = [
        [
            _("Worker"),
            _("Level"),
            _("Main"),
            _("Co"),
            _("Load"),
            _("Cases"),
            _("Capacity"),
            _("Share"),
            _("Closed this month"),
        ]
    ]
    for w in data.loads:
        rows.append(
            [
                w.staff.full_name,
                w.level.number if w.level else "",
                w.main_cases,
                w.co_cases,
                w.load_shown,
                w.cases,
                Decimal(w.capacity).quantize(Decimal("0.1")),
                w.percent,
                w.closed_this_month,
            ]
        )
    return table_response(
        rows, filename=f"arendelage-{unit.pk}-{today.isoformat()}", fmt=fmt, sheet_title=_("Caseload")
    )
