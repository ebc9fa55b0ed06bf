"""Two-step sign-in (TOTP from an authenticator app, plus one-time recovery codes) with django-otp.

Required for managers, department heads, HR and organisation admins when their organisation says
so, and for anyone who has set it up. `session["mfa_device"]` remembers at sign-in whether the user
has a confirmed device, so people without two-step sign-in cost no extra query per request.
"""

from __future__ import annotations

import base64
import secrets

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role
from .permissions import current_staff

MFA_ROLES = (Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER, Role.DEPARTMENT_HEAD, Role.HR, Role.ORG_ADMIN)
RECOVERY_CODES = 10
SESSION_KEY = "mfa_device"
EXEMPT_PREFIXES = ("/accounts/mfa/", "/accounts/logout/", "/static/", "/i18n/", "/healthz", "/accessibility/")


def has_confirmed_device(user) -> bool:
    return any(True for _d in devices_for_user(user, confirmed=True))


@receiver(user_logged_in)
def _remember_device(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = has_confirmed_device(user)


def mfa_required_for(request) -> bool:
    staff = current_staff(request)
    return bool(staff and staff.organisation.mfa_required and request.access.has_any(*MFA_ROLES))


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES):
            has_device = request.session.get(SESSION_KEY, False)
            if (has_device or mfa_required_for(request)) and not user.is_verified():
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
                target = "mfa_verify" if has_device else "mfa_setup"
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=gettext_lazy("The six digits in your authenticator app, or one of your recovery codes."),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("staff:start")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return reverse("staff:start")
    return target


def _recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def mfa_setup(request):
    """Scan the QR code, type a code to confirm; then the recovery codes are shown once."""
    if not request.user.is_authenticated:
        return redirect("login")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
        user=request.user, name="Stabil", confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes in a row. Wait a moment and try again."))
        elif device.verify_token(form.cleaned_data["token"].strip()):
            TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session[SESSION_KEY] = True
            codes = _recovery_codes(request.user)
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


def mfa_verify(request):
    if not request.user.is_authenticated:
        return redirect("login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("The code is wrong or too old. Type the code your app shows now."))
    return render(request, "staff/mfa_verify.html", {"form": form, "next": _next_url(request)})


def mfa_manage(request):
    """My page's two-step section: set up, new recovery codes, or switch off when not required."""
    if not request.user.is_authenticated:
        return redirect("login")
    if current_staff(request) is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    enabled = has_confirmed_device(request.user)
    required = mfa_required_for(request)
    if request.method == "POST" and enabled:
        action = request.POST.get("action")
        if action == "codes":
            codes = _recovery_codes(request.user)
            return render(request, "staff/mfa_recovery.html", {"codes": codes, "next": reverse("mfa_manage")})
        if action == "disable":
            if required:
                messages.error(request, _("Your organisation requires two-step sign-in for your role."))
            else:
                for device in devices_for_user(request.user, confirmed=None):
                    device.delete()
                request.session[SESSION_KEY] = False
                messages.success(request, _("Two-step sign-in is switched off."))
            return redirect("mfa_manage")
    return render(request, "staff/mfa_manage.html", {"enabled": enabled, "required": required})


urlpatterns = [
    path("setup/", mfa_setup, name="mfa_setup"),
    path("verify/", mfa_verify, name="mfa_verify"),
    path("", mfa_manage, name="mfa_manage"),
]
