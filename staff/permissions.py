"""View guards. Every app view uses these: signed in, a staff record, and (optionally) a role."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def current_staff(request):
    """The StaffMember of the signed-in user, or None (anonymous, or a login with no staff record)."""
    getter = getattr(request, "get_staff", None)
    return getter() if getter else None


def require_staff(request, roles=None):
    """Raise PermissionDenied unless the user has a staff record and, if given, one of the roles."""
    staff = current_staff(request)
    if staff is None:
        raise PermissionDenied
    if roles and not request.access.has_any(*roles):
        raise PermissionDenied
    return staff


def staff_required(*roles):
    """Decorator for function views: signed in, a staff member, and one of `roles` when given."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_staff(request, roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class StaffRequiredMixin(LoginRequiredMixin):
    """Class-based views: set `allowed_roles` to limit the page to some roles."""

    allowed_roles: tuple[str, ...] | frozenset[str] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.staff = require_staff(request, self.allowed_roles)
        self.organisation = self.staff.organisation
        self.access = request.access
        return super().dispatch(request, *args, **kwargs)
