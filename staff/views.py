"""Foundation pages: start redirect, my page, unit, department and organisation overviews, health."""

from __future__ import annotations

from django.contrib import messages
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from staff.absences.selectors import may_manage_unit
from staff.models import Department, GroupMembership, Role
from staff.navigation import start_url, unit_panels
from staff.permissions import staff_required
from staff.platform import audit
from staff.selectors import (
    department_get,
    organisation_structure,
    span_of_control,
    unit_get,
    unit_staff,
)

ORGANISATION_VIEWERS = (Role.HR, Role.ORG_ADMIN)


@staff_required()
def start(request):
    """Each role lands on its own start page (contributed by the apps' nav modules)."""
    url = start_url(request)
    if url is None:
        messages.info(request, _("You have no role yet. Ask your organisation admin to give you one."))
        return redirect("staff:my_page")
    return redirect(url)


@staff_required()
def my_page(request):
    staff = request.get_staff()
    memberships = GroupMembership.objects.filter(organisation=staff.organisation, staff=staff).select_related(
        "group", "group__unit"
    )
    roles = staff.roles.select_related("unit", "department")
    return render(
        request,
        "staff/my_page.html",
        {"member": staff, "memberships": memberships, "roles": roles},
    )


@staff_required()
def unit_detail(request, pk: int):
    unit = unit_get(organisation=request.organisation, pk=pk)
    if not request.access.may_view_unit(unit):
        # A unit of one's own organisation that one may not see: refused, not hidden.
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    people = unit_staff(unit=unit)
    context = {
        "unit": unit,
        "people": people,
        "span": span_of_control(unit=unit),
        "groups": unit.groups.all(),
        "may_manage_absences": may_manage_unit(access=request.access, unit=unit),
    }
    return render(request, "staff/unit_detail.html", context | {"panels": unit_panels(request, unit)})


@staff_required()
def department_detail(request, pk: int):
    department = department_get(organisation=request.organisation, pk=pk)
    if not request.access.may_view_department(department):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    structure = organisation_structure(
        organisation=request.organisation,
        departments=Department.objects.filter(organisation=request.organisation, pk=department.pk),
    )
    return render(request, "staff/department_detail.html", {"department": department, "structure": structure})


@staff_required(*ORGANISATION_VIEWERS)
def organisation_overview(request):
    structure = organisation_structure(organisation=request.organisation)
    return render(request, "staff/organisation_overview.html", {"structure": structure})


@require_GET
def accessibility_statement(request):
    """Tillgänglighetsredogörelse, open without signing in (lag 2018:1937)."""
    staff = request.get_staff()
    return render(request, "staff/accessibility.html", {"organisation": staff.organisation if staff else None})


@require_GET
@never_cache
def healthz(request):
    """Database and broker status as JSON: 200 when both answer, 503 otherwise."""
    from staff.platform.health import broker_status

    status = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not ok"; details stay in the log
        status["database"] = "unavailable"
    status["broker"] = broker_status()
    healthy = all(v == "ok" for v in status.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **status}, status=200 if healthy else 503)


@staff_required()
def notifications(request):
    from staff.models import Notification
    from staff.platform.formtools import paginate
    from staff.services import notification_mark_read

    staff = request.get_staff()
    if request.method == "POST":
        pk = request.POST.get("pk")
        notification_mark_read(
            organisation=request.organisation,
            recipient=staff,
            pk=int(pk) if pk and pk.isascii() and pk.isdecimal() else None,
        )
        return redirect("staff:notifications")
    page = paginate(request, Notification.objects.filter(organisation=request.organisation, recipient=staff))
    audit.note(request, [tuple(ref) for n in page for ref in n.case_refs], kind="case")  # the case numbers shown
    return render(request, "staff/notifications.html", {"page": page})
