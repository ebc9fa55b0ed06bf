"""Writes for organisations, structure, people and roles. Each is atomic and organisation-checked."""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from staff.models import (
    MANAGER_ROLES,
    REVEALING_ROLES,
    ApiToken,
    Department,
    EmploymentExtent,
    Group,
    Invitation,
    Notification,
    Organisation,
    Role,
    RoleAssignment,
    SecurityEvent,
    StaffMember,
    Unit,
)
from staff.platform.bulk import insert_new
from staff.platform.tenancy import check_same_org

User = get_user_model()
logger = logging.getLogger(__name__)


@transaction.atomic
def staff_member_create(
    *,
    organisation: Organisation,
    username: str | None = None,
    password: str | None = None,
    **fields: Any,
) -> StaffMember:
    """Create a staff record and, when a username is given, its login (unusable password if none)."""
    check_same_org(organisation, fields.get("unit"), fields.get("manager"))
    member = StaffMember(organisation=organisation, **fields)
    member.full_clean(exclude=["user"])
    _check_manager(member)
    if username:
        member.user = _new_login(member, username, password)
    member.save()
    EmploymentExtent.objects.create(
        organisation=organisation, staff=member, fte=member.fte, valid_from=member.employment_start
    )
    return member


def _new_login(member: StaffMember, username: str, password: str | None = None):
    """A login with the person's name and e-mail; an unusable password until they choose one (invitation)."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("That username is already taken.")})
    user = User(username=username, first_name=member.first_name, last_name=member.last_name, email=member.email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def login_create(*, organisation: Organisation, member: StaffMember, username: str) -> None:
    """Give an existing staff record a login (no usable password: the person chooses it through an invitation)."""
    check_same_org(organisation, member)
    StaffMember.objects.select_for_update().filter(organisation=organisation, pk=member.pk).first()
    member.refresh_from_db(fields=["user"])
    if member.user_id is not None:
        raise ValidationError({"username": _("The person already has a login.")})
    member.user = _new_login(member, username)
    member.save(update_fields=["user"])


@transaction.atomic
def social_worker_create(
    *,
    organisation: Organisation,
    by: StaffMember | None,
    username: str | None = None,
    password: str | None = None,
    **fields: Any,
) -> tuple[StaffMember, list[str]]:
    """A new social worker: the staff record, the social worker role in their unit, and what the other apps start
    for a new social worker (`staff.onboarding`: level 1, the introduction plan, a mentor request).

    Returns the person and the lines that say what was started or could not be."""
    from staff import onboarding

    if fields.get("unit") is None:
        raise ValidationError({"unit": _("A social worker works in a unit: choose one.")})
    member = staff_member_create(organisation=organisation, username=username, password=password, **fields)
    role_assign(organisation=organisation, member=member, role=Role.SOCIAL_WORKER, actor=by, unit=member.unit)
    return member, onboarding.run(organisation=organisation, member=member, by=by)


@transaction.atomic
def staff_member_update(
    *,
    member: StaffMember,
    fte_valid_from: datetime.date | None = None,
    by: StaffMember | None = None,
    today: datetime.date | None = None,
    **fields: Any,
) -> StaffMember:
    """Save a staff record. A new FTE holds from `fte_valid_from` (default today) on: see
    employment_extent_set. The other fields are corrections of the record."""
    check_same_org(member.organisation, fields.get("unit"), fields.get("manager"), by)
    fte = fields.pop("fte", member.fte)
    held = member.fte
    for name, value in fields.items():
        setattr(member, name, value)
    member.fte = fte
    member.full_clean(exclude=["user"])
    _check_manager(member)
    member.fte = held
    member.save()
    if fte != held or fte_valid_from is not None:
        employment_extent_set(member=member, fte=fte, valid_from=fte_valid_from, by=by, today=today)
    if member.user_id:
        user = member.user
        user.first_name, user.last_name, user.email = member.first_name, member.last_name, member.email
        user.save(update_fields=["first_name", "last_name", "email"])
    return member


def _check_manager(member: StaffMember) -> None:
    """The case-reviewing manager is someone else who holds a unit manager or assistant manager role."""
    manager = member.manager
    if manager is None:
        return
    if manager.pk == member.pk and member.pk is not None:
        raise ValidationError({"manager": _("A person cannot be their own manager.")})
    if not manager.roles.filter(role__in=sorted(MANAGER_ROLES)).exists():
        raise ValidationError({"manager": _("Choose a unit manager or an assistant manager.")})


def employment_extent_set(
    *,
    member: StaffMember,
    fte: Decimal,
    valid_from: datetime.date | None = None,
    by: StaffMember | None = None,
    today: datetime.date | None = None,
) -> EmploymentExtent | None:
    """The person works `fte` from `valid_from` (default today) on; later periods give way to it.

    StaffMember.fte becomes the FTE valid today. A person without periods first gets one from the
    employment start with the FTE held so far, so the days before `valid_from` keep it. A date later than
    today, or before the employment start, is refused. Nothing is written when the FTE already holds.
    """
    today = today or timezone.localdate()
    valid_from = valid_from or today
    if valid_from > today:
        raise ValidationError({"fte_valid_from": _("The FTE can change from today or an earlier date, not later.")})
    if valid_from < member.employment_start:
        raise ValidationError({"fte_valid_from": _("The FTE cannot change before the employment start.")})
    org = member.organisation
    StaffMember.objects.select_for_update().filter(organisation=org, pk=member.pk).first()
    periods = list(EmploymentExtent.objects.filter(organisation=org, staff=member).order_by("valid_from"))
    if not periods:
        periods = [
            EmploymentExtent.objects.create(
                organisation=org, staff=member, fte=member.fte, valid_from=member.employment_start
            )
        ]
    in_force = next((p for p in reversed(periods) if p.valid_from <= valid_from), None)
    later = [p.pk for p in periods if p.valid_from > valid_from]
    if in_force is not None and in_force.fte == fte and not later:
        return None
    EmploymentExtent.objects.filter(organisation=org, pk__in=later).delete()
    extent = EmploymentExtent(organisation=org, staff=member, fte=fte, valid_from=valid_from, created_by=by)
    if in_force is not None and in_force.valid_from == valid_from:
        extent = in_force
        extent.fte, extent.created_by = fte, by
    extent.full_clean()
    extent.save()
    current = EmploymentExtent.objects.filter(organisation=org, staff=member, valid_from__lte=today).last()
    member.fte = current.fte if current else fte
    StaffMember.objects.filter(organisation=org, pk=member.pk).update(fte=member.fte)
    return extent


def _active_admins(organisation: Organisation):
    """Organisation admins who can sign in (locked for the transaction: two admins removing each other's
    role at once cannot both succeed)."""
    return RoleAssignment.objects.select_for_update().filter(
        organisation=organisation, role=Role.ORG_ADMIN, staff__user__is_active=True
    )


def _check_an_admin_remains(organisation: Organisation, staff_id: int) -> None:
    if not list(_active_admins(organisation).exclude(staff_id=staff_id)):
        raise ValidationError(
            _("You are the only organisation admin: give the role to someone else before you remove it.")
        )


@transaction.atomic
def login_set_active(*, member: StaffMember, active: bool, by: StaffMember | None = None, by_label: str = "") -> None:
    """Switch a person's login on or off. Off ends their access at once (`access_end`: sessions, API tokens);
    the last organisation admin who can sign in cannot be switched off. On is refused for a person whose
    employment has ended: move the end date first."""
    if not member.user_id:
        return
    if active:
        if member.has_left():
            raise ValidationError(
                _("The employment ended on %(day)s: move the end date before you switch the login on again.")
                % {"day": member.employment_end.isoformat()}
            )
        User.objects.filter(pk=member.user_id).update(is_active=True)
        return
    if RoleAssignment.objects.filter(staff=member, role=Role.ORG_ADMIN).exists():
        _check_an_admin_remains(member.organisation, member.pk)
    access_end(member=member, reason=SecurityEvent.Reason.LOGIN_SWITCHED_OFF, by_label=by_label, by=by)


@transaction.atomic
def access_end(*, member: StaffMember, reason: str, by_label: str, by: StaffMember | None = None) -> bool:
    """End a person's access at once: login inactive, every session deleted, every API token revoked, and a
    SecurityEvent saying why (`reason`, a SecurityEvent.Reason), what (`by_label`) and who (`by`) ended it.

    The person's records stay. Returns False, and records nothing, when there was nothing left to end."""
    ended = _access_end(organisation=member.organisation, members=[member], reason=reason, by_label=by_label, by=by)
    return bool(ended)


