"""Caseload navigation: workers land on their caseload, managers on their unit's dashboard."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from staff.models import CASE_WORKER_ROLES
from staff.navigation import NavItem


def items(request):
    access = request.access
    result = []
    if access.is_case_worker:
        result.append(NavItem(_("My caseload"), reverse("caseload:my_caseload"), order=10))
    for unit_id in sorted(access.managed_unit_ids)[:1]:
        result.append(NavItem(_("Unit caseload"), reverse("caseload:unit_dashboard", args=[unit_id]), order=11))
    board_units = sorted(access.managed_unit_ids)[:1] or sorted(access.unit_ids_with(*CASE_WORKER_ROLES))[:1]
    for unit_id in board_units:
        result.append(NavItem(_("Allocation board"), reverse("caseload:board", args=[unit_id]), order=12))
    if access.is_org_admin:
        result.append(NavItem(_("Caseload settings"), reverse("caseload:settings"), order=96))
    return result


def start_page(request):
    access = request.access
    if access.managed_unit_ids:
        return (20, reverse("caseload:unit_dashboard", args=[min(access.managed_unit_ids)]))
    if access.has_any(*CASE_WORKER_ROLES):
        return (20, reverse("caseload:my_caseload"))
    return None


def unit_panels(request, unit):
    """The unit page's load against capacity: the one measure, as on the unit's dashboard."""
    from .selectors import unit_loads

    loads = unit_loads(organisation=request.organisation, unit=unit, today=timezone.localdate())
    return [{"template": "caseload/_unit_load_panel.html", "loads": loads, "unit": unit}] if loads else []


def leaver_page(request, member):
    """A person with an end date who still handles open cases: warned, and sent to hand them over."""
    from .selectors.handover import leaver_open_case_count

    count = leaver_open_case_count(member=member)
    if not count:
        return None
    warning = ngettext(
        "%(name)s still handles %(count)s open case. Hand it over before the last day: to its co-handler, or "
        "to a person you choose.",
        "%(name)s still handles %(count)s open cases. Hand them over before the last day: to each case's "
        "co-handler, or to people you choose.",
        count,
    ) % {"name": member.full_name, "count": count}
    return reverse("caseload:handover", args=[member.pk]), warning
