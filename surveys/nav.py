"""Navigation: "Enkät" for case workers, "Enkätresultat" for managers, department heads and HR, "Handlingsplaner"
for unit managers and assistant managers."""

from django.urls import reverse
from django.utils.translation import gettext as _

from staff.navigation import NavItem

from .permissions import RESULT_VIEWERS


def items(request):
    access = request.access
    result = []
    if access.is_case_worker:
        result.append(NavItem(_("Survey"), reverse("surveys:my_survey"), order=60))
    if access.has_any(*RESULT_VIEWERS):
        result.append(NavItem(_("Survey results"), reverse("surveys:results"), order=61))
    if access.managed_unit_ids:  # a plan is read by the managers of its unit only
        result.append(NavItem(_("Action plans"), reverse("surveys:action_plans"), order=62))
    return result


def start_page(request):
    return None
