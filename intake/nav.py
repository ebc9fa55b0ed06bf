"""Intake navigation: the queue for everyone in an intake unit; administrators start there."""

from django.urls import reverse
from django.utils.translation import gettext as _

from staff.models import Role, Unit
from staff.navigation import NavItem


def _in_intake(request) -> bool:
    unit_ids = {u for _r, u in request.access.unit_roles}
    return bool(unit_ids) and Unit.objects.filter(pk__in=unit_ids, kind=Unit.Kind.INTAKE).exists()


def items(request):
    if request.access.is_org_admin or _in_intake(request):
        return [NavItem(_("Intake queue"), reverse("intake:queue"), order=12)]
    return []


def start_page(request):
    if Role.ADMINISTRATOR in request.access.roles and _in_intake(request):
        return (20, reverse("intake:queue"))
    return None
