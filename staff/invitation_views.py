"""The invitation link: the invited person chooses their first password and is signed in.

No one is signed in here: the token in the address is the authentication. Only its hash is looked up (under
row-level security, after setting the organisation the hash belongs to). A link that no longer works, or never
did, is a plain page and a security event, never an error. See docs/trust-signin.md.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from staff import services
from staff.models import Invitation
from staff.platform import rls
from staff.platform.audit.middleware import security_event_write
from staff.platform.audit.models import SecurityEvent
from staff.platform.authentication import hash_key
from staff.selectors import invitation_by_token
from staff.sso.services import password_refusal_record, password_sign_in_refused

TOKEN_MAX_LENGTH = 100  # ours are 43 characters; anything much longer is not one of them
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _usable(invitation: Invitation | None) -> bool:
    return invitation is not None and services.invitation_usable(invitation)


def _refused(request, invitation: Invitation | None):
    """404 for a token that never existed, 410 for one that did and no longer works; both a security event."""
    status = 404 if invitation is None else 410
    security_event_write(
        request,
        SecurityEvent.Kind.INVITATION_REFUSED,
        status=status,
        organisation_id=invitation.organisation_id if invitation else None,
        user_id=invitation.staff.user_id if invitation else None,
    )
    return render(request, "staff/invitation_invalid.html", status=status)


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def invitation_accept(request, token: str):
    invitation = None
    if len(token) <= TOKEN_MAX_LENGTH:
        if rls.enabled():
            rls.activate_for_invitation(hash_key(token))
        invitation = invitation_by_token(token)
    if not _usable(invitation):
        return _refused(request, invitation)
    user = invitation.staff.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(invitation=invitation, password=form.cleaned_data["new_password1"])
        except services.InvitationInvalid:
            return _refused(request, invitation)
        member = invitation.staff
        if password_sign_in_refused(member):
            # The organisation signs in only through its provider: the password is not a way in here either.
            password_refusal_record(request, member, status=302)
            messages.info(
                request,
                _("%(organisation)s signs in with its own account, not with a password. Sign in here.")
                % {"organisation": member.organisation.name},
            )
            return redirect("sso_organisation", slug=member.organisation.slug)
        # Signed in as the person: the start page, or first the two-step set-up where it is required
        # (staff.platform.mfa.MfaRequiredMiddleware on the next request).
        login(request, user, backend=BACKEND)
        return redirect("staff:start")
    return render(
        request,
        "staff/invitation_accept.html",
        {"form": form, "member": invitation.staff, "username": user.get_username()},
    )


urlpatterns = [
    path("<str:token>/", invitation_accept, name="invitation_accept"),
]
