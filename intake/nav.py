"""Intake navigation: the queue for everyone in an intake unit; administrators start there."""

from django.urls import reverse
from django.utils.translation import gettext as _

from staff.models import Role, Unit
from staff.navigation import NavItem


def _in_intake(request) -> bool:
    # The units' kinds come with the role assignments (staff.access): no query of its own on every page.
    return Unit.Kind.INTAKE in request.access.unit_kind.values()


def items(request):
    if request.access.is_org_admin or _in_intake(request):
        return [NavItem(_("Intake queue"), reverse("intake:queue"), order=12)]
    return []


def start_page(request):
    if Role.ADMINISTRATOR in request.access.roles and _in_intake(request):
        return (20, reverse("intake:queue"))
    return None
