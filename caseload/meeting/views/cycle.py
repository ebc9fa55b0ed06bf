"""The unit's allocation cycle page and its calendar feed (iCalendar)."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caseload import trust
from staff.models import MANAGER_ROLES
from staff.permissions import staff_required
from staff.platform import audit, rls
from staff.platform.formtools import apply_errors
from staff.platform.history.display import history_for_request

from ...allocation.ical import render_cycles
from .. import selectors, services
from ..forms import CycleSettingsForm
from ..models import CycleSettings
from .common import _settings_or_404, _unit_for_manager, _unit_for_viewer

FEED_CYCLES_BACK, FEED_CYCLES_AHEAD = 2, 10


@staff_required()
def unit_cycle(request, pk: int):
    unit = _unit_for_viewer(request, pk)
    settings = selectors.cycle_settings(organisation=request.organisation, unit=unit)
    is_manager = request.access.manages_unit(unit.pk)
    initial = (
        {
            "anchor": settings.anchor,
            "period_weeks": settings.period_weeks,
            "review_reminder_days": settings.review_reminder_days,
        }
        if settings
        else {}
    )
    form = CycleSettingsForm(request.POST or None, initial=initial) if is_manager else None
    if request.method == "POST":
        if not is_manager:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.cycle_settings_save(
                    organisation=request.organisation, actor=request.get_staff(), unit=unit, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The cycle is saved."))
                return redirect("caseload:unit_cycle", unit.pk)
    today = timezone.localdate()
    context = {
        "unit": unit,
        "settings": settings,
        "form": form,
        "is_manager": is_manager,
        "history": history_for_request(request, trust.cycle_settings_history(unit)),
    }
    if settings is not None:
        current = settings.rules.cycle_on(today)
        follow_ups = selectors.cycle_follow_ups(organisation=request.organisation, unit=unit)
        # The acute reassignments name colleagues' cases and their handler changes: for those who may view
        # the unit only (a worker reads own cases, docs/caseload.md), and logged when shown.
        may_view = request.access.may_view_unit(unit)
        if may_view:
            audit.note(request, [e.case for f in follow_ups for e in f.acute_reassignments])
        context |= {
            "current": current,
            "phase": current.phase_on(today),
            "upcoming": [settings.rules.cycle(current.number + k) for k in range(1, 4)],
            "follow_ups": follow_ups,
            "show_reassignments": may_view,
            "feed_url": request.build_absolute_uri(reverse("caseload:unit_feed", args=[unit.pk])),
        }
        if is_manager:
            context["token_url"] = request.build_absolute_uri(
                reverse("caseload:token_feed", args=[unit.pk, settings.feed_token])
            )
    return render(request, "caseload/meeting/cycle.html", context)


@require_POST
@staff_required(*MANAGER_ROLES)
def feed_token_regenerate(request, pk: int):
    unit = _unit_for_manager(request, pk)
    settings = _settings_or_404(request, unit)
    services.feed_token_regenerate(organisation=request.organisation, actor=request.get_staff(), settings=settings)
    messages.success(request, _("A new calendar address is made. The old one no longer works."))
    return redirect("caseload:unit_cycle", unit.pk)


def _feed_response(settings: CycleSettings) -> HttpResponse:
    today = timezone.localdate()
    current = settings.rules.number_on(today)
    cycles = [settings.rules.cycle(n) for n in range(current - FEED_CYCLES_BACK, current + FEED_CYCLES_AHEAD)]
    body = render_cycles(
        cycles,
        scope=f"org-{settings.organisation_id}-unit-{settings.unit_id}",
        calendar_name=f"{settings.unit.name}: fördelning",
        stamp=settings.updated_at,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="fordelning.ics"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_required()
def unit_feed(request, pk: int):
    unit = _unit_for_viewer(request, pk)
    return _feed_response(_settings_or_404(request, unit))


def token_feed(request, unit: int, token: str):
    """For calendar apps, which cannot sign in: the secret token in the address is the authentication."""
    rls.activate_for_unit(unit)  # no one signed in: row-level security needs the unit's organisation
    settings = CycleSettings.objects.select_related("unit").filter(unit_id=unit).first()
    if settings is None or not secrets.compare_digest(settings.feed_token.encode(), token.encode()):
        raise Http404
    return _feed_response(settings)
