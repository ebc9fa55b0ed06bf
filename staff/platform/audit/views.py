"""Access-log pages: the monthly review (managers, org admins), the export and settings (org admins),
and the CSRF failure page. Reading the log is itself logged (staff.platform.audit.registry)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import Role
from staff.permissions import current_staff, staff_required
from staff.platform import audit
from staff.platform.audit import selectors, services, supervisory
from staff.platform.audit.forms import (
    ExportForm,
    ReviewForm,
    SecurityEventFilterForm,
    SettingsForm,
    SupervisoryExportForm,
)
from staff.platform.audit.middleware import security_event_write
from staff.platform.audit.models import AccessLogSettings, SecurityEvent
from staff.platform.exports import bad_format_response, export_format, table_response
from staff.platform.formtools import apply_errors, paginate, parse_month


def _month(raw: str | None) -> datetime.date:
    """The month asked for ('2026-03'), or this month for anything else (a year far off included)."""
    return parse_month(raw) or timezone.localdate().replace(day=1)


@staff_required(*selectors.REVIEWER_ROLES)
def access_review(request):
    org = request.organisation
    month = _month(request.GET.get("month") or request.POST.get("month"))
    unit_ids = selectors.review_unit_ids(request.access)
    flags = selectors.review_flags(organisation=org, month=month, unit_ids=unit_ids)
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        by_key = {f.key: f for f in flags}
        if form.is_valid():
            flag = by_key.get(form.cleaned_data["key"])
            if flag is None:  # not a flag of this reviewer's units and month
                raise PermissionDenied
            try:
                services.access_review_mark(
                    organisation=org,
                    reviewer=request.get_staff(),
                    key=flag.key,
                    flag=flag.flag,
                    month=month,
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The access is marked as reviewed."))
                return redirect(f"{reverse('staff:access_review')}?month={month:%Y-%m}")
        status = 400
    show = "all" if request.GET.get("show") == "all" else "open"
    if show == "open":
        flags = [f for f in flags if f.review is None]
    sort = request.GET.get("sort", "when")
    if sort.lstrip("-") not in selectors.SORTS:
        sort = "when"
    page = paginate(request, selectors.sort_flags(flags, sort), per_page=25)
    previous_month = (month - datetime.timedelta(days=1)).replace(day=1)
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "staff/audit/review.html",
        {
            "page": page,
            "month": month,
            "previous_month": previous_month,
            "next_month": next_month if next_month <= timezone.localdate() else None,
            "sort": sort,
            "show": show,
            "form": form,
            "failed_key": form.data.get("key") if status == 400 else None,
            "settings": AccessLogSettings.for_org(org),
            "is_org_admin": request.access.is_org_admin,
        },
        status=status,
    )


def _export_form(request, template: str, form, config: AccessLogSettings):
    """An export's form: empty (200) or with its field errors (400)."""
    return render(request, template, {"form": form, "settings": config}, status=400 if form.is_bound else 200)


@staff_required(Role.ORG_ADMIN)
def access_log_export(request):
    org = request.organisation
    fmt = export_format(request)
    if fmt is None:
        return bad_format_response()
    config = AccessLogSettings.for_org(org)
    form = ExportForm(request.GET if "start" in request.GET else None, max_months=config.export_max_months)
    if not form.is_bound or not form.is_valid():
        return _export_form(request, "staff/audit/export.html", form, config)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    audit.asked(request, period=f"{start:%Y-%m-%d}..{end:%Y-%m-%d}")
    rows = [[column for column, _field in selectors.EXPORT_COLUMNS]]
    for at, *rest in selectors.export_rows(organisation=org, start=start, end=end):
        rows.append([timezone.localtime(at).isoformat(timespec="seconds"), *rest])
    return table_response(
        rows, filename=f"atkomstlogg-{start:%Y%m%d}-{end:%Y%m%d}", fmt=fmt, sheet_title=_("Access log")
    )


@staff_required(Role.ORG_ADMIN)
def supervisory_export(request):
    """Everything about one case number or one person over a period, for a supervisory request (IVO, IMY): a
    zip of export.json, export.xlsx (a sheet per table) and a CSV per table. The export is itself an
    access-log row (channel export) naming the case or the person, as is a refused one."""
    org = request.organisation
    config = AccessLogSettings.for_org(org)
    provider = supervisory.case_provider()
    form = SupervisoryExportForm(
        request.GET if "start" in request.GET else None,
        organisation=org,
        find_case=provider.find if provider else None,
        max_months=config.export_max_months,
    )
    if not form.is_bound or not form.is_valid():
        return _export_form(request, "staff/audit/supervisory_export.html", form, config)
    period = supervisory.Period(form.cleaned_data["start"], form.cleaned_data["end"])
    audit.asked(request, period=f"{period.start:%Y-%m-%d}..{period.end:%Y-%m-%d}")
    if form.case is not None:
        tables = supervisory.case_tables(org, form.case, period)
        subject, name = {"case_id": form.case.pk, "case_number": form.case.number}, f"arende-{form.case.pk}"
        audit.note(request, form.case)
    else:
        member = form.cleaned_data["person"]
        tables = supervisory.person_tables(org, member, period)
        subject, name = {"staff_id": member.pk}, f"person-{member.pk}"
        audit.note(request, member)
    tables.append(supervisory.people_table(org, tables))
    meta = supervisory.export_meta(organisation=org, made_by=request.get_staff(), subject=subject, period=period)
    response = HttpResponse(supervisory.export_zip(meta=meta, tables=tables), content_type="application/zip")
    filename = f"tillsyn-{name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required(Role.ORG_ADMIN)
def access_log_settings(request):
    current = AccessLogSettings.for_org(request.organisation)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_log_settings_update(organisation=request.organisation, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The access-log settings are saved."))
            return redirect("staff:access_review")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "staff/audit/settings.html", {"form": form}, status=status)


@staff_required(Role.ORG_ADMIN)
def security_events(request):
    """Refused requests naming this organisation: bad sessions, forged CSRF tokens, refused API tokens."""
    form = SecurityEventFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    kind = form.cleaned_data["kind"] if form.is_bound and valid else ""
    page = paginate(request, selectors.security_events(organisation=request.organisation, kind=kind), per_page=50)
    people = selectors.people_by_user(
        organisation=request.organisation, user_ids=[e.user_id for e in page if e.user_id]
    )
    rows = [(event, people.get(event.user_id)) for event in page]
    return render(
        request,
        "staff/audit/security_events.html",
        {"form": form, "page": page, "rows": rows, "kind": kind},
        status=200 if valid else 400,
    )


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: a forged or missing token. A Swedish 403 page and a security event."""
    staff = current_staff(request) if getattr(request, "user", None) and request.user.is_authenticated else None
    # Without RETURNING (security_event_write): under row-level security an anonymous visitor's row, of no
    # organisation, may be written but not read back.
    security_event_write(
        request,
        SecurityEvent.Kind.CSRF_FAILURE,
        status=403,
        organisation_id=staff.organisation_id if staff else None,
        user_id=request.user.pk if staff else None,
    )
    return render(request, "staff/audit/csrf_failure.html", status=403)
