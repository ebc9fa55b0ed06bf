"""What the meeting pages share: the unit as the viewer may see it, its cycle settings, the meeting of the day."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from staff.models import CASE_WORKER_ROLES
from staff.selectors import unit_get

from .. import selectors, services
from ..models import CycleSettings


def _unit_for_viewer(request, pk):
    unit = unit_get(organisation=request.organisation, pk=pk)
    access = request.access
    if not (access.may_view_unit(unit) or unit.pk in access.unit_ids_with(*CASE_WORKER_ROLES)):
        raise PermissionDenied
    return unit


def _unit_for_manager(request, pk):
    unit = unit_get(organisation=request.organisation, pk=pk)
    if not request.access.manages_unit(unit.pk):
        raise PermissionDenied
    return unit


def _settings_or_404(request, unit) -> CycleSettings:
    settings = selectors.cycle_settings(organisation=request.organisation, unit=unit)
    if settings is None:
        raise Http404
    return settings


def _meeting(request, unit):
    """The cycle's meeting: its review forms and Friday wrap-up."""
    settings = _settings_or_404(request, unit)
    cycle = selectors.board_cycle(settings, timezone.localdate())
    meeting, _created = services.meeting_cycle_ensure(organisation=request.organisation, unit=unit, cycle=cycle)
    return meeting
