"""The organisation admin's writes for sign-in through the identity provider: the provider's configuration,
"sign in only through the identity provider", the break-glass people, and the e-mail domains with their
verification link. Each is atomic and organisation-checked. See docs/sso.md."""

from __future__ import annotations

import datetime
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from staff.models import Organisation, Role, RoleAssignment, StaffMember
from staff.platform import rls
from staff.platform.authentication import hash_key
from staff.platform.mfa import has_confirmed_device
from staff.platform.tenancy import check_same_org
from staff.sso import services
from staff.sso.models import EmailDomain, IdentityProvider

# A hostname of at least two labels: letters, digits and hyphens (IDNA's xn-- form included), no label
# starting or ending with a hyphen, a top-level label that is not all digits.
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN_RE = re.compile(rf"^(?:{_LABEL}\.)+(?!\d+$){_LABEL}$")
DOMAIN_MAX_LENGTH = 253


# --- the provider's configuration ----------------------------------------------------------------------------


@transaction.atomic
def identity_provider_configure(*, idp: IdentityProvider, client_secret: str | None = None) -> IdentityProvider:
    """Save the admin's configuration (services.identity_provider_save); a new client secret notes when."""
    if client_secret:
        idp.client_secret_changed_at = timezone.now()
    return services.identity_provider_save(idp=idp, client_secret=client_secret)


# --- sign in only through the provider, and the break-glass people --------------------------------------------


def break_glass_people(organisation: Organisation):
    """The organisation's people named break-glass, with their login and whether they are organisation admin."""
    admin = RoleAssignment.objects.filter(organisation=organisation, role=Role.ORG_ADMIN, staff=OuterRef("pk"))
    return (
        StaffMember.objects.filter(organisation=organisation, break_glass=True)
        .select_related("user")
        .annotate(is_org_admin=Exists(admin))
        .order_by("last_name", "first_name")
    )


def _break_glass_admins(organisation: Organisation, *, exclude_pk: int | None = None):
    """Break-glass people with an active login who hold the organisation admin role (locked for the
    transaction: two admins unmarking each other at once cannot both succeed)."""
    admins = RoleAssignment.objects.filter(organisation=organisation, role=Role.ORG_ADMIN).values("staff_id")
    people = StaffMember.objects.select_for_update().filter(
        organisation=organisation, break_glass=True, user__is_active=True, pk__in=admins
    )
    return people.exclude(pk=exclude_pk) if exclude_pk else people


