"""Sign-in limits (issue 15, finding 12): a delay that doubles per username and client address, and a
rate of failures per client address across usernames. See docs/trust-signin.md.

- Username + address: the first LOGIN_FAILURE_LIMIT failures cost nothing; after that, the next attempt
  waits LOGIN_DELAY_MINUTES after the last failure, doubling with each further failure up to
  LOGIN_DELAY_MAX_MINUTES. An attempt during the wait is refused unchecked and not counted, so
  hammering does not extend it. A correct password after the wait signs in and forgets the failures;
  failures are also forgotten LOGIN_FAILURES_FORGOTTEN_HOURS after the last one.
- Address: LOGIN_ADDRESS_FAILURES failures within the last LOGIN_ADDRESS_WINDOW_MINUTES, whatever the
  usernames, refuse every sign-in from that address until the oldest leaves the window. A success does
  not reset it (one known password would otherwise reset a spray).

The address is staff.platform.middleware.client_address (TRUSTED_PROXIES), so nothing at one address ever limits
another. Failures are rows in the database, so every gunicorn worker sees the same counts, and a stopped
Redis does not switch the limits off. django-axes keeps recording attempts; its own lockout is off.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.dispatch import receiver
from django.utils import timezone

from staff.platform.middleware import client_address

LOCK_CLASS = 0x5354  # the first key of this module's advisory locks ('ST')


class SignInFailure(models.Model):
    """One failed sign-in: the username typed and the client's address, no password, no person."""

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=45)
    at = models.DateTimeField()

    class Meta:
        app_label = "staff"
        indexes = [
            models.Index(fields=["address", "at"], name="staff_signin_address_at"),
            models.Index(fields=["username", "address"], name="staff_signin_username_address"),
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.at:%Y-%m-%d %H:%M:%S}"


def _limits() -> tuple[int, int, float, float, float, int]:
    return (
        settings.AXES_FAILURE_LIMIT,
        settings.LOGIN_ADDRESS_FAILURES,
        settings.LOGIN_ADDRESS_WINDOW_MINUTES,
        settings.LOGIN_DELAY_MINUTES,
        settings.LOGIN_DELAY_MAX_MINUTES,
        settings.LOGIN_FAILURES_FORGOTTEN_HOURS,
    )


def _username(credentials: dict) -> str:
    return str(credentials.get("username") or "")[:150]


def _address(request) -> str:
    return (client_address(request) or "")[:45]


def wait_until(username: str, address: str, now: dt.datetime) -> dt.datetime | None:
    """When the next attempt for `username` from `address` may be made, or None when it may now."""
    limit, per_address, window, delay, maximum, forgotten = _limits()
    recent = SignInFailure.objects.filter(address=address, at__gt=now - dt.timedelta(minutes=window))
    newest = list(recent.order_by("-at").values_list("at", flat=True)[:per_address])
    if len(newest) >= per_address:  # allowed again when the per_address-th newest leaves the window
        return newest[-1] + dt.timedelta(minutes=window)
    mine = SignInFailure.objects.filter(
        username=username, address=address, at__gt=now - dt.timedelta(hours=forgotten)
    ).aggregate(count=models.Count("pk"), last=models.Max("at"))
    if mine["count"] < limit:
        return None
    wait = min(delay * 2 ** (mine["count"] - limit), maximum)
    until = mine["last"] + dt.timedelta(minutes=wait)
    return until if now < until else None


def _serialise(address: str) -> None:
    """Sign-ins from one address take turns (PostgreSQL advisory lock until the request's transaction,
    ATOMIC_REQUESTS, ends): otherwise simultaneous attempts would all be checked against the same count
    and slip past the limits together. Elsewhere (SQLite, outside a transaction) there is nothing to hold."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_CLASS, address])


class SignInLimitBackend:
    """First in AUTHENTICATION_BACKENDS: refuses, before any password is checked, an attempt that must
    wait. Django then sends user_login_failed; the flag keeps that refusal from being counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        address = _address(request)
        _serialise(address)
        if wait_until(str(username or "")[:150], address, timezone.now()) is not None:
            request.signin_refused = True
            request.axes_locked_out = True  # axes' middleware answers with the Swedish lockout page, 429
            raise PermissionDenied
        return None  # no get_user: this backend never signs anyone in (nor is chosen by force_login)


