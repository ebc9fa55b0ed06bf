"""Navigation: the retention page for organisation admins."""

from django.urls import reverse
from django.utils.translation import gettext as _

from staff.navigation import NavItem


def items(request):
    if request.access.is_org_admin:
        return [NavItem(_("Retention"), reverse("retention:settings"), order=97)]
    return []
