"""Who a sign-in through the organisation's identity provider is, and the provider's configuration.

The protocol (signature, audience, issuer, time window, one use) is checked by django-allauth before
`person_for_sign_in` runs; this module decides which staff record of *that* organisation the provider's
person is, or refuses. See docs/sso.md."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from staff import services
from staff.models import Organisation, StaffMember
from staff.platform import secrets
from staff.platform.audit.models import SecurityEvent
from staff.platform.history.reasons import change_reason
from staff.sso.models import EmailDomain, IdentityProvider, SsoIdentity

User = get_user_model()
Reason = SecurityEvent.Reason
Protocol = IdentityProvider.Protocol
SUBJECT_MAX_LENGTH = SsoIdentity._meta.get_field("subject").max_length

# The claim names read when the configuration leaves them empty.
DEFAULT_NAMES = {
    Protocol.OIDC: {"uid": "sub", "given_name": "given_name", "family_name": "family_name", "name": "name"},
    Protocol.SAML: {"uid": "", "given_name": "givenName", "family_name": "sn", "name": "displayName"},
}


class SignInRefused(Exception):
    """The provider vouched for a person whom Stabil does not sign in; `reason` is a SecurityEvent.Reason."""

    def __init__(self, reason: str, *, user_id: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.user_id = user_id


@dataclass(frozen=True)
class Claims:
    """What the provider said about the person, flattened to one value a name."""

    subject: str
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip() if name else ""


def _first(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ("" if value is None else str(value))


def claims_from(protocol: str, subject: str, extra_data: dict) -> Claims:
    """OpenID Connect: the ID token's claims, with userinfo's over them. SAML: each attribute's first value."""
    data: dict = {}
    if protocol == Protocol.OIDC:
        for part in ("id_token", "userinfo"):
            if isinstance(extra_data.get(part), dict):
                data.update(extra_data[part])
        if not data:
            data = dict(extra_data)
    else:
        data = dict(extra_data)
    return Claims(subject=subject or "", values={str(k): _first(v) for k, v in data.items()})


def _domain(email: str) -> str:
    return email.rpartition("@")[2].strip().casefold() if "@" in email else ""


def domain_verified(organisation: Organisation, email: str) -> bool:
    domain = _domain(email)
    return bool(domain) and EmailDomain.objects.filter(organisation=organisation, verified_domain=domain).exists()


def _candidates(idp: IdentityProvider, claims: Claims) -> list[StaffMember]:
    organisation = idp.organisation
    people = StaffMember.objects.filter(organisation=organisation).select_related("user")
    if idp.match_by == IdentityProvider.MatchBy.EMAIL:
        email = claims.get(idp.email_claim)
        if not email or not domain_verified(organisation, email):
            return []
        if claims.get("email_verified").casefold() == "false":
            return []  # the provider itself says the address is not the person's (e.g. a guest account)
        people = people.filter(email__iexact=email)
    elif idp.match_by == IdentityProvider.MatchBy.EMPLOYEE_NUMBER:
        number = claims.get(idp.employee_number_claim)
        if not number:
            return []
        people = people.filter(employee_number=number)
    else:
        if not claims.subject:
            return []
        people = people.filter(external_id=claims.subject)
    # A record this provider already knows under another identifier is not someone else's to take.
    linked = SsoIdentity.objects.filter(organisation=organisation, identity_provider=idp).values("staff_id")
    return list(people.exclude(pk__in=linked)[:2])


