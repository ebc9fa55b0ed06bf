"""Two people on the month's payroll file (issue 19, part 5).

HR prepares a month: the file's lines are computed and fingerprinted. Another person, HR or the organisation
admin, approves: the lines are computed again and must be the very lines prepared (a change in between, of a
level, an amount, an employee number, a cost centre or the pay code, sends the month back to be prepared
again), and approving freezes the month (competence.services.supplements), so that a later change becomes a
correction line in the next month's file. Only an approved month's file is released, and only while its lines
are still the ones approved. The one who prepared cannot approve (also a constraint of the table).

Department heads and unit managers do not approve: they see their part of the month only, and the file is the
whole organisation's.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember, Unit
from staff.platform.tenancy import check_same_org

from .. import payroll
from ..models import PayrollApproval, PayrollLayout, SupplementMonth, UnitCostCentre
from .supplements import may_freeze, supplement_month_freeze

PAYROLL_ROLES = ("hr", "org_admin")


def _checked_lines(organisation: Organisation, month: datetime.date) -> tuple[list[payroll.Line], PayrollLayout]:
    layout = payroll.layout_for(organisation)
    month_lines = payroll.lines(organisation=organisation, month=month, layout=layout)
    payroll.render(layout, month_lines)  # a value the layout cannot hold refuses the month now, not at payroll
    return month_lines, layout


@transaction.atomic
def payroll_prepare(
    *, organisation: Organisation, month: datetime.date, by: StaffMember, today: datetime.date | None = None
) -> PayrollApproval:
    check_same_org(organisation, by)
    first = month.replace(day=1)
    if not may_freeze(month=first, today=today):
        raise ValidationError({"month": _("A month that has not begun cannot be approved or frozen.")})
    approval = PayrollApproval.objects.select_for_update().filter(organisation=organisation, month=first).first()
    month_lines, _layout = _checked_lines(organisation, first)
    prints = payroll.fingerprint(month_lines)
    if approval is not None and approval.approved_by_id and approval.fingerprint == prints:
        raise ValidationError(_("The payroll file for %(month)s is already approved.") % {"month": f"{first:%Y-%m}"})
    fields = {
        "prepared_by": by,
        "prepared_at": timezone.now(),
        "fingerprint": prints,
        "lines": len(month_lines),
        "total": sum((x.amount for x in month_lines), start=Decimal("0")),
        "approved_by": None,
        "approved_at": None,
    }
    if approval is None:
        return PayrollApproval.objects.create(organisation=organisation, month=first, **fields)
    for name, value in fields.items():
        setattr(approval, name, value)
    approval.save()
    return approval


@transaction.atomic
def payroll_approve(*, organisation: Organisation, month: datetime.date, by: StaffMember) -> PayrollApproval:
    check_same_org(organisation, by)
    first = month.replace(day=1)
    approval = PayrollApproval.objects.select_for_update().filter(organisation=organisation, month=first).first()
    if approval is None:
        raise ValidationError(_("The payroll file must be prepared before it can be approved."))
    if approval.approved_by_id:
        raise ValidationError(_("The payroll file for %(month)s is already approved.") % {"month": f"{first:%Y-%m}"})
    if approval.prepared_by_id == by.pk:
        raise ValidationError(_("Someone other than the person who prepared the payroll file must approve it."))
    month_lines, _layout = _checked_lines(organisation, first)
    if payroll.fingerprint(month_lines) != approval.fingerprint:
        raise ValidationError(
            _("The month's supplements changed after the file was prepared. Prepare it again, then approve it.")
        )
    supplement_month_freeze(organisation=organisation, month=first, how=SupplementMonth.How.APPROVED, by=by)
    approval.approved_by, approval.approved_at = by, timezone.now()
    approval.save(update_fields=["approved_by", "approved_at"])
    return approval


def payroll_file(*, organisation: Organisation, month: datetime.date) -> tuple[str, bytes, str]:
    """(file name, bytes, character encoding) of an approved month whose lines are still the ones approved."""
    first = month.replace(day=1)
    approval = PayrollApproval.objects.filter(organisation=organisation, month=first).first()
    if approval is None or not approval.approved_by_id:
        raise ValidationError(_("The payroll file is released once two people have prepared and approved it."))
    month_lines, layout = _checked_lines(organisation, first)
    if payroll.fingerprint(month_lines) != approval.fingerprint:
        raise ValidationError(
            _(
                "The file's lines are no longer the ones approved (an employee number, a cost centre or the pay "
                "code changed). Prepare and approve the month again."
            )
        )
    return payroll.filename(layout, first), payroll.render(layout, month_lines), layout.encoding


@transaction.atomic
def payroll_layout_save(*, organisation: Organisation, by: StaffMember, **fields) -> PayrollLayout:
    check_same_org(organisation, by)
    errors = payroll.layout_errors(
        file_format=fields["file_format"],
        columns=fields["columns"],
        widths=fields.get("widths", ""),
        delimiter=fields.get("delimiter", ""),
    )
    if errors:
        raise ValidationError(errors)
    fields["columns"] = ",".join(c.strip() for c in fields["columns"].split(",") if c.strip())
    layout, _created = PayrollLayout.objects.update_or_create(organisation=organisation, defaults=fields)
    return layout


@transaction.atomic
def cost_centres_save(*, organisation: Organisation, by: StaffMember, codes: dict[int, str]) -> int:
    """Sets each unit's cost centre ({unit id: code}; an empty code removes it). Returns how many changed."""
    check_same_org(organisation, by)
    units = Unit.objects.filter(organisation=organisation).in_bulk(list(codes))
    if len(units) != len(codes):
        raise ValidationError(_("A unit was not found."))
    held = dict(UnitCostCentre.objects.filter(organisation=organisation).values_list("unit_id", "code"))
    changed = 0
    for unit_id, code in codes.items():
        code = code.strip()
        if held.get(unit_id, "") == code:
            continue
        changed += 1
        if code:
            UnitCostCentre.objects.update_or_create(
                organisation=organisation, unit=units[unit_id], defaults={"code": code}
            )
        else:
            UnitCostCentre.objects.filter(organisation=organisation, unit_id=unit_id).delete()
    return changed
