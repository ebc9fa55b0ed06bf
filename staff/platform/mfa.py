"""Two-step sign-in (TOTP from an authenticator app, plus one-time recovery codes) with django-otp.

Required for managers, department heads, HR and organisation admins when their organisation says
so, and for anyone who has set it up. `session["mfa_device"]` remembers whether the user has a
confirmed device, so people without two-step sign-in cost no extra query per request; while it says
"no device" it is checked again every MFA_RECHECK_SECONDS, so a session signed in with the password
before the person set it up is asked for the second step within minutes.

The password alone never changes two-step sign-in: a first set-up is possible only for an account
with no confirmed device; replacing the app, new recovery codes and switching off need a session
that did the second step. A set-up's secret belongs to the session that opened it. Every change, and
every refused attempt, is a security event and a notification e-mailed to the person (never a code).
See docs/trust-signin.md.
"""

from __future__ import annotations

import base64
import secrets
import time
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import Role
from staff.permissions import current_staff
from staff.platform.audit.middleware import security_event_write
from staff.platform.audit.models import SecurityEvent
from staff.services import notify

MFA_ROLES = (Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER, Role.DEPARTMENT_HEAD, Role.HR, Role.ORG_ADMIN)
RECOVERY_CODES = 10
SESSION_KEY = "mfa_device"
CHECKED_AT_KEY = "mfa_checked_at"
SETUP_DEVICE_KEY = "mfa_setup_device"  # the unconfirmed device this session's set-up page shows
MFA_RECHECK_SECONDS = 300
SSO_TWO_STEP_KEY = "sso_two_step"  # staff.sso.adapter.SESSION_TWO_STEP_KEY
EXEMPT_PREFIXES = ("/accounts/mfa/", "/accounts/logout/", "/static/", "/i18n/", "/healthz", "/accessibility/")
Kind = SecurityEvent.Kind


def has_confirmed_device(user) -> bool:
    return any(True for _d in devices_for_user(user, confirmed=True))


def _remember_device(request, user) -> bool:
    request.session[SESSION_KEY] = found = has_confirmed_device(user)
    request.session[CHECKED_AT_KEY] = time.time()
    return found


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # login() keeps the session's data when the same person signs in again: an earlier sign-in's
        # "the provider did the second step" must not count for this one (staff.sso.adapter sets it after).
        request.session.pop(SSO_TWO_STEP_KEY, None)
        _remember_device(request, user)


def _session_has_device(request) -> bool:
    if request.session.get(SESSION_KEY):
        return True
    if time.time() - request.session.get(CHECKED_AT_KEY, 0) >= MFA_RECHECK_SECONDS:
        return _remember_device(request, request.user)
    return False


def mfa_required_for(request) -> bool:
    """The organisation requires it for the person's roles, or the person is a break-glass account of an
    organisation that signs in only through its identity provider (staff/sso/)."""
    staff = current_staff(request)
    if not staff:
        return False
    if staff.break_glass and staff.organisation.sso_only:
        return True
    return bool(staff.organisation.mfa_required and request.access.has_any(*MFA_ROLES))


def _verified(request) -> bool:
    """The second step is done: here (django-otp), or by the identity provider the session signed in through
    when its configuration says the provider asks for it (staff.sso.adapter)."""
    return request.user.is_verified() or bool(request.session.get(SSO_TWO_STEP_KEY))


