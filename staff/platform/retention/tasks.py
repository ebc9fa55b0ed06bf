"""Celery entry points of retention: a daily fan-out, one thin idempotent task per organisation.

The beat entry is in staff/tasks.py BEAT_SCHEDULE ("retention-daily").
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from staff.models import Organisation
from staff.tasks import fan_out


# Named as before the move into staff/platform/ (issue 17): a message queued by the old code still runs.
@shared_task(name="staff.retention.tasks.retention_all")
def retention_all() -> int:
    return fan_out(retention_run)


@shared_task(name="staff.retention.tasks.retention_run", acks_late=True)
def retention_run(*, organisation_id: int) -> int:
    """Apply the organisation's retention periods today; returns how many rows were removed or anonymised."""
    from staff.platform.retention.services import retention_apply

    organisation = Organisation.objects.get(pk=organisation_id)
    return retention_apply(organisation=organisation, today=timezone.localdate()).total
