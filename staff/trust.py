"""What staff asks of the platform's trust mechanisms: which of its models keep change history, and the history
each of its pages shows. Found by `staff.platform.history.registry.discover()`, like every app's `trust.py`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from staff.models import (
    Absence,
    EmailDomain,
    EmploymentExtent,
    GroupMembership,
    IdentityProvider,
    ImportMapping,
    ImportRun,
    Invitation,
    Organisation,
    SsoIdentity,
    StaffMember,
)
from staff.platform import identity_scan
from staff.platform.audit.models import AccessReview
from staff.platform.history.display import Source
from staff.platform.history.registry import LEGACY, OrganisationHistoryBase, track
from staff.platform.retention.registry import on_anonymise, rule

track(Organisation, exclude=["created_at"], table=LEGACY, bases=[OrganisationHistoryBase])
track(EmploymentExtent, exclude=["created_at"], table=LEGACY)
track(StaffMember)
track(Invitation, exclude=["token_hash"])  # the hash stays out: history is for who invited whom, when
# Sign-in through the identity provider: who set it up and changed what; the encrypted secret stays out (its
# change shows as updated_at), as does the metadata file (large; its entity id is kept).
track(IdentityProvider, exclude=["client_secret_encrypted", "metadata_xml"])
track(SsoIdentity, exclude=["last_sign_in_at"])
track(EmailDomain, exclude=["verification_hash"])
# Absences and group memberships, entered in the app (issue 19): who registered, changed or removed which.
track(Absence)
track(GroupMembership)

# An import's column mapping: who changed it, when. The runs themselves are a record already (who uploaded and
# who applied which file, when) and keep no history of their own.
track(ImportMapping, exclude=["updated_at"])

identity_scan.texts(AccessReview, "comment")


def organisation_history() -> list[Source]:
    return [Source(Organisation, {}, _("Organisation settings"), created_values=False)]


def staff_record_source(member: StaffMember, *, hide: tuple[str, ...] = ("user",)) -> Source:
    """The staff record itself (name, unit, employment, FTE, manager); the login link is never shown."""
    return Source(StaffMember, {"id": member.pk}, _("Staff record"), hide=hide)


def fte_periods_source(member: StaffMember) -> Source:
    return Source(EmploymentExtent, {"staff_id": member.pk}, _("FTE period"), hide=("staff", "created_by"))


def invitations_source(member: StaffMember) -> Source:
    return Source(Invitation, {"staff_id": member.pk}, _("Invitation"), hide=("staff", "created_by", "prefix"))


def absences_source(member: StaffMember) -> Source:
    return Source(Absence, {"staff_id": member.pk}, _("Absence"), hide=("staff",))


def memberships_source(member: StaffMember) -> Source:
    return Source(GroupMembership, {"staff_id": member.pk}, _("Group membership"), hide=("staff",))


def staff_record_history(member: StaffMember) -> list[Source]:
    """The organisation admin's person page: the staff record, its FTE periods, invitations, absences and
    group memberships."""
    return [
        staff_record_source(member),
        fte_periods_source(member),
        invitations_source(member),
        absences_source(member),
        memberships_source(member),
    ]


@on_anonymise
def invitations(member: StaffMember) -> None:
    """An anonymised person's invitations name the address they were sent to: they go, with their history.
    (A removed staff record takes its invitations along: the foreign key cascades.)"""
    Invitation.objects.filter(organisation=member.organisation, staff=member).delete()
    Invitation.history.filter(organisation_id=member.organisation_id, staff_id=member.pk).delete()


@on_anonymise
def sso_identities(member: StaffMember) -> None:
    """An anonymised person's identifiers at the identity provider go, with their history."""
    SsoIdentity.objects.filter(organisation=member.organisation, staff=member).delete()
    SsoIdentity.history.filter(organisation_id=member.organisation_id, staff_id=member.pk).delete()


@on_anonymise
def absences_history(member: StaffMember) -> None:
    """An anonymised person's absences go (staff.platform.retention.services), and so does their history:
    the kind of an absence (sick leave) is about the person."""
    Absence.history.filter(organisation_id=member.organisation_id, staff_id=member.pk).delete()
    GroupMembership.history.filter(organisation_id=member.organisation_id, staff_id=member.pk).delete()


@rule(period="access_log_years", order=90)
def import_runs(*, organisation, cutoff) -> dict[str, int]:
    """Import runs (their plans name people and what changed) go with the access log of the same period."""
    ImportRun.objects.filter(organisation=organisation, created_at__date__lt=cutoff).delete()
    return {}


@on_anonymise
def import_plans(member: StaffMember) -> None:
    """An anonymised person's rows in the plans of past imports lose what they said (the changes: names, dates):
    the row number, the action and the employee number stay, so the run's counts still add up."""
    if not member.employee_number:
        return
    for run in ImportRun.objects.filter(organisation=member.organisation, kind__in=("staff", "absences")):
        plans = run.plans or []
        touched = False
        for plan in plans:
            if plan.get("key") == member.employee_number and plan.get("changes"):
                plan["changes"] = {}
                touched = True
        if touched:
            ImportRun.objects.filter(pk=run.pk).update(plans=plans)
