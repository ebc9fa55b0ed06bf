from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staff.permissions import staff_required
from staff.platform import audit
from staff.platform.formtools import paginate
from staff.platform.tenancy import get_for_org

from .. import selectors, services
from ..models import Appointment
from .common import LADDER_VIEWERS


@staff_required(*LADDER_VIEWERS)
def appointments(request):
    org = request.organisation
    today = timezone.localdate()
    settings = selectors.ladder_settings(organisation=org)
    unit_ids = selectors.visible_unit_ids(access=request.access)
    page = paginate(request, selectors.appointments(organisation=org, unit_ids=unit_ids, on=today))
    audit.note(request, [appointment.staff for appointment in page])
    return render(
        request,
        "competence/appointments.html",
        {
            "page": page,
            "settings": settings,
            "in_use": selectors.ladder.appointments_active_on(organisation=org, on=today),
            "today": today,
            "managed": request.access.managed_unit_ids,
        },
    )


@require_POST
@staff_required()
def appointment_renew(request, pk: int):
    org = request.organisation
    appointment = get_for_org(Appointment.objects.select_related("staff"), organisation=org, pk=pk)
    if not selectors.may_assess(access=request.access, member=appointment.staff):
        raise PermissionDenied
    audit.note(request, appointment.staff)
    if request.POST.get("confirm") != "1":
        question = _("Do you really want to renew the appointment of %(name)s (now until %(end)s)?") % {
            "name": appointment.staff.full_name,
            "end": appointment.end,
        }
        context = {
            "title": _("Renew appointment"),
            "question": question,
            "confirm_label": _("Renew"),
            "cancel_url": reverse("competence:appointments"),
        }
        return render(request, "confirm.html", context)
    try:
        renewal = services.appointment_renew(organisation=org, appointment=appointment, by=request.get_staff())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The appointment of %(name)s is renewed until %(end)s.")
            % {"name": appointment.staff.full_name, "end": renewal.end},
        )
    return redirect("competence:appointments")
