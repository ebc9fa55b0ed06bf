"""Attach the signed-in person's staff record, organisation and access to every request."""

import functools
import ipaddress
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from staff.access import Access
from staff.models import StaffMember
from staff.platform import rls


def _staff_for(request):
    user = request.user
    if not user.is_authenticated:
        return None
    # PostgreSQL: set the organisation first (row-level security hides the staff record until then).
    if rls.enabled() and rls.activate_for_user(user.pk) is None:
        return None
    return StaffMember.objects.select_related("organisation", "unit").filter(user_id=user.pk).first()


class TenantMiddleware:
    """The organisation of a request comes from the logged-in user, never from the URL or body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cache = {}

        def staff():
            if "staff" not in cache:
                cache["staff"] = _staff_for(request)
            return cache["staff"]

        request.get_staff = staff
        request.staff = SimpleLazyObject(staff)
        request.organisation = SimpleLazyObject(lambda: staff().organisation if staff() else None)
        request.access = SimpleLazyObject(lambda: Access.load(staff()) if staff() else None)
        rls.deactivate()  # never inherit an organisation, whatever happened before
        streaming = False
        try:
            response = self.get_response(request)
            streaming = response.streaming
            if streaming:  # the body is produced after this returns: reset when it is closed
                response._resource_closers.append(rls.deactivate)
            return response
        finally:
            if not streaming:
                rls.deactivate()


class LeaverSignOutMiddleware:
    """A session of a person whose employment has ended (StaffMember.has_left) is ended on its next request,
    before the nightly job has switched their login off: signed out and sent to the login page with a message
    (an API request gets 401 with the stable error body). After every signed-in request the session's key is
    recorded for its login if it is new (staff.platform.sessions.track), so that access_end can end it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth.views import redirect_to_login

        from staff.forms import ENDED_MESSAGE
        from staff.platform import sessions

        if request.user.is_authenticated:
            staff = request.get_staff()
            if staff is not None and staff.has_left(timezone.localdate()):
                logout(request)
                if request.path.startswith("/api/"):
                    error = {"code": "employment_ended", "message": str(ENDED_MESSAGE), "fields": {}}
                    return JsonResponse({"error": error}, status=401)
                messages.error(request, ENDED_MESSAGE)
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        sessions.track(request)
        return response


class IdleTimeoutMiddleware:
    """Sign a person out after their organisation's idle time (Organisation.idle_timeout_minutes).

    The session is renewed at most every RENEW_SECONDS and then expires the organisation's idle time
    after that renewal; saving on every request (SESSION_SAVE_EVERY_REQUEST) would cost a write per
    page view. People without a staff record keep SESSION_COOKIE_AGE.
    """

    RENEW_SECONDS = 300

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get("renewed_at", 0) > self.RENEW_SECONDS:
                request.session["renewed_at"] = now
                staff = request.get_staff()
                if staff is not None:
                    request.session.set_expiry(staff.organisation.idle_timeout_minutes * 60)
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """Every answer to a signed-in person (session or API token) is `Cache-Control: private, no-store`.

    Nearly every such page shows personal or case data; on a shared computer the back button after
    signing out must not bring a case or a survey answer back from the browser's cache. Static files
    never get here (WhiteNoise answers them earlier); a calendar app's token feed is not signed in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # DRF sets the token's user on the Django request
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
            response.headers.pop("Expires", None)
        return response


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's address, for the sign-in lockout (AXES_CLIENT_IP_CALLABLE) and the access log.

    REMOTE_ADDR, unless it is one of TRUSTED_PROXIES: then X-Forwarded-For is read from the right, past
    the trusted proxies, and the first address that is not one of them is the client (anything left of
    it, the client could have written). A malformed entry stops the walk at the last proxy. Without
    TRUSTED_PROXIES, ACCESS_LOG_TRUST_X_FORWARDED_FOR (deprecated) takes the last entry from anyone.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks:
        if forwarded and getattr(settings, "ACCESS_LOG_TRUST_X_FORWARDED_FOR", False):
            remote = _address(forwarded[-1]) or remote
        return str(remote) if remote else None
    client = remote
    for entry in reversed(forwarded):
        if client is None or not any(client in network for network in networks):
            break
        hop = _address(entry)
        if hop is None:
            break
        client = hop
    return str(client) if client else None
