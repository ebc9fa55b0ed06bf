import datetime

from django.utils import timezone

from intake.models import IntakeItem


def item(unit, number="MOT-1", *, by, received=None, days=14, **extra) -> IntakeItem:
    received = received or timezone.now()
    return IntakeItem.objects.create(
        organisation=unit.organisation,
        unit=unit,
        case_number=number,
        received_at=received,
        reason=extra.pop("reason", IntakeItem.Reason.NEGLECT),
        due_date=timezone.localtime(received).date() + datetime.timedelta(days=days),
        registered_by=by,
        **extra,
    )