NIGHTLY_JOB = "nightly job"  # the by_label of the beat job's events (staff.tasks.leavers_access_end)


@transaction.atomic
def leavers_access_end(*, organisation: Organisation, today: datetime.date | None = None) -> list[StaffMember]:
    """The nightly job: end the access of everyone whose employment ended before `today` (the end date is
    their last day) and whose login is still active or who still has a live API token. Idempotent: a second
    run finds no one. A constant number of queries whatever the number of leavers."""
    today = today or timezone.localdate()
    live_token = ApiToken.objects.filter(organisation=organisation, staff=OuterRef("pk"), revoked_at__isnull=True)
    leavers = (
        StaffMember.objects.filter(organisation=organisation, employment_end__lt=today, user__isnull=False)
        .filter(Q(user__is_active=True) | Exists(live_token))
        .order_by("pk")
    )
    return _access_end(
        organisation=organisation,
        members=list(leavers),
        reason=SecurityEvent.Reason.EMPLOYMENT_ENDED,
        by_label=NIGHTLY_JOB,
        by=None,
    )


def _access_end(
    *, organisation: Organisation, members: Sequence[StaffMember], reason: str, by_label: str, by: StaffMember | None
) -> list[StaffMember]:
    """access_end for many people of one organisation in a fixed number of statements; returns those whose
    access was ended (an active login or a live token). Runs in the caller's transaction."""
    from staff.platform.sessions import sessions_end

    check_same_org(organisation, *members, by)
    if reason not in SecurityEvent.Reason.values:
        raise ValueError(f"unknown reason {reason!r}")
    by_user = {m.user_id: m for m in members if m.user_id}
    if not by_user:
        return []
    # Locked: two runs at once (a retried task, the admin page and the job) cannot both record the end.
    active = set(User.objects.select_for_update().filter(pk__in=by_user, is_active=True).values_list("pk", flat=True))
    tokens = ApiToken.objects.filter(organisation=organisation, staff__in=by_user.values(), revoked_at__isnull=True)
    with_tokens = set(tokens.values_list("staff__user_id", flat=True))
    ended = [member for user_id, member in sorted(by_user.items()) if user_id in active or user_id in with_tokens]
    sessions_end(by_user)
    now = timezone.now()
    # An open invitation link would otherwise come back to life when the login is switched on again.
    _revoke_pending_of(organisation, by_user.values(), now)
    if not ended:
        return []
    User.objects.filter(pk__in=active).update(is_active=False)
    tokens.update(revoked_at=now)
    actor = by.user_id if by is not None else None
    event = {"organisation": organisation, "at": now, "reason": reason, "by_label": by_label[:100]}
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=SecurityEvent.Kind.ACCESS_ENDED, user_id=m.user_id, actor_user_id=actor, status=0, **event)
        for m in ended
    )
    admin_left = RoleAssignment.objects.filter(organisation=organisation, role=Role.ORG_ADMIN, staff__in=ended)
    if admin_left.exists() and not _active_admins(organisation).exists():
        # Only for leavers (the admin page and SCIM refuse to switch the last admin off): a former employee keeps
        # no access, so the organisation is left with no admin who can sign in. Not silently: an event on the
        # security-events page the next admin sees, and a warning in the operators' log (ids only).
        SecurityEvent.objects.create(kind=SecurityEvent.Kind.NO_ADMIN_LEFT, actor_user_id=actor, status=0, **event)
        logger.warning("organisation %s has no organisation admin who can sign in any more", organisation.pk)
    return ended


