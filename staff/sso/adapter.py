"""django-allauth's social-account adapter for Stabil: the apps come from the organisation in the address, the
person is signed in by Stabil, and every refusal is a security event and a plain page.

allauth verifies the protocol: an OpenID Connect ID token's signature (always, see staff.sso.views), issuer,
audience, expiry and one use of the state; a SAML response's signature, audience, issuer, time window,
destination and that it answers a request this browser started. See docs/sso.md."""

from __future__ import annotations

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from staff.platform import mfa
from staff.platform.audit.models import SecurityEvent
from staff.sso import services
from staff.sso.models import IdentityProvider

logger = logging.getLogger(__name__)
Kind, Reason = SecurityEvent.Kind, SecurityEvent.Reason
BACKEND = "django.contrib.auth.backends.ModelBackend"
SESSION_PROVIDER_KEY = "sso_provider"  # the IdentityProvider a session signed in through
SESSION_TWO_STEP_KEY = mfa.SSO_TWO_STEP_KEY  # True: the provider did the second step


def _saml_idp_settings(idp: IdentityProvider) -> dict:
    if idp.metadata_url:
        return {"entity_id": idp.entity_id, "metadata_url": idp.metadata_url, "metadata_request_timeout": 10}
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    parsed = OneLogin_Saml2_IdPMetadataParser.parse(idp.metadata_xml, entity_id=idp.entity_id or None)["idp"]
    cert = parsed.get("x509cert") or (parsed.get("x509certMulti", {}).get("signing") or [""])[0]
    return {"entity_id": parsed["entityId"], "x509cert": cert, "sso_url": parsed["singleSignOnService"]["url"]}


def social_app(idp: IdentityProvider) -> SocialApp:
    """The allauth app of a configuration, built in memory (allauth's SocialApp table stays empty)."""
    slug = idp.organisation.slug
    if idp.protocol == IdentityProvider.Protocol.OIDC:
        return SocialApp(
            provider="openid_connect",
            provider_id=slug,
            name=idp.display_name,
            client_id=idp.client_id,
            secret=services.client_secret(idp),
            settings={
                "server_url": idp.metadata_url,
                "uid_field": idp.uid_claim or "sub",
                "oauth_pkce_enabled": True,
                "scope": ["openid", "email", "profile"],
            },
        )
    mapping = {"email": [idp.email_claim]} if idp.email_claim else {}
    if idp.uid_claim:
        mapping["uid"] = [idp.uid_claim]
    return SocialApp(
        provider="saml",
        provider_id=slug,
        name=idp.display_name,
        client_id=slug,
        settings={
            "idp": _saml_idp_settings(idp),
            "attribute_mapping": mapping,
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "reject_idp_initiated_sso": True,
                "allow_single_label_domains": True,  # `localhost` in a local demo
            },
        },
    )


def refuse(request, reason: str, *, status: int = 403, user_id: int | None = None):
    """Record the refusal and answer with the plain page (never a stack trace)."""
    from staff.platform.audit.middleware import security_event_write

    idp = getattr(request, "sso_identity_provider", None)
    organisation = getattr(request, "sso_organisation", None)
    security_event_write(
        request,
        Kind.SSO_REFUSED,
        status=status,
        organisation_id=organisation.pk if organisation else None,
        user_id=user_id,
        reason=reason,
        by_label=idp.display_name if idp else "",
    )
    return render(
        request,
        "staff/sso_refused.html",
        {"reason": reason, "reason_text": Reason(reason).label, "organisation": organisation},
        status=status,
    )


def classify(exception=None, extra_context=None) -> str:
    """Which SecurityEvent.Reason a protocol failure is: read from the exception chain (PyJWT's error under
    allauth's OAuth2Error) or from python3-saml's error reason."""
    import jwt

    extra_context = extra_context or {}
    seen = exception
    while seen is not None:
        if isinstance(seen, jwt.InvalidAudienceError):
            return Reason.AUDIENCE
        if isinstance(seen, jwt.InvalidIssuerError):
            return Reason.ISSUER
        if isinstance(seen, (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError, jwt.InvalidIssuedAtError)):
            return Reason.TIME_WINDOW
        if isinstance(seen, (jwt.InvalidSignatureError, jwt.DecodeError, jwt.InvalidAlgorithmError)):
            return Reason.SIGNATURE
        if isinstance(seen, jwt.InvalidKeyError):
            return Reason.SIGNATURE
        if "already used" in str(seen) or "Invalid 'kid'" in str(seen):
            return Reason.REPLAY if "already used" in str(seen) else Reason.SIGNATURE
        seen = seen.__cause__ or seen.__context__
    text = " ".join([*(extra_context.get("saml_errors") or []), str(extra_context.get("saml_last_error_reason", ""))])
    lowered = text.casefold()
    if lowered.strip():
        if "signature" in lowered or "signed" in lowered or "reference validation" in lowered:
            return Reason.SIGNATURE
        if "audience" in lowered:
            return Reason.AUDIENCE
        if "issuer" in lowered:
            return Reason.ISSUER
        if "expired" in lowered or "notonorafter" in lowered or "notbefore" in lowered or "timing" in lowered:
            return Reason.TIME_WINDOW
        if "inresponseto" in lowered:
            return Reason.REPLAY
        return Reason.PROVIDER_ERROR
    if exception is None and ("state_id" in extra_context or extra_context.get("callback_view") is None):
        # No state of this browser's: the answer was used before, started elsewhere, or unasked for.
        return Reason.REPLAY
    return Reason.PROVIDER_ERROR


class SsoAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """Only the configuration of the organisation in the address (staff.sso.views sets it), in use."""
        organisation = getattr(request, "sso_organisation", None) if request is not None else None
        if organisation is None:
            return []
        if provider == "saml":
            protocol, slug = IdentityProvider.Protocol.SAML, client_id
        elif provider and provider not in ("openid_connect",):
            protocol, slug = IdentityProvider.Protocol.OIDC, provider
        else:
            return []
        if slug != organisation.slug:
            return []
        idp = (
            IdentityProvider.objects.filter(organisation=organisation, protocol=protocol, enabled=True)
            .select_related("organisation")
            .first()
        )
        if idp is None:
            return []
        request.sso_identity_provider = idp
        return [social_app(idp)]

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False  # never allauth's sign-up: Stabil finds or makes the staff record itself

    def pre_social_login(self, request, sociallogin) -> None:
        idp: IdentityProvider = request.sso_identity_provider
        claims = services.claims_from(idp.protocol, sociallogin.account.uid, sociallogin.account.extra_data or {})
        try:
            user = services.person_for_sign_in(idp=idp, claims=claims)
        except services.SignInRefused as refused:
            raise ImmediateHttpResponse(refuse(request, refused.reason, user_id=refused.user_id)) from None
        login(request, user, backend=BACKEND)
        request.session[SESSION_PROVIDER_KEY] = idp.pk
        request.session[SESSION_TWO_STEP_KEY] = bool(idp.provider_two_step)
        from staff.platform.audit.middleware import security_event_write

        security_event_write(
            request,
            Kind.SSO_SIGNED_IN,
            status=302,
            organisation_id=idp.organisation_id,
            user_id=user.pk,
            by_label=idp.display_name,
        )
        target = (sociallogin.state or {}).get("next") or ""
        if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = "staff:start"
        raise ImmediateHttpResponse(redirect(target))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        reason = classify(exception, extra_context)
        logger.info("sign-in through the identity provider refused: %s (%s)", reason, exception or error)
        raise ImmediateHttpResponse(refuse(request, reason))