def _username_for(claims: Claims, email: str) -> str:
    base = slugify(email.partition("@")[0].replace(".", "-")) if email else slugify(claims.subject)
    base = (base or "person")[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _names(idp: IdentityProvider, claims: Claims, email: str) -> tuple[str, str]:
    defaults = DEFAULT_NAMES[idp.protocol]
    first = claims.get(idp.given_name_claim or defaults["given_name"])
    last = claims.get(idp.family_name_claim or defaults["family_name"])
    if not (first and last):
        whole = claims.get(defaults["name"]) or email.partition("@")[0].replace(".", " ")
        parts = [p for p in re.split(r"\s+", whole.strip()) if p]
        if len(parts) >= 2:
            first, last = first or " ".join(parts[:-1]).title(), last or parts[-1].title()
    return first[:100], last[:100]


def _jit_member(idp: IdentityProvider, claims: Claims) -> StaffMember:
    email = claims.get(idp.email_claim)
    first, last = _names(idp, claims, email)
    if not (first and last):
        raise SignInRefused(Reason.UNKNOWN_PERSON)
    return services.staff_member_create(
        organisation=idp.organisation,
        username=_username_for(claims, email),
        first_name=first,
        last_name=last,
        email=email[:254],
        employment_start=timezone.localdate(),
        fte=Decimal("1.00"),
        employee_number=claims.get(idp.employee_number_claim)[:50],
        external_id=claims.subject[:200] if idp.match_by == IdentityProvider.MatchBy.EXTERNAL_ID else "",
    )


@transaction.atomic
def person_for_sign_in(*, idp: IdentityProvider, claims: Claims):
    """The login to sign in, or SignInRefused. A first sign-in finds the staff record by the configured match
    (or, with just-in-time accounts, creates one with no role) and keeps the provider's identifier with it."""
    if not claims.subject or len(claims.subject) > SUBJECT_MAX_LENGTH:
        # Longer than the column: kept cut it would never be found again (and a second record made).
        raise SignInRefused(Reason.PROVIDER_ERROR)
    organisation = idp.organisation
    with change_reason(f"SSO: {idp.display_name}"[:100]):
        link = (
            SsoIdentity.objects.filter(organisation=organisation, identity_provider=idp, subject=claims.subject)
            .select_related("staff__user")
            .first()
        )
        if link is not None:
            member = link.staff
        else:
            found = _candidates(idp, claims)
            if len(found) > 1:
                raise SignInRefused(Reason.AMBIGUOUS_PERSON)
            if found:
                member = found[0]
            elif idp.jit_accounts:
                member = _jit_member(idp, claims)
            else:
                raise SignInRefused(Reason.UNKNOWN_PERSON)
        user_id = member.user_id
        if member.has_left():
            raise SignInRefused(Reason.EMPLOYMENT_ENDED, user_id=user_id)
        if member.user is None:
            email = member.email or claims.get(idp.email_claim)
            member.user = services._new_login(member, _username_for(claims, email))
            member.save(update_fields=["user"])
        elif not member.user.is_active:
            raise SignInRefused(Reason.LOGIN_SWITCHED_OFF, user_id=user_id)
        if link is None:
            link = SsoIdentity.objects.create(
                organisation=organisation, identity_provider=idp, subject=claims.subject, staff=member
            )
    SsoIdentity.objects.filter(pk=link.pk).update(last_sign_in_at=timezone.now())
    return member.user


# --- configuration -------------------------------------------------------------------------------------------


def identity_provider_save(*, idp: IdentityProvider, client_secret: str | None = None) -> IdentityProvider:
    """Save the configuration; a new client secret (given) is encrypted, an empty one keeps the stored one."""
    if client_secret:
        idp.client_secret_encrypted = secrets.encrypt(client_secret)
    idp.full_clean()
    idp.save()
    return idp


def client_secret(idp: IdentityProvider) -> str:
    return secrets.decrypt(idp.client_secret_encrypted)


def enabled_providers(organisation: Organisation) -> list[IdentityProvider]:
    return list(IdentityProvider.objects.filter(organisation=organisation, enabled=True))


def password_sign_in_refused(member: StaffMember | None) -> bool:
    """True for a person of an organisation that signs in only through its provider (and has one in use),
    unless the person is named break-glass."""
    if not member or not member.organisation.sso_only or member.break_glass:
        return False
    return IdentityProvider.objects.filter(organisation_id=member.organisation_id, enabled=True).exists()


def password_refusal_record(request, member: StaffMember, *, status: int) -> None:
    """The security event of a right password refused by `password_sign_in_refused`, under the person's
    organisation."""
    from staff.platform.audit.middleware import security_event_write

    security_event_write(
        request,
        SecurityEvent.Kind.SSO_PASSWORD_REFUSED,
        status=status,
        organisation_id=member.organisation_id,
        user_id=member.user_id,
    )
