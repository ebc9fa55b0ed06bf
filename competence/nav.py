"""Ladder links: 'Kompetenstrappa' for managers, department heads and org admins; 'Min kompetenstrappa'
for social workers and specialists. The competence app takes over no start page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from staff.models import Role
from staff.navigation import NavItem

from .views.common import LADDER_VIEWERS


def items(request):
    access = request.access
    result = []
    if access.has_any(*LADDER_VIEWERS):
        result.append(NavItem(_("Competence ladder"), reverse("competence:overview"), order=40))
    elif access.has_any(Role.HR):
        result.append(NavItem(_("Supplements"), reverse("competence:supplements"), order=40))
    if access.has_any(Role.SOCIAL_WORKER, Role.SPECIALIST):
        result.append(NavItem(_("My competence ladder"), reverse("competence:my_ladder"), order=41))
    return result