@transaction.atomic
def role_assign(
    *,
    organisation: Organisation,
    member: StaffMember,
    role: str,
    actor: StaffMember | None,
    unit: Unit | None = None,
    department: Department | None = None,
) -> RoleAssignment:
    """Give `member` a role; `actor` is the admin giving it (None: the system, e.g. a seed). A role that
    shows cases or individual answers (REVEALING_ROLES) is refused when the actor gives it to themself:
    another organisation admin must."""
    check_same_org(organisation, member, unit, department)
    if actor is not None and actor.pk == member.pk and role in REVEALING_ROLES:
        raise ValidationError({"role": _("Another organisation admin must give you this role.")})
    assignment = RoleAssignment(organisation=organisation, staff=member, role=role, unit=unit, department=department)
    # clean() says in words what the scope constraint checks (the database still enforces it), and the
    # duplicate is checked below: the constraints' own messages would only repeat them with their names.
    assignment.full_clean(validate_constraints=False)
    if RoleAssignment.objects.filter(
        organisation=organisation, staff=member, role=role, unit=unit, department=department
    ).exists():
        raise ValidationError(_("The person already has this role there."))
    assignment.save()
    return assignment


@transaction.atomic
def role_remove(*, organisation: Organisation, assignment: RoleAssignment) -> None:
    """Remove a role; the organisation keeps at least one admin who can sign in."""
    check_same_org(organisation, assignment)
    if assignment.role == Role.ORG_ADMIN:
        _check_an_admin_remains(organisation, assignment.staff_id)
    assignment.delete()


