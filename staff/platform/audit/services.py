"""Writes of the access log: settings, review marks and the one sanctioned delete path."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember
from staff.platform.audit.models import AccessLogEntry, AccessLogSettings, AccessReview
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org

# The PostgreSQL trigger of migration 0006_access_log_append_only lets a DELETE through only in a
# transaction that set this to 'on' (SET LOCAL): the retention job goes through access_log_purge.
PURGE_SETTING = "stabil.access_log_purge"


@transaction.atomic
def access_log_settings_update(
    *, organisation: Organisation, burst_cases: int, burst_minutes: int, export_max_months: int
) -> AccessLogSettings:
    current = AccessLogSettings.for_org(organisation)
    current.burst_cases = burst_cases
    current.burst_minutes = burst_minutes
    current.export_max_months = export_max_months
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def access_review_mark(
    *, organisation: Organisation, reviewer: StaffMember, key: str, flag: str, month: datetime.date, comment: str
) -> AccessReview:
    """Mark one flag of the monthly review as reviewed. The caller checked the flag is in the reviewer's scope."""
    check_same_org(organisation, reviewer)
    comment = comment.strip()
    refuse_identity_numbers(comment=comment)
    if not comment:
        raise ValidationError({"comment": _("Write what you found out, e.g. who asked for the access.")})
    if AccessReview.objects.filter(organisation=organisation, key=key).exists():
        raise ValidationError({"comment": _("This access is already marked as reviewed.")})
    review = AccessReview(
        organisation=organisation,
        key=key,
        flag=flag,
        month=month.replace(day=1),
        comment=comment,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
    )
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def access_log_purge(*, organisation: Organisation, before: datetime.datetime) -> int:
    """Delete the organisation's log rows older than `before` (for the retention job); returns the count.

    The only delete the database allows: on PostgreSQL the append-only trigger checks PURGE_SETTING.
    """
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
    deleted, _per_model = AccessLogEntry.objects.filter(organisation=organisation, at__lt=before).delete()
    if postgresql:  # only this delete: not the rest of an enclosing transaction
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
    return deleted


EMAILED = "staff:notification_email"  # the url_name of rows written when an e-mail listed case numbers


def emailed_reads(*, organisation_id: int, sent: list[tuple[int, int | None, list]]) -> None:
    """The cases e-mails named: one row per e-mail, attributed to the recipient, all in one INSERT.

    `sent` holds (recipient staff id, their login id, [(case id, unit id), ...]) per e-mail sent. No
    request: no address, method or status (0).
    """
    at = timezone.now()
    rows = [
        AccessLogEntry.showing(
            [("case", case_id, unit_id) for case_id, unit_id in refs],
            organisation_id=organisation_id,
            at=at,
            actor_id=staff_id,
            user_id=user_id,
            channel="email",
            url_name=EMAILED,
            method="",
            status=0,
        )
        for staff_id, user_id, refs in sent
        if refs
    ]
    if rows:
        AccessLogEntry.objects.bulk_create(rows)
