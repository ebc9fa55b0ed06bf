"""The organisation admin's page "Sign-in through the identity provider" (/admin/sso/): the OpenID Connect and
SAML configuration (the client secret is never shown again), the addresses to give the provider, "sign in only
through the identity provider" with its break-glass people, and the e-mail domains with their verification
e-mail. Also the break-glass switch on a person's page. See docs/sso.md."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from staff.models import Role
from staff.permissions import staff_required
from staff.platform import audit
from staff.platform.audit.middleware import security_event_write
from staff.platform.audit.models import SecurityEvent
from staff.platform.formtools import apply_errors, confirm_page
from staff.platform.tenancy import get_for_org
from staff.selectors import staff_get
from staff.sso import admin_services
from staff.sso.models import EmailDomain, IdentityProvider

admin_required = staff_required(Role.ORG_ADMIN)
Protocol = IdentityProvider.Protocol

METADATA_MAX_BYTES = 1024 * 1024
CLAIMS = ["uid_claim", "email_claim", "employee_number_claim", "given_name_claim", "family_name_claim"]
CHOICES = ["match_by", "jit_accounts", "provider_two_step"]


class OidcForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=gettext_lazy("Client secret"),
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "The secret the provider gave Stabil with the client id. It is stored encrypted and never shown "
            "again: leave the field empty to keep the stored secret, type a new one to replace it."
        ),
    )

    class Meta:
        model = IdentityProvider
        fields = ["display_name", "enabled", "metadata_url", "client_id", *CLAIMS, *CHOICES]
        help_texts = {
            "client_id": gettext_lazy("The application (client) id the provider gave Stabil when it was registered."),
        }

    field_order = ["display_name", "enabled", "metadata_url", "client_id", "client_secret", *CLAIMS, *CHOICES]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("client_secret") and not self.instance.client_secret_encrypted:
            self.add_error("client_secret", _("Give the client secret the provider gave Stabil."))
        return cleaned


class SamlForm(forms.ModelForm):
    metadata_file = forms.FileField(
        label=gettext_lazy("Upload the identity provider's metadata file"),
        required=False,
        help_text=gettext_lazy(
            "The provider's SAML metadata (an XML file, at most 1 MB), instead of the metadata address. The "
            "entity id is read from it."
        ),
    )

    class Meta:
        model = IdentityProvider
        fields = ["display_name", "enabled", "metadata_url", "entity_id", *CLAIMS, *CHOICES]
        help_texts = {
            "entity_id": gettext_lazy(
                "With a metadata address: type the provider's entity id. It is the entityID of the metadata's "
                "EntityDescriptor; in Entra ID it is called 'Microsoft Entra Identifier', in AD FS 'Federation "
                "Service Identifier'. With an uploaded file it is read from the file."
            ),
        }

    field_order = ["display_name", "enabled", "metadata_url", "metadata_file", "entity_id", *CLAIMS, *CHOICES]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metadata_file"].widget.attrs["accept"] = ".xml,application/xml,application/samlmetadata+xml"

    def clean_metadata_file(self):
        upload = self.cleaned_data.get("metadata_file")
        if not upload:
            return None
        if upload.size > METADATA_MAX_BYTES:
            raise ValidationError(_("The file is larger than 1 MB: a metadata file is much smaller."))
        data = upload.read()
        from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

        try:
            parsed = OneLogin_Saml2_IdPMetadataParser.parse(data).get("idp", {})
        except Exception:  # noqa: BLE001 - not XML, forbidden DTD or entities: all are "not metadata"
            parsed = {}
        has_cert = parsed.get("x509cert") or parsed.get("x509certMulti", {}).get("signing")
        if not (parsed.get("entityId") and parsed.get("singleSignOnService", {}).get("url") and has_cert):
            raise ValidationError(
                _(
                    "The file is not an identity provider's SAML metadata: it needs an EntityDescriptor with an "
                    "IDPSSODescriptor, a sign-in address (SingleSignOnService, HTTP-Redirect) and a signing "
                    "certificate."
                )
            )
        return {"xml": data.decode("utf-8", errors="replace"), "entity_id": parsed["entityId"][:500]}

    def clean(self):
        cleaned = super().clean()
        metadata = cleaned.get("metadata_file")
        if metadata:
            cleaned["entity_id"] = metadata["entity_id"]
            self.instance.metadata_xml = metadata["xml"]
        elif self.instance.metadata_xml and not cleaned.get("metadata_url"):
            cleaned["entity_id"] = self.instance.entity_id  # the stored file's, which it was read from
        elif cleaned.get("metadata_url") and not cleaned.get("entity_id"):
            self.add_error("entity_id", _("Give the provider's entity id: Stabil checks the metadata against it."))
        return cleaned


FORMS = {Protocol.OIDC: OidcForm, Protocol.SAML: SamlForm}


class SsoOnlyForm(forms.Form):
    sso_only = forms.BooleanField(
        label=gettext_lazy("Sign in only through the identity provider"),
        required=False,
        help_text=gettext_lazy(
            "Password sign-in is then refused for the organisation's people, except for the break-glass people "
            "below, who must use two-step sign-in. Needs an identity provider in use and at least one "
            "break-glass organisation admin with an active login."
        ),
    )


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=gettext_lazy("E-mail domain"),
        max_length=admin_services.DOMAIN_MAX_LENGTH,
        help_text=gettext_lazy("The part after '@' in the people's work addresses, e.g. stockholm.se."),
    )

    def clean_domain(self):
        return admin_services.normalise_domain(self.cleaned_data["domain"])


class VerificationForm(forms.Form):
    domain = forms.ModelChoiceField(label=gettext_lazy("Domain"), queryset=EmailDomain.objects.none())
    email = forms.EmailField(
        label=gettext_lazy("Send the link to"),
        max_length=254,
        help_text=gettext_lazy(
            "An address at the domain that someone in the organisation reads, e.g. it@stockholm.se. Opening "
            "the link shows that the domain is the organisation's."
        ),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = EmailDomain.objects.filter(organisation=organisation, verified_at=None)


def _provider(org, protocol: str) -> IdentityProvider:
    found = IdentityProvider.objects.filter(organisation=org, protocol=protocol).first()
    return found or IdentityProvider(organisation=org, protocol=protocol)


def _provider_form(request, protocol: str, data=None, files=None):
    idp = _provider(request.organisation, protocol)
    return FORMS[protocol](data, files, instance=idp, prefix=protocol)


def _url(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


def _page(request, *, status: int = 200, **forms_given):
    org = request.organisation
    slug = org.slug
    break_glass = list(admin_services.break_glass_people(org))
    audit.note(request, break_glass)
    provider_forms = {p: forms_given.get(p) or _provider_form(request, p) for p in Protocol}
    context = {
        "oidc_form": provider_forms[Protocol.OIDC],
        "saml_form": provider_forms[Protocol.SAML],
        "oidc": provider_forms[Protocol.OIDC].instance,
        "saml": provider_forms[Protocol.SAML].instance,
        "sso_only_form": forms_given.get("sso_only") or SsoOnlyForm(prefix="sso", initial={"sso_only": org.sso_only}),
        "domain_form": forms_given.get("domain_add") or DomainForm(prefix="domain"),
        "verification_form": forms_given.get("domain_send") or VerificationForm(prefix="verify", organisation=org),
        "break_glass": break_glass,
        "domains": EmailDomain.objects.filter(organisation=org),
        "addresses": {
            "redirect_uri": _url(request, "openid_connect_callback", provider_id=slug),
            "sp_entity_id": _url(request, "saml_metadata", organization_slug=slug),
            "acs": _url(request, "saml_acs", organization_slug=slug),
            "sign_in": _url(request, "sso_organisation", slug=slug),
        },
    }
    return render(request, "staff/sso/admin.html", context, status=status)


def _configured(request, label: str) -> None:
    """The sign-in configuration changed: a security event naming the admin and what was changed."""
    security_event_write(
        request,
        SecurityEvent.Kind.SSO_CONFIGURED,
        status=200,
        organisation_id=request.organisation.pk,
        user_id=request.user.pk,
        by_label=label,
    )


def _save_provider(request, protocol: str):
    form = _provider_form(request, protocol, request.POST, request.FILES)
    if form.is_valid():
        idp = form.save(commit=False)
        try:
            admin_services.identity_provider_configure(idp=idp, client_secret=form.cleaned_data.get("client_secret"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _configured(request, f"identity provider: {protocol}")
            messages.success(request, _("The identity provider's settings were saved."))
            return redirect("staff:admin_sso")
    return _page(request, status=400, **{protocol: form})


def _save_sso_only(request):
    org = request.organisation
    form = SsoOnlyForm(request.POST, prefix="sso")
    if form.is_valid():
        on = form.cleaned_data["sso_only"]
        try:
            admin_services.sso_only_set(organisation=org, on=on)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _configured(request, "sso_only: on" if on else "sso_only: off")
            if on:
                messages.success(request, _("People now sign in only through the identity provider."))
            else:
                messages.success(request, _("People may sign in with a password again."))
            return redirect("staff:admin_sso")
    return _page(request, status=400, sso_only=form)


def _add_domain(request):
    form = DomainForm(request.POST, prefix="domain")
    if form.is_valid():
        try:
            added = admin_services.email_domain_add(
                organisation=request.organisation, domain=form.cleaned_data["domain"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _configured(request, f"e-mail domain added: {added.domain}")
            messages.success(request, _("The domain %(domain)s was added. Verify it next.") % {"domain": added.domain})
            return redirect("staff:admin_sso")
    return _page(request, status=400, domain_add=form)


def _send_verification(request):
    org = request.organisation
    form = VerificationForm(request.POST, prefix="verify", organisation=org)
    if form.is_valid():
        try:
            sent_to = admin_services.email_domain_send_verification(
                organisation=org, email_domain=form.cleaned_data["domain"], email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("A verification link was sent to %(email)s. The domain is verified when the link is opened.")
                % {"email": sent_to},
            )
            return redirect("staff:admin_sso")
    return _page(request, status=400, domain_send=form)


ACTIONS = {
    Protocol.OIDC: lambda request: _save_provider(request, Protocol.OIDC),
    Protocol.SAML: lambda request: _save_provider(request, Protocol.SAML),
    "sso_only": _save_sso_only,
    "domain_add": _add_domain,
    "domain_send": _send_verification,
}


@admin_required
@sensitive_post_parameters("oidc-client_secret")
def sso_admin(request):
    if request.method != "POST":
        return _page(request)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        return _page(request, status=400)
    return action(request)


@admin_required
@require_POST
def sso_domain_remove(request, pk: int):
    domain = get_for_org(EmailDomain, organisation=request.organisation, pk=pk)
    if request.POST.get("confirm") != "1":
        question = _(
            "Remove the e-mail domain %(domain)s? A first sign-in through the provider then no longer finds "
            "people by addresses at it, and the login page no longer finds the organisation by it."
        ) % {"domain": domain.domain}
        return confirm_page(
            request,
            title=_("Remove e-mail domain"),
            question=question,
            label=_("Remove"),
            cancel_url=reverse("staff:admin_sso"),
        )
    admin_services.email_domain_remove(organisation=request.organisation, email_domain=domain)
    _configured(request, f"e-mail domain removed: {domain.domain}")
    messages.success(request, _("The domain %(domain)s was removed.") % {"domain": domain.domain})
    return redirect("staff:admin_sso")


@admin_required
@require_POST
def staff_break_glass(request, pk: int):
    """Name a person break-glass, or not: the person's page again, with the outcome as a message."""
    org = request.organisation
    member = staff_get(organisation=org, pk=pk)
    on = request.POST.get("break_glass") == "1"
    try:
        admin_services.break_glass_set(organisation=org, member=member, on=on)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if on:
            messages.success(request, _("%(name)s may now sign in with a password (break-glass).") % {"name": member})
        else:
            messages.success(request, _("%(name)s is no longer break-glass.") % {"name": member})
    return redirect("staff:admin_staff_edit", pk=member.pk)


urlpatterns = [
    path("admin/sso/", sso_admin, name="admin_sso"),
    path("admin/sso/domains/<int:pk>/remove/", sso_domain_remove, name="admin_sso_domain_remove"),
    path("admin/people/<int:pk>/break-glass/", staff_break_glass, name="admin_staff_break_glass"),
]