@transaction.atomic
def sso_only_set(*, organisation: Organisation, on: bool) -> Organisation:
    """Switch "sign in only through the identity provider" on or off. On needs a provider in use and a
    break-glass organisation admin who can sign in: without them no one could get in when the provider fails."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if on:
        errors = []
        if not IdentityProvider.objects.filter(organisation=organisation, enabled=True).exists():
            errors.append(_("Set up an identity provider and tick 'in use' first."))
        if not list(_break_glass_admins(organisation)):
            errors.append(
                _(
                    "Name at least one organisation admin with an active login as break-glass first (on the "
                    "person's page): they can still sign in with a password when the provider is down."
                )
            )
        if errors:
            raise ValidationError({"sso_only": errors})
    if organisation.sso_only != on:
        organisation.sso_only = on
        organisation.save(update_fields=["sso_only"])
    return organisation


@transaction.atomic
def break_glass_set(*, organisation: Organisation, member: StaffMember, on: bool) -> StaffMember:
    """Name a person break-glass or not (saved through the model: the change is in the person's history). The
    last break-glass organisation admin cannot be unmarked while the organisation signs in only through its
    provider."""
    check_same_org(organisation, member)
    member = StaffMember.objects.select_for_update().get(organisation=organisation, pk=member.pk)
    if member.break_glass == on:
        return member
    if on and (member.user is None or not has_confirmed_device(member.user)):
        # A break-glass password must never be enough: without a device, the first set-up would need only it.
        raise ValidationError(
            _("Only a person who has set up two-step sign-in can be named break-glass: ask them to set it up first.")
        )
    if not on:
        current = Organisation.objects.get(pk=organisation.pk)
        if current.sso_only and not list(_break_glass_admins(current, exclude_pk=member.pk)):
            raise ValidationError(
                _(
                    "The organisation signs in only through its identity provider, and this is its last "
                    "break-glass organisation admin: name another one first, or switch password sign-in back on."
                )
            )
    member.break_glass = on
    member.save(update_fields=["break_glass"])
    return member


# --- e-mail domains ------------------------------------------------------------------------------------------


def normalise_domain(value: str) -> str:
    """The domain as stored (lower case, no trailing dot), or ValidationError saying what is wrong."""
    domain = (value or "").strip().rstrip(".").lower()
    if "@" in domain:
        raise ValidationError(_("Give only the domain, the part after '@', e.g. stockholm.se."), code="at_sign")
    if len(domain) > DOMAIN_MAX_LENGTH:
        raise ValidationError(
            _("A domain has at most %(max)s characters."), code="too_long", params={"max": DOMAIN_MAX_LENGTH}
        )
    if not DOMAIN_RE.match(domain):
        raise ValidationError(_("Give a domain such as stockholm.se or malmo.se."), code="invalid")
    return domain


def _verified_elsewhere(organisation: Organisation, domain: str) -> bool:
    """Another organisation has verified the domain. Under row-level security its row cannot be read: the
    SECURITY DEFINER lookup answers only the organisation's id."""
    if rls.enabled():
        owner = rls.email_domain_owner(domain)
        return owner is not None and owner != organisation.pk
    return EmailDomain.objects.filter(verified_domain=domain).exclude(organisation=organisation).exists()


IN_USE = "in_use"


@transaction.atomic
def email_domain_add(*, organisation: Organisation, domain: str) -> EmailDomain:
    domain = normalise_domain(domain)
    if EmailDomain.objects.filter(organisation=organisation, domain=domain).exists():
        raise ValidationError({"domain": _("The organisation already has this domain.")})
    if _verified_elsewhere(organisation, domain):
        raise ValidationError({"domain": ValidationError(_("That domain is already in use."), code=IN_USE)})
    return EmailDomain.objects.create(organisation=organisation, domain=domain)


@transaction.atomic
def email_domain_remove(*, organisation: Organisation, email_domain: EmailDomain) -> None:
    check_same_org(organisation, email_domain)
    email_domain.delete()


def verification_last_day(email_domain: EmailDomain) -> datetime.date:
    """The link works until the end of the day `invitation_valid_days` after the day it was sent (local time),
    as an invitation link does."""
    sent = timezone.localdate(email_domain.verification_sent_at)
    return sent + datetime.timedelta(days=email_domain.organisation.invitation_valid_days)


def verification_usable(email_domain: EmailDomain) -> bool:
    """The link was sent, not yet used, and its last day has not passed."""
    return (
        email_domain.verified_at is None
        and email_domain.verification_sent_at is not None
        and bool(email_domain.verification_hash)
        and timezone.localdate() <= verification_last_day(email_domain)
    )


@transaction.atomic
def email_domain_send_verification(*, organisation: Organisation, email_domain: EmailDomain, email: str) -> str:
    """E-mail a one-time link to an address at the domain; an earlier link of the domain stops working. Only the
    link's hash is stored. The e-mail is sent inside the transaction: when it cannot be sent, nothing is saved.
    Returns the address it was sent to."""
    check_same_org(organisation, email_domain)
    email_domain = EmailDomain.objects.select_for_update().get(organisation=organisation, pk=email_domain.pk)
    email = (email or "").strip()
    local, _at, domain = email.rpartition("@")
    if not local or domain.lower() != email_domain.domain:
        raise ValidationError(
            {"email": _("Give an address at %(domain)s, e.g. it@%(domain)s.") % {"domain": email_domain.domain}}
        )
    if email_domain.verified_at is not None:
        raise ValidationError({"domain": _("The domain is already verified.")})
    if _verified_elsewhere(organisation, email_domain.domain):
        raise ValidationError({"domain": ValidationError(_("That domain is already in use."), code=IN_USE)})
    token = secrets.token_urlsafe(32)
    email_domain.verification_hash = hash_key(token)
    email_domain.verification_sent_to = email
    email_domain.verification_sent_at = timezone.now()
    email_domain.save(update_fields=["verification_hash", "verification_sent_to", "verification_sent_at"])
    link = f"{settings.SITE_URL}{reverse('sso_domain_verify', args=[token])}"
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Confirm the e-mail domain %(domain)s for Stabil") % {"domain": email_domain.domain}
        body = _(
            "Hello,\n\n%(organisation)s wants its people with e-mail addresses at %(domain)s to sign in to "
            "Stabil through the organisation's identity provider. To confirm that the domain belongs to "
            "%(organisation)s, open this link and press the button:\n%(link)s\n\nThe link works once, until "
            "%(expires)s.\n\nIf the domain does not belong to %(organisation)s, or you did not expect this "
            "e-mail, do not open the link; you can ignore this e-mail."
        ) % {
            "organisation": organisation.name,
            "domain": email_domain.domain,
            "link": link,
            "expires": formats.date_format(verification_last_day(email_domain), "DATE_FORMAT"),
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    except OSError as exc:  # SMTP refused or unreachable: roll everything back, say so at the form
        raise ValidationError(_("The e-mail could not be sent. Try again in a while.")) from exc
    return email


class DomainTakenError(Exception):
    """Another organisation verified the domain first (the unique constraint on verified_domain)."""


def email_domain_by_token(token: str) -> EmailDomain | None:
    """The domain whose verification link this is (under row-level security, after setting its organisation),
    or None."""
    token_hash = hash_key(token)
    if rls.enabled():
        rls.activate_for_email_domain_token(token_hash)
    return EmailDomain.objects.filter(verification_hash=token_hash).select_related("organisation").first()


@transaction.atomic
def email_domain_verify(*, email_domain: EmailDomain) -> bool:
    """Use the link: the domain is verified. False when the link no longer works (checked again with the row
    locked: two tabs cannot both use it); DomainTakenError when another organisation verified the domain."""
    locked = (
        EmailDomain.objects.select_for_update(of=("self",))
        .filter(organisation_id=email_domain.organisation_id, pk=email_domain.pk)
        .select_related("organisation")
        .first()
    )
    if locked is None or not verification_usable(locked):
        return False
    locked.verified_at = timezone.now()
    locked.verified_domain = locked.domain
    try:
        with transaction.atomic():
            locked.save(update_fields=["verified_at", "verified_domain"])
    except IntegrityError as exc:
        raise DomainTakenError from exc
    return True
