"""The link in the e-mail that verifies an organisation's e-mail domain: whoever reads mail at the domain opens
it and confirms with a button. No one need be signed in: the token in the address is the authentication. Only
its hash is looked up (under row-level security, after setting the organisation the hash belongs to). A link
that no longer works, or never did, is a plain page, never an error."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from staff.platform.audit.middleware import security_event_write
from staff.platform.audit.models import SecurityEvent
from staff.sso import admin_services

TOKEN_MAX_LENGTH = 100  # ours are 43 characters; anything much longer is not one of them


def _invalid(request, email_domain):
    """404 for a token that never existed, 410 for one that did and no longer works."""
    status = 404 if email_domain is None else 410
    return render(request, "staff/sso/domain_invalid.html", status=status)


@never_cache
def domain_verify(request, token: str):
    email_domain = admin_services.email_domain_by_token(token) if len(token) <= TOKEN_MAX_LENGTH else None
    if email_domain is None or not admin_services.verification_usable(email_domain):
        return _invalid(request, email_domain)
    context = {"email_domain": email_domain, "organisation": email_domain.organisation}
    if request.method != "POST":
        return render(request, "staff/sso/domain_confirm.html", context)
    try:
        verified = admin_services.email_domain_verify(email_domain=email_domain)
    except admin_services.DomainTakenError:
        return render(request, "staff/sso/domain_taken.html", context, status=409)
    if not verified:
        return _invalid(request, email_domain)
    security_event_write(
        request,
        SecurityEvent.Kind.SSO_CONFIGURED,
        status=200,
        organisation_id=email_domain.organisation_id,
        by_label=f"e-mail domain verified: {email_domain.domain}"[:100],
    )
    return render(request, "staff/sso/domain_verified.html", context)
