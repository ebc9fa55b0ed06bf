"""REST plumbing shared by every app: permission, pagination and one stable error shape.

Kept apart from views: DRF imports this module while loading its own settings.

Errors always look like {"error": {"code": "...", "message": "...", "fields": {...}}}.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from staff.permissions import current_staff


class IsStaffMember(permissions.BasePermission):
    """Signed in (session or token) and linked to a staff record of an organisation."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        staff = current_staff(request._request) if hasattr(request, "_request") else current_staff(request)
        if staff is None:
            return False
        roles = getattr(view, "allowed_roles", ())
        return not roles or request.access.has_any(*roles)


class FormatNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` is a bad parameter (400, stable body), not a missing page (DRF's 404)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = ", ".join(sorted({r.format for r in renderers}))
            raise exceptions.ValidationError(
                {"format": [_("Unknown format. Choose one of: %(formats)s.") % {"formats": formats}]}
            ) from None


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "permission_denied",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def _flatten(detail):
    if isinstance(detail, list):
        return [str(d) for d in detail]
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    return [str(detail)]


def error_handler(exc, context):
    from rest_framework.views import exception_handler  # late: rest_framework.views reads these settings

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("You do not have permission to do this."))
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = _CODES.get(response.status_code, "error")
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = _flatten(detail)
        message = _("The request has invalid values.")
    else:
        message = str(getattr(exc, "detail", "")) or _("The request failed.")
        code = getattr(getattr(exc, "detail", None), "code", None) or code
        if code in {"error", "not_found"} and response.status_code in _CODES:
            code = _CODES[response.status_code]
    body = {"error": {"code": code, "message": message, "fields": fields}}
    return Response(
        body,
        status=response.status_code,
        headers=getattr(response, "headers", None)
        and {k: v for k, v in response.headers.items() if k in {"WWW-Authenticate", "Retry-After", "Allow"}},
    )
