"""The organisation's identity provider, the link of a provider's subject to a staff record, and its verified
e-mail domains. See docs/sso.md."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from staff.platform.tenancy import TenantModel


class IdentityProvider(TenantModel):
    """One per protocol and organisation: where its people sign in and how their claims are read.

    The client secret is kept encrypted (staff.platform.secrets) and never shown again. The provider's claims
    never choose the organisation: the sign-in address carries it, and only this configuration's issuer, keys
    and client id are trusted for it."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    class MatchBy(models.TextChoices):
        EMAIL = "email", _("E-mail address")
        EMPLOYEE_NUMBER = "employee_number", _("Employee number")
        EXTERNAL_ID = "external_id", _("Directory id (the SCIM externalId)")

    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices)
    display_name = models.CharField(
        _("name on the sign-in button"),
        max_length=100,
        help_text=_("What people see on the button, e.g. 'Stockholms stad (Entra ID)' or 'SITHS-kort'."),
    )
    enabled = models.BooleanField(_("in use"), default=False)
    metadata_url = models.URLField(
        _("metadata address"),
        max_length=500,
        blank=True,
        help_text=_(
            "OpenID Connect: the discovery document (…/.well-known/openid-configuration). SAML: the identity "
            "provider's metadata address; or upload the metadata file instead."
        ),
    )
    metadata_xml = models.TextField(_("SAML metadata file"), blank=True)
    entity_id = models.CharField(
        _("identity provider's entity id (SAML)"), max_length=500, blank=True, help_text=_("Read from the metadata.")
    )
    client_id = models.CharField(_("client id (OpenID Connect)"), max_length=200, blank=True)
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    client_secret_changed_at = models.DateTimeField(null=True, editable=False)
    uid_claim = models.CharField(
        _("identifier claim"),
        max_length=100,
        blank=True,
        help_text=_("OpenID Connect: 'sub' (or 'oid' in Entra ID). SAML: empty for the NameID, or an attribute name."),
    )
    email_claim = models.CharField(_("e-mail claim"), max_length=200, default="email")
    employee_number_claim = models.CharField(_("employee-number claim"), max_length=200, blank=True)
    given_name_claim = models.CharField(_("first-name claim"), max_length=200, blank=True)
    family_name_claim = models.CharField(_("last-name claim"), max_length=200, blank=True)
    match_by = models.CharField(
        _("match a first sign-in by"),
        max_length=20,
        choices=MatchBy.choices,
        default=MatchBy.EMAIL,
        help_text=_(
            "How a person's first sign-in finds their staff record; after that the provider's identifier is kept "
            "with the record. E-mail addresses count only in the organisation's verified domains."
        ),
    )
    jit_accounts = models.BooleanField(
        _("create unknown people (just-in-time accounts)"),
        default=False,
        help_text=_(
            "A person the provider knows but Stabil does not gets a staff record and a login with no role, until "
            "an admin gives them one. Off: they are refused."
        ),
    )
    provider_two_step = models.BooleanField(
        _("the provider asks for two-step sign-in"),
        default=True,
        help_text=_(
            "Ticked: a sign-in through the provider counts as two-step (e.g. Entra ID with conditional access, "
            "SITHS card, Freja eID). Not ticked: Stabil asks for its own second step where it is required."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["protocol"]
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "protocol"], name="identityprovider_one_per_protocol")
        ]

    def __str__(self) -> str:
        return f"{self.get_protocol_display()}: {self.display_name}"

    def clean(self):
        errors = {}
        if self.protocol == self.Protocol.OIDC:
            if not self.metadata_url:
                errors["metadata_url"] = _("Give the provider's discovery document address.")
            if not self.client_id:
                errors["client_id"] = _("Give the client id the provider gave Stabil.")
        elif self.protocol == self.Protocol.SAML and not (self.metadata_url or self.metadata_xml):
            errors["metadata_url"] = _("Give the metadata address or upload the metadata file.")
        if errors:
            raise ValidationError(errors)


class SsoIdentity(TenantModel):
    """A provider's identifier for a person, kept with their staff record after their first sign-in."""

    identity_provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField(max_length=255)
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="sso_identities")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("sign-in identity")
        verbose_name_plural = _("sign-in identities")
        constraints = [
            models.UniqueConstraint(fields=["identity_provider", "subject"], name="ssoidentity_subject_unique"),
            models.UniqueConstraint(fields=["identity_provider", "staff"], name="ssoidentity_staff_unique"),
        ]


class EmailDomain(TenantModel):
    """An e-mail domain of the organisation. Verified when someone opened the link sent to an address at it;
    a verified domain belongs to one organisation and finds its sign-in button on the login page."""

    domain = models.CharField(_("domain"), max_length=253)
    verified_domain = models.CharField(max_length=253, null=True, blank=True, editable=False, unique=True)
    verification_hash = models.CharField(max_length=64, blank=True, editable=False)
    verification_sent_to = models.EmailField(blank=True, editable=False)
    verification_sent_at = models.DateTimeField(null=True, editable=False)
    verified_at = models.DateTimeField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("e-mail domain")
        verbose_name_plural = _("e-mail domains")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "domain"], name="emaildomain_unique_per_org"),
            models.CheckConstraint(
                condition=Q(verified_domain__isnull=True) | Q(verified_domain=models.F("domain")),
                name="emaildomain_verified_is_domain",
            ),
        ]

    def __str__(self) -> str:
        return self.domain