def _save_new(obj):
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def department_create(*, organisation: Organisation, name: str) -> Department:
    return _save_new(Department(organisation=organisation, name=name))


@transaction.atomic
def unit_create(*, organisation: Organisation, department: Department, name: str, kind: str) -> Unit:
    check_same_org(organisation, department)
    return _save_new(Unit(organisation=organisation, department=department, name=name, kind=kind))


@transaction.atomic
def group_create(*, organisation: Organisation, unit: Unit, name: str) -> Group:
    check_same_org(organisation, unit)
    return _save_new(Group(organisation=organisation, unit=unit, name=name))


@transaction.atomic
def organisation_settings_update(
    *,
    organisation: Organisation,
    span_of_control_limit: int,
    mfa_required: bool,
    idle_timeout_minutes: int,
    accessibility_contact: str = "",
    invitation_valid_days: int | None = None,
) -> Organisation:
    organisation.span_of_control_limit = span_of_control_limit
    organisation.mfa_required = mfa_required
    organisation.idle_timeout_minutes = idle_timeout_minutes
    organisation.accessibility_contact = accessibility_contact
    if invitation_valid_days is not None:
        organisation.invitation_valid_days = invitation_valid_days
    organisation.full_clean()
    organisation.save(update_fields=list(Organisation.SETTINGS))
    return organisation


def notify(
    *,
    organisation: Organisation,
    recipient: StaffMember,
    key: str,
    subject: str,
    body: str = "",
    url: str = "",
    email: bool = True,
    case_refs: Sequence[tuple[int, int]] = (),
) -> tuple[Notification, bool]:
    """Create the notification once per (organisation, key); e-mail it after commit when new.

    Returns (notification, created). Safe to call again with the same key: nothing is sent twice.
    `case_refs`: the (case id, unit id) of every case the message names, so that showing or e-mailing
    it is logged as a read of those cases by the recipient.
    """
    check_same_org(organisation, recipient)
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            organisation=organisation,
            key=key,
            defaults={
                "recipient": recipient,
                "subject": subject[:200],
                "body": body,
                "url": url,
                "case_refs": [list(ref) for ref in case_refs],
            },
        )
    if created and email and recipient.email:
        from staff.tasks import send_notification_email

        org_id, pk = organisation.pk, notification.pk
        # robust: a broker that does not answer is logged, not a failed request; the row stays un-e-mailed and
        # staff.tasks.notification_emails_resend_all sends it once the broker is back.
        transaction.on_commit(
            lambda: send_notification_email.delay(organisation_id=org_id, notification_id=pk), robust=True
        )
    return notification, created