class EmploymentEndedBackend:
    """Before ModelBackend in AUTHENTICATION_BACKENDS: refuses the right password of a person whose employment
    has ended (StaffMember.has_left: from the day after the end date, in TIME_ZONE), whether or not the nightly
    job has switched their login off yet. The login page then says so (`request.employment_ended`, read by
    staff.forms.SignInForm) instead of "wrong password"; a wrong password gets the ordinary answer, so the
    message never tells a stranger who has left. Not a failure that counts towards the sign-in limits.
    No get_user: it never signs anyone in. Costs one or two queries and, only for a leaver, a password check."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from django.contrib.auth import get_user_model

        from staff.models import StaffMember
        from staff.platform import rls

        if request is None or username is None or password is None:
            return None
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            return None
        before = getattr(connection, rls.ATTRIBUTE, None)
        if rls.enabled():
            rls.activate_for_user(user.pk)  # row-level security hides the staff record until then
        try:
            member = StaffMember.objects.filter(user_id=user.pk).only("employment_end").first()
        finally:
            rls.activate(before)  # whatever organisation the request had (none, at a sign-in)
        if member is None or not member.has_left() or not user.check_password(password):
            return None
        request.employment_ended = True
        raise PermissionDenied


class SsoOnlyBackend:
    """Before ModelBackend: where the organisation signs in only through its identity provider
    (Organisation.sso_only, with a provider in use), the right password of anyone but a named break-glass
    account is refused, and the login page points to the organisation's sign-in (`request.sso_only`, read by
    staff.forms.SignInForm). A wrong password gets the ordinary answer. No get_user: it signs no one in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from django.contrib.auth import get_user_model

        from staff.models import StaffMember
        from staff.platform import rls
        from staff.sso.services import password_refusal_record, password_sign_in_refused

        if request is None or username is None or password is None:
            return None
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            return None
        before = getattr(connection, rls.ATTRIBUTE, None)
        if rls.enabled():
            rls.activate_for_user(user.pk)
        try:
            member = StaffMember.objects.filter(user_id=user.pk).select_related("organisation").first()
            if not password_sign_in_refused(member) or not user.check_password(password):
                return None
            # Recorded under the person's organisation, while row-level security is set to it.
            password_refusal_record(request, member, status=200)
        finally:
            rls.activate(before)
        request.sso_only = member.organisation
        raise PermissionDenied


@receiver(user_login_failed, dispatch_uid="staff.platform.signin_limits.failed")
def _record_failure(sender, credentials, request=None, **kwargs):
    if request is None or any(
        getattr(request, flag, False) for flag in ("signin_refused", "employment_ended", "sso_only")
    ):
        return
    now = timezone.now()
    username, address = _username(credentials), _address(request)
    SignInFailure.objects.create(username=username, address=address, at=now)
    if wait_until(username, address, now) is not None:
        request.axes_locked_out = True  # this failure starts a wait: say so now (the lockout page, 429)
    _purge(now)


@receiver(user_logged_in, dispatch_uid="staff.platform.signin_limits.logged_in")
def _forget_failures(sender, request, user, **kwargs):
    if request is None:
        return
    SignInFailure.objects.filter(username=user.get_username(), address=_address(request)).delete()
    _purge(timezone.now())


def _purge(now: dt.datetime) -> None:
    """Typed usernames are kept no longer than they count: at every sign-in, failed or not."""
    forgotten = settings.LOGIN_FAILURES_FORGOTTEN_HOURS
    window = settings.LOGIN_ADDRESS_WINDOW_MINUTES
    SignInFailure.objects.filter(at__lte=now - dt.timedelta(hours=max(forgotten, window / 60))).delete()