def second_step_missing(request) -> bool:
    """True when this person must verify and this session has not: checked against the database, not the
    session's note (for what must never be done on the password alone, such as making an API token)."""
    user = request.user
    return not _verified(request) and (mfa_required_for(request) or has_confirmed_device(user))


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES):
            has_device = _session_has_device(request)
            if (has_device or mfa_required_for(request)) and not _verified(request):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "error": {
                                "code": "mfa_required",
                                "message": _("Two-step sign-in is required. Sign in again in the browser."),
                                "fields": {},
                            }
                        },
                        status=403,
                    )
                # Set up since this session looked (in another one)? Then verify, not set up.
                has_device = has_device or _remember_device(request, user)
                return redirect(_with_next("mfa_verify" if has_device else "mfa_setup", request.get_full_path()))
        return self.get_response(request)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=gettext_lazy("The six digits in your authenticator app, or one of your recovery codes."),
    )


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _next_url(request) -> str:
    """The page to go on to: a path on this site, or the start page (`redirect` would read `x` as a view name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return reverse("staff:start")
    return target


# What the person is told of each event: the subject and what happened. Never a code or a secret.
NOTICES = {
    Kind.MFA_ENROLLED: (
        gettext_lazy("Two-step sign-in was set up on your account"),
        gettext_lazy("Two-step sign-in with an authenticator app was set up on your Stabil account."),
    ),
    Kind.MFA_REPLACED: (
        gettext_lazy("Your authenticator app for Stabil was replaced"),
        gettext_lazy("A new authenticator app was set up for your Stabil account; the old one no longer works."),
    ),
    Kind.MFA_RECOVERY_CODES: (
        gettext_lazy("New recovery codes for Stabil"),
        gettext_lazy("New recovery codes were made for your Stabil account; the old ones no longer work."),
    ),
    Kind.MFA_DISABLED: (
        gettext_lazy("Two-step sign-in was switched off"),
        gettext_lazy("Two-step sign-in was switched off for your Stabil account."),
    ),
    Kind.MFA_RECOVERY_CODE_USED: (
        gettext_lazy("A recovery code was used to sign in"),
        gettext_lazy("Someone signed in to your Stabil account with one of your recovery codes."),
    ),
    Kind.MFA_REFUSED: (
        gettext_lazy("Refused: a change without the second step of sign-in"),
        gettext_lazy(
            "Someone signed in to your Stabil account with your password but without the code from your "
            "authenticator app, and tried to change your two-step sign-in or make an API token. It was "
            "refused; nothing was changed."
        ),
    ),
}


def record(request, kind: str, *, status: int) -> None:
    """A security event of this person's two-step sign-in, and a notification e-mailed to them.

    Refused attempts are e-mailed at most once an hour (the notification's key), so repeating them
    cannot flood the person's inbox; every one is a security event.
    """
    staff = current_staff(request)
    organisation_id = staff.organisation_id if staff else None
    security_event_write(request, kind, status=status, organisation_id=organisation_id, user_id=request.user.pk)
    if staff is None:
        return
    now = timezone.localtime()
    once = now.strftime("%Y%m%d%H") if kind == Kind.MFA_REFUSED else secrets.token_hex(8)
    subject, what = NOTICES[kind]
    when = formats.date_format(now, "DATETIME_FORMAT")
    body = _(
        "%(what)s (%(when)s)\n\nIf this was not you, change your password at once and tell your manager or "
        "your organisation's administrator."
    ) % {"what": what, "when": when}
    notify(
        organisation=staff.organisation,
        recipient=staff,
        key=f"mfa:{kind}:{staff.pk}:{once}",
        subject=str(subject),
        body=body,
        url=reverse("mfa_manage"),
    )


def _refuse(request, next_url: str):
    """An unverified session asked to change two-step sign-in: verify first (a POST is recorded)."""
    if request.method == "POST":
        record(request, Kind.MFA_REFUSED, status=302)
    messages.info(
        request, _("Type the code from your authenticator app, or a recovery code, to manage two-step sign-in.")
    )
    return redirect(_with_next("mfa_verify", next_url))


def _recovery_codes(user) -> tuple[StaticDevice, list[str]]:
    """New recovery codes on a new device: sessions that signed in with an old code must verify again."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [secrets.token_hex(5) for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return device, codes


def _setup_device(request) -> TOTPDevice:
    """This session's unconfirmed device; one another session left (an attacker's?) is never shown."""
    pk = request.session.get(SETUP_DEVICE_KEY)
    device = TOTPDevice.objects.filter(pk=pk, user=request.user, confirmed=False).first() if pk else None
    if device is None:
        stale = timezone.now() - timezone.timedelta(days=1)  # unfinished set-ups do not pile up
        TOTPDevice.objects.filter(user=request.user, confirmed=False, created_at__lt=stale).delete()
        device = TOTPDevice.objects.create(user=request.user, name="Stabil", confirmed=False)
        request.session[SETUP_DEVICE_KEY] = device.pk
    return device


def mfa_setup(request):
    """Scan the QR code, type a code to confirm; then the recovery codes are shown once.

    A first set-up on the password alone; replacing a confirmed app needs a verified session. The old
    app stays until the new one is confirmed.
    """
    if not request.user.is_authenticated:
        return redirect("login")
    user = request.user
    if has_confirmed_device(user) and not user.is_verified():
        return _refuse(request, reverse("mfa_setup") if request.method == "POST" else request.get_full_path())
    device = _setup_device(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # One set-up at a time per person: two sessions racing to confirm are taken in turn, and the
            # second finds a confirmed device (and must be verified) or its own device deleted.
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            replacing = has_confirmed_device(user)
            if replacing and not user.is_verified():
                return _refuse(request, reverse("mfa_setup"))
            device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
            if device is None:
                messages.error(request, _("This set-up was replaced by another one. Scan the new QR code."))
                return redirect(_with_next("mfa_setup", _next_url(request)))
            allowed, _why = device.verify_is_allowed()
            if not allowed:
                form.add_error("token", _("Too many wrong codes in a row. Wait a moment and try again."))
            elif device.verify_token(form.cleaned_data["token"].strip()):
                TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                request.session[SESSION_KEY] = True
                request.session.pop(SETUP_DEVICE_KEY, None)
                _static, codes = _recovery_codes(user)
                record(request, Kind.MFA_REPLACED if replacing else Kind.MFA_ENROLLED, status=200)
                return render(request, "staff/mfa_recovery.html", {"codes": codes, "next": _next_url(request)})
            else:
                form.add_error("token", _("The code is wrong or too old. Type the code your app shows now."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"))
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "staff/mfa_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret_b32, "next": _next_url(request)},
    )


def _match(user, token: str) -> tuple[object | None, bool]:
    """(the device that accepts the code, whether a device was throttled). Six digits are tried on the
    app, anything else as a recovery code, so a recovery code never counts as a wrong app code."""
    token = "".join(token.split())
    app = len(token) == 6 and token.isascii() and token.isdecimal()
    model = TOTPDevice if app else StaticDevice
    throttled = False
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, _why = device.verify_is_allowed()
            if not allowed:
                throttled = True
            elif device.verify_token(token if app else token.lower()):
                return device, False
    return None, throttled


def mfa_verify(request):
    if not request.user.is_authenticated:
        return redirect("login")
    if not has_confirmed_device(request.user):
        # Switched off in another session: nothing to verify (the middleware asks for a set-up if required).
        request.session[SESSION_KEY] = False
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, throttled = _match(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            request.session[SESSION_KEY] = True
            if isinstance(device, StaticDevice):
                record(request, Kind.MFA_RECOVERY_CODE_USED, status=302)
            return redirect(_next_url(request))
        if throttled:
            form.add_error("token", _("Too many wrong codes in a row. Wait a moment and try again."))
        else:
            form.add_error("token", _("The code is wrong or too old. Type the code your app shows now."))
    return render(request, "staff/mfa_verify.html", {"form": form, "next": _next_url(request)})


def mfa_manage(request):
    """My page's two-step section: set up, replace the app, new recovery codes, or switch off when not required.

    With a confirmed device, only a verified session sees or does any of it.
    """
    if not request.user.is_authenticated:
        return redirect("login")
    if current_staff(request) is None:
        raise PermissionDenied
    enabled = has_confirmed_device(request.user)
    if enabled and not request.user.is_verified():
        return _refuse(request, reverse("mfa_manage"))
    required = mfa_required_for(request)
    if request.method == "POST" and enabled:
        action = request.POST.get("action")
        if action == "codes":
            was_recovery = isinstance(request.user.otp_device, StaticDevice)
            device, codes = _recovery_codes(request.user)
            if was_recovery:  # this session signed in with an old code: it stays signed in
                otp_login(request, device)
            record(request, Kind.MFA_RECOVERY_CODES, status=200)
            return render(request, "staff/mfa_recovery.html", {"codes": codes, "next": reverse("mfa_manage")})
        if action == "disable":
            if required:
                messages.error(request, _("Your organisation requires two-step sign-in for your role."))
            else:
                for device in devices_for_user(request.user, confirmed=None):
                    device.delete()
                request.session[SESSION_KEY] = False
                record(request, Kind.MFA_DISABLED, status=302)
                messages.success(request, _("Two-step sign-in is switched off."))
            return redirect("mfa_manage")
    return render(request, "staff/mfa_manage.html", {"enabled": enabled, "required": required})


urlpatterns = [
    path("setup/", mfa_setup, name="mfa_setup"),
    path("verify/", mfa_verify, name="mfa_verify"),
    path("", mfa_manage, name="mfa_manage"),
]