@dataclass(frozen=True)
class Message:
    """One notification of a bulk `notify_many`: the recipient by id (the caller has it from one query)."""

    recipient_id: int
    key: str
    subject: str
    body: str = ""
    url: str = ""
    case_refs: tuple[tuple[int, int], ...] = ()  # as notify's


def notify_many(*, organisation: Organisation, messages: Sequence[Message], email: bool = True) -> list[int]:
    """`notify` for many people in one statement: create each (organisation, key) once, e-mail the new ones.

    Returns the ids of the notifications this call created; a key that exists already (a retried chunk, a
    second worker) is skipped by the unique constraint and not e-mailed again. The e-mails go out after
    commit as one task for the whole batch (`send_notification_emails`, which claims each row once).
    Runs in the caller's transaction when there is one; two queries whatever the number of messages.
    """
    if not messages:
        return []
    recipient_ids = {m.recipient_id for m in messages}
    emails = dict(
        StaffMember.objects.filter(organisation=organisation, pk__in=recipient_ids).values_list("pk", "email")
    )
    if len(emails) != len(recipient_ids):
        raise Http404  # a recipient of another organisation: as check_same_org
    now = timezone.now()
    rows = [
        {
            "organisation_id": organisation.pk,
            "recipient_id": m.recipient_id,
            "key": m.key,
            "subject": m.subject[:200],
            "body": m.body,
            "url": m.url,
            "case_refs": [list(ref) for ref in m.case_refs],
            "created_at": now,
        }
        for m in sorted(messages, key=lambda m: m.key)  # one order for every writer: no deadlock between chunks
    ]
    created = insert_new(Notification, rows, unique=("organisation", "key"), returning=("pk", "recipient_id"))
    to_mail = sorted(pk for pk, recipient_id in created if emails[recipient_id])
    if email and to_mail:
        from staff.tasks import send_notification_emails

        org_id = organisation.pk
        # robust, as in notify(): a silent broker leaves the rows un-e-mailed for the resend task.
        transaction.on_commit(
            lambda: send_notification_emails.delay(organisation_id=org_id, notification_ids=to_mail), robust=True
        )
    return [pk for pk, _recipient_id in created]


def notification_mark_read(*, organisation: Organisation, recipient: StaffMember, pk: int | None = None) -> int:
    qs = Notification.objects.filter(organisation=organisation, recipient=recipient, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def api_token_create(*, organisation: Organisation, staff: StaffMember, name: str) -> tuple[ApiToken, str]:
    """Create a token for a person; returns (token, key). The key is not stored and cannot be shown again."""
    from staff.platform.authentication import hash_key, new_key

    check_same_org(organisation, staff)
    if staff.user_id is None:
        raise ValidationError(_("The person has no login; an API token acts as a login."))
    key, prefix = new_key()
    token = ApiToken(organisation=organisation, staff=staff, name=name.strip(), prefix=prefix, key_hash=hash_key(key))
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, organisation: Organisation, token: ApiToken) -> None:
    check_same_org(organisation, token)
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


class InvitationInvalid(Exception):
    """The link was used, expired, revoked, replaced, or never existed."""


def _invitation_expiry(organisation: Organisation, now: datetime.datetime) -> datetime.datetime:
    """The end of the day `invitation_valid_days` after the day it is sent (the organisation's local time)."""
    last_day = timezone.localdate(now) + datetime.timedelta(days=organisation.invitation_valid_days)
    return timezone.make_aware(datetime.datetime.combine(last_day, datetime.time.max))


