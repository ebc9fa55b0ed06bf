"""Freezing a month's supplement report once it has been exported or approved (issue 16).

A frozen month keeps its rows as they were exported: selectors/supplements.py shows them from then on,
and a later change that would alter the month shows as a correction in the first month after it that is
not frozen. Freezing is idempotent: the first export or approval of a month freezes it, later ones find
it frozen. A month that has not begun cannot be frozen (nothing of it can have been paid).

Who freezes: payroll's side, HR and the organisation admin, who see the whole organisation's report.
Their export (CSV or API) freezes a month that has ended; the running month exports as a preliminary
report and stays open, so a change later in the month is not a correction. Approving freezes a month
that has begun (the person approving says it is ready). A unit manager's or a department head's export
is of their part only and freezes nothing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember
from staff.platform.tenancy import check_same_org

from ..models import SupplementMonth, SupplementMonthRow
from ..selectors.supplements import priced_months

FREEZERS = ("hr", "org_admin")


def may_freeze(*, month: datetime.date, today: datetime.date | None = None) -> bool:
    return month.replace(day=1) <= (today or timezone.localdate())


def has_ended(*, month: datetime.date, today: datetime.date | None = None) -> bool:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=31)).replace(day=1)
    return following <= (today or timezone.localdate())


@transaction.atomic
def supplement_month_freeze(
    *,
    organisation: Organisation,
    month: datetime.date,
    how: str,
    by: StaffMember | None = None,
    today: datetime.date | None = None,
) -> tuple[SupplementMonth, bool]:
    """(the frozen month, whether this call froze it). Stores the whole organisation's rows and the
    corrections the month carries, with the amounts and terms in force, for the report to show later."""
    check_same_org(organisation, by)
    first = month.replace(day=1)
    if not may_freeze(month=first, today=today):
        raise ValidationError({"month": _("A month that has not begun cannot be approved or frozen.")})
    found = SupplementMonth.objects.filter(organisation=organisation, month=first).first()
    if found is not None:
        return found, False
    priced = priced_months(organisation=organisation, months=[first])[first]
    try:
        with transaction.atomic():
            frozen = SupplementMonth.objects.create(
                organisation=organisation, month=first, how=how, frozen_by=by, terms=priced.signature
            )
    except IntegrityError:  # frozen by a concurrent export
        return SupplementMonth.objects.get(organisation=organisation, month=first), False
    SupplementMonthRow.objects.bulk_create(
        SupplementMonthRow(
            organisation=organisation,
            frozen_month=frozen,
            position=position,
            staff_id=row.staff_id,
            unit_id=row.unit_id,
            unit_name=row.unit_name,
            level_id=row.level_id,
            days=row.days,
            fte=row.fte,
            amount=row.amount,
            corrects=row.corrects,
            reasons=",".join(row.reasons),
        )
        for position, row in enumerate([*priced.rows, *priced.corrections])
    )
    return frozen, True


def supplement_month_exported(
    *, organisation: Organisation, month: datetime.date, by: StaffMember | None = None, today=None
) -> SupplementMonth | None:
    """Payroll's export (CSV or API) of a month that has ended freezes it: payroll may pay what was
    exported. The running month is exported as a preliminary report, a month not begun as a forecast; both
    stay open. The caller checks that the exporter is one of FREEZERS."""
    if not has_ended(month=month, today=today):
        return None
    return supplement_month_freeze(
        organisation=organisation, month=month, how=SupplementMonth.How.EXPORTED, by=by, today=today
    )[0]
