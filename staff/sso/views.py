"""The sign-in addresses of an organisation's identity provider. allauth's OpenID Connect and SAML views run
inside `_guarded`, which sets the organisation from the address (and row-level security with it) and turns
any failure into a refusal page and a security event."""

from __future__ import annotations

import functools
import logging

import jwt
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.socialaccount.providers.saml import views as saml_views
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from staff.models import Organisation
from staff.platform import rls
from staff.sso import services
from staff.sso.adapter import refuse
from staff.sso.models import EmailDomain, IdentityProvider

logger = logging.getLogger(__name__)
Reason = services.Reason


class StrictOidcAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, checking the ID token's signature also when it came straight from the
    token endpoint (the specification allows skipping it over TLS; Stabil does not)."""

    def _decode_id_token(self, app, id_token: str) -> dict:
        try:
            return jwtkit.verify_and_decode(
                credential=id_token,
                keys_url=self.openid_config["jwks_uri"],
                issuer=self.openid_config["issuer"],
                audience=app.client_id,
                lookup_kid=jwtkit.lookup_kid_jwk,
                verify_signature=True,
            )
        except (KeyError, ValueError) as exc:  # a header without `kid` or `alg`: not a token signed for us
            raise OAuth2Error("Invalid id_token") from jwt.DecodeError(f"ID token header: {exc}")


def _enter(request, slug: str) -> Organisation:
    """The organisation of the address; row-level security follows it. No claim ever chooses it."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404
    if rls.enabled():
        rls.activate(organisation.pk)
    request.sso_organisation = organisation
    return organisation


def _guarded(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        slug = kwargs.get("provider_id") or kwargs.get("organization_slug") or ""
        _enter(request, slug)
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except (SocialApp.DoesNotExist, Http404):
            raise Http404 from None
        except PermissionDenied:
            # allauth found no state of this browser's for the answer: used before, or started elsewhere.
            return refuse(request, Reason.REPLAY)
        except Exception:  # noqa: BLE001 - a provider's malformed answer is a refusal, never a 500
            logger.exception("sign-in through the identity provider failed")
            return refuse(request, Reason.PROVIDER_ERROR, status=400)

    return wrapper


def _post_only(view):
    """A provider's sign-in starts with a POST from Stabil's page (with its CSRF token); a GET shows the page.

    The way on to the provider is a page that goes there by itself, not a redirect: the CSP's `form-action
    'self'` also governs where a form's redirects lead, and the provider is another site."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        slug = kwargs.get("provider_id") or kwargs.get("organization_slug")
        if request.method != "POST":
            return redirect("sso_organisation", slug=slug)
        response = view(request, *args, **kwargs)
        target = response.get("Location", "") if response.status_code == 302 else ""
        if target.startswith(("https://", "http://")):
            return render(
                request, "staff/sso_leaving.html", {"target": target, "organisation": request.sso_organisation}
            )
        return response

    return wrapper


def _oidc(view_class):
    def view(request, provider_id):
        return view_class.adapter_view(StrictOidcAdapter(request, provider_id))(request)

    return view


oidc_login = never_cache(_post_only(_guarded(_oidc(OAuth2LoginView))))
oidc_callback = never_cache(_guarded(_oidc(OAuth2CallbackView)))
saml_login = never_cache(_post_only(_guarded(saml_views.login)))
SAML_RESPONSE_MAX = 256 * 1024  # a signed assertion is a few kilobytes; Entra's with many groups stays far below


def _acs_answer_first(view):
    """Only a POST that carries a SAML answer of sane size, to an organisation with SAML in use, reaches allauth's
    ACS, which keeps the whole request in a session row for the next step: anything else keeps nothing."""

    @functools.wraps(view)
    def wrapper(request, organization_slug):
        answer = request.POST.get("SAMLResponse", "") if request.method == "POST" else ""
        if not answer or len(answer) > SAML_RESPONSE_MAX:
            return refuse(request, Reason.PROVIDER_ERROR, status=400)
        if not IdentityProvider.objects.filter(
            organisation=request.sso_organisation, protocol=IdentityProvider.Protocol.SAML, enabled=True
        ).exists():
            raise Http404
        return view(request, organization_slug=organization_slug)

    return wrapper


saml_acs = never_cache(_guarded(_acs_answer_first(saml_views.acs)))
saml_acs.csrf_exempt = True  # the provider's form posts here from its own site; the response is signed
saml_finish_acs = never_cache(_guarded(saml_views.finish_acs))


@never_cache
def saml_sls(request, organization_slug: str):
    """Single logout is not offered (docs/sso.md): allauth's view would accept an unsigned LogoutRequest and
    sign the person out on any site's link. The address exists only because allauth names it in the metadata."""
    raise Http404


saml_metadata = _guarded(saml_views.metadata)


@never_cache
def organisation_sign_in(request, slug: str):
    """The organisation's own sign-in page: a button for each identity provider in use."""
    organisation = _enter(request, slug)
    providers = services.enabled_providers(organisation)
    buttons = [
        {
            "idp": idp,
            "url": reverse("openid_connect_login", kwargs={"provider_id": slug})
            if idp.protocol == IdentityProvider.Protocol.OIDC
            else reverse("saml_login", kwargs={"organization_slug": slug}),
        }
        for idp in providers
    ]
    return render(
        request,
        "staff/sso_sign_in.html",
        {"organisation": organisation, "buttons": buttons, "next": request.GET.get("next", "")},
        status=200 if buttons else 404,
    )


class FindForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Stabil finds your organisation's sign-in by the address's domain, e.g. stockholm.se."),
    )


@never_cache
def find_organisation(request):
    """ "Sign in with your organisation's account": the organisation found by a verified e-mail domain."""
    form = FindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        domain = form.cleaned_data["email"].rpartition("@")[2].casefold()
        organisation_id = rls.activate_for_email_domain(domain) if rls.enabled() else None
        found = EmailDomain.objects.filter(verified_domain=domain)
        if organisation_id is not None:
            found = found.filter(organisation_id=organisation_id)
        found = found.select_related("organisation").first()
        if found is not None and services.enabled_providers(found.organisation):
            return redirect("sso_organisation", slug=found.organisation.slug)
        form.add_error(
            "email",
            _("No organisation signs in with its own account for that address. Sign in with username and password."),
        )
    return render(request, "staff/sso_find.html", {"form": form}, status=400 if form.errors else 200)