def _check_invitable(member: StaffMember) -> None:
    if member.user_id is None:
        raise ValidationError({"username": _("Give the person a username first: the invitation is to that login.")})
    if not member.user.is_active:
        raise ValidationError(_("The person's login is switched off: switch it on before you invite them."))
    if member.user.has_usable_password():
        raise ValidationError(
            _("The person has already chosen a password. They can choose a new one with 'Forgot your password?'.")
        )
    if not member.email:
        raise ValidationError({"email": _("An invitation is sent by e-mail: give the person's e-mail address.")})


def _revoke_pending(member: StaffMember, now: datetime.datetime) -> None:
    """Every open invitation of the person stops working."""
    _revoke_pending_of(member.organisation, [member], now)


def _revoke_pending_of(organisation: Organisation, members, now: datetime.datetime) -> None:
    """Every open invitation of these people stops working: one query when there is none, else saved one by
    one, so that each change is in the history."""
    for invitation in Invitation.objects.select_for_update().filter(
        organisation=organisation, staff__in=list(members), used_at__isnull=True, revoked_at__isnull=True
    ):
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def invitation_send(*, organisation: Organisation, member: StaffMember, by: StaffMember | None) -> Invitation:
    """E-mail the person a one-time link to choose their first password; an earlier open link stops working.

    The link is built from SITE_URL; the token is not stored, only its hash. The e-mail is sent inside the
    transaction: when it cannot be sent, nothing is saved and the admin is told so.
    """
    from staff.platform.authentication import hash_key

    check_same_org(organisation, member, by)
    StaffMember.objects.select_for_update().filter(organisation=organisation, pk=member.pk).first()
    _check_invitable(member)
    now = timezone.now()
    _revoke_pending(member, now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        staff=member,
        email=member.email,
        prefix=token[:8],
        token_hash=hash_key(token),
        created_by=by,
        created_at=now,
        expires_at=_invitation_expiry(organisation, now),
    )
    invitation.full_clean()
    invitation.save()
    link = f"{settings.SITE_URL}{reverse('invitation_accept', args=[token])}"
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your invitation to Stabil")
        body = _(
            "Hello %(name)s,\n\n%(organisation)s has given you a login to Stabil. Your username is "
            "%(username)s.\n\nOpen this link to choose your password:\n%(link)s\n\nThe link works once, "
            "until %(expires)s. If it no longer works, ask your organisation's administrator for a new "
            "invitation.\n\nIf you did not expect this e-mail, you can ignore it."
        ) % {
            "name": member.first_name,
            "organisation": organisation.name,
            "username": member.user.get_username(),
            "link": link,
            "expires": formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT"),
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except OSError as exc:  # SMTP refused or unreachable: roll everything back, say so at the form
        raise ValidationError(_("The invitation e-mail could not be sent. Try again in a while.")) from exc
    return invitation


@transaction.atomic
def invitation_revoke(*, organisation: Organisation, member: StaffMember) -> int:
    """The person's open invitation links stop working. Returns how many there were."""
    check_same_org(organisation, member)
    pending = Invitation.objects.filter(
        organisation=organisation, staff=member, used_at__isnull=True, revoked_at__isnull=True
    ).count()
    _revoke_pending(member, timezone.now())
    return pending


def invitation_usable(invitation: Invitation) -> bool:
    """The link still works: pending, for an active login that has no password yet, of a person who has not
    left, and still at the person's address (an address corrected after the invitation was sent must not
    let whoever got the mail at the old one choose the password)."""
    if invitation.state() != Invitation.State.PENDING:
        return False
    member = invitation.staff
    user = member.user
    return (
        user is not None
        and user.is_active
        and not user.has_usable_password()
        and not member.has_left()
        and invitation.email.casefold() == member.email.casefold()
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str):
    """Set the invited person's first password and use the link up. Raises InvitationInvalid when the link no
    longer works (checked again with the row locked: two tabs cannot both use it)."""
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(pk=invitation.pk)
        .select_related("staff__user")
        .first()
    )
    if locked is None or not invitation_usable(locked):
        raise InvitationInvalid
    user = locked.staff.user
    user.set_password(password)
    user.save(update_fields=["password"])
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    return user
