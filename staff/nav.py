"""Foundation navigation and start pages by role."""

from django.urls import reverse
from django.utils.translation import gettext as _

from staff.help import help_url
from staff.models import Role
from staff.navigation import NavItem


def items(request):
    access = request.access
    result = [
        NavItem(_("My page"), reverse("staff:my_page"), order=90),
        NavItem(_("Notifications"), reverse("staff:notifications"), order=91),
        NavItem(_("Help"), help_url(request), order=99),
    ]
    for unit_id in sorted(access.managed_unit_ids | access.unit_ids_with(Role.ADMINISTRATOR)):
        result.append(NavItem(_("My unit"), reverse("staff:unit_detail", args=[unit_id]), order=20))
        break
    for department_id in sorted(access.department_ids)[:1]:
        result.append(NavItem(_("My department"), reverse("staff:department_detail", args=[department_id]), order=20))
    if access.has_any(Role.HR, Role.ORG_ADMIN):
        result.append(NavItem(_("Organisation"), reverse("staff:organisation_overview"), order=30))
    if access.has_any(Role.HR, Role.ORG_ADMIN) or access.managed_unit_ids:  # managers: the case import
        result.append(NavItem(_("Imports"), reverse("staff:imports"), order=94))
    if access.has_any(Role.HR, Role.ORG_ADMIN, Role.DEPARTMENT_HEAD):
        result.append(NavItem(_("API tokens"), reverse("staff:api_tokens"), order=96))
    if access.is_org_admin:
        result.append(NavItem(_("Administration"), reverse("staff:admin_staff_list"), order=95))
    if access.managed_unit_ids and not access.is_org_admin:  # org admins: a link on the Administration page
        result.append(NavItem(_("Access log"), reverse("staff:access_review"), order=97))
    return result


def start_page(request):
    access = request.access
    if access.is_org_admin:
        return (10, reverse("staff:admin_staff_list"))
    if access.is_hr:
        return (10, reverse("staff:organisation_overview"))
    if access.department_ids:
        return (10, reverse("staff:department_detail", args=[min(access.department_ids)]))
    units = access.managed_unit_ids | access.unit_ids_with(Role.ADMINISTRATOR)
    if units:
        return (10, reverse("staff:unit_detail", args=[min(units)]))
    return (1, reverse("staff:my_page"))
