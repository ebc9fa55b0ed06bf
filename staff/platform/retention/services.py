"""Retention (gallring): remove or anonymise what has passed the organisation's retention periods.

`retention_apply` runs in one transaction per organisation and is idempotent: a second run the same day
finds nothing left to do and adds nothing but zeros to that day's RetentionRun. What is removed is declared
by the apps that own it (`registry.rule` in their `trust.py`); the platform itself anonymises former staff
and purges the access log.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import Absence, ApiToken, Notification, Organisation, StaffMember
from staff.platform.audit.services import access_log_purge
from staff.platform.history.reasons import change_reason, settings_row
from staff.platform.retention import registry
from staff.platform.retention.models import AnonymisedStaff, RetentionRun, RetentionSettings
from staff.platform.signin_limits import SignInFailure

User = get_user_model()

ANONYMISED_FIRST_NAME = "Gallrad"
REASON = "Gallring"


def retention_settings_get(*, organisation: Organisation) -> RetentionSettings:
    return settings_row(RetentionSettings, organisation)


@transaction.atomic
def retention_settings_update(*, organisation: Organisation, **values) -> RetentionSettings:
    obj = RetentionSettings.objects.select_for_update().get(pk=retention_settings_get(organisation=organisation).pk)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass
class Counts:
    cases: int = 0
    assignments: int = 0
    investigations: int = 0
    intake_items: int = 0
    staff: int = 0
    history_rows: int = 0
    access_log_rows: int = 0


def _anonymise(member: StaffMember, today: datetime.date) -> int:
    user = member.user
    member.first_name = ANONYMISED_FIRST_NAME
    member.last_name = str(member.pk)
    member.email = ""
    member.leaving_reason = ""
    member.user = None
    member.save(update_fields=["first_name", "last_name", "email", "leaving_reason", "user"])
    Notification.objects.filter(organisation=member.organisation, recipient=member).delete()
    ApiToken.objects.filter(organisation=member.organisation, staff=member).delete()
    Absence.objects.filter(organisation=member.organisation, staff=member).delete()
    for hook in registry.anonymise_hooks():
        hook(member)
    if user is not None:
        for model in (AccessAttempt, AccessLog, AccessFailureLog, SignInFailure):
            model.objects.filter(username=user.get_username()).delete()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        user.username = f"gallrad-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
    AnonymisedStaff.objects.create(organisation=member.organisation, staff=member, anonymised_on=today)
    # The staff record's history held the name and e-mail: it goes, including the row the anonymising wrote.
    deleted, _by_model = StaffMember.history.filter(organisation_id=member.organisation_id, id=member.pk).delete()
    return deleted


def _anonymise_former_staff(organisation: Organisation, cutoff: datetime.date, today: datetime.date, counts) -> None:
    members = (
        StaffMember.objects.filter(organisation=organisation, employment_end__lt=cutoff, anonymised__isnull=True)
        .select_related("user", "organisation")
        .order_by("pk")
    )
    for member in members:
        counts.history_rows += _anonymise(member, today)
        counts.staff += 1


@transaction.atomic
def retention_apply(*, organisation: Organisation, today: datetime.date) -> RetentionRun:
    """Apply every app's retention rules (closed cases, decided intake items...) and purge access-log rows past
    their time; anonymise staff who left long ago."""
    settings = RetentionSettings.objects.select_for_update().get(
        pk=retention_settings_get(organisation=organisation).pk
    )
    counts = Counts()
    with change_reason(REASON):
        for rule in registry.rules():
            cutoff = years_before(today, getattr(settings, rule.period))
            for name, value in rule.apply(organisation=organisation, cutoff=cutoff).items():
                setattr(counts, name, getattr(counts, name) + value)
        _anonymise_former_staff(organisation, years_before(today, settings.former_staff_years), today, counts)
    log_cutoff = years_before(today, settings.access_log_years)
    counts.access_log_rows = access_log_purge(
        organisation=organisation,
        before=timezone.make_aware(datetime.datetime.combine(log_cutoff, datetime.time.min)),
    )
    run, _created = RetentionRun.objects.get_or_create(organisation=organisation, run_on=today)
    for f in fields(Counts):
        setattr(run, f.name, getattr(run, f.name) + getattr(counts, f.name))
    run.save()
    return run
