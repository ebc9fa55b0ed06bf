"""Two people on the month's payroll file (issue 19, part 5).

HR prepares a month: the file's lines are computed and fingerprinted. Another person, HR or the organisation
admin, approves: the lines are computed again and must be the very lines prepared (a change in between, of a
level, an amount, an employee number, a cost centre or the pay code, sends the month back to be prepared
again), and approving freezes the month (competence.services.supplements), so that a later change becomes a
correction line in the next month's file. Only an approved month's file is released, and only while its lines
are still the ones approved. The one who prepared cannot approve (also a constraint of the table).

The approver holds the HR role: the organisation admin may prepare and keeps the settings, but does not approve
alone. Department heads and unit managers do not approve: they see their part of the month only, and the file
is the whole organisation's.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.models import Organisation, RoleAssignment, StaffMember, Unit
from staff.platform.tenancy import check_same_org

from .. import payroll
from ..models import PayrollApproval, PayrollLayout, SupplementMonth, UnitCostCentre
from ..selectors.supplements import SupplementReport
from .supplements import may_freeze, supplement_month_freeze

PAYROLL_ROLES = ("hr", "org_admin")  # prepare, settings
APPROVER_ROLE = "hr"  # approve: another person of HR, never the organisation admin alone


def _checked_lines(
    organisation: Organisation, month: datetime.date, report: SupplementReport | None = None
) -> tuple[list[payroll.Line], PayrollLayout, bytes]:
    """The month's lines, the layout and the file's bytes; refuses what payroll could not take. `report`:
    the whole organisation's report of the month, when the caller has computed it already."""
    layout = payroll.layout_for(organisation)
    if layout.pk is None or not layout.pay_code:
        raise ValidationError(
            _("Save the payroll file's layout with the supplement's pay code (lönart) first, under Payroll file.")
        )
    month_lines = payroll.lines(organisation=organisation, month=month, layout=layout, report=report)
    return month_lines, layout, payroll.render(layout, month_lines)


@transaction.atomic
def payroll_prepare(
    *, organisation: Organisation, month: datetime.date, by: StaffMember, today: datetime.date | None = None
) -> PayrollApproval:
    check_same_org(organisation, by)
    first = month.replace(day=1)
    if not may_freeze(month=first, today=today):
        raise ValidationError({"month": _("A month that has not begun cannot be prepared for payroll.")})
    month_lines, _layout, data = _checked_lines(organisation, first)
    prints = payroll.fingerprint(data)
    fields = {
        "prepared_by": by,
        "prepared_at": timezone.now(),
        "fingerprint": prints,
        "lines": len(month_lines),
        "total": sum((x.amount for x in month_lines), start=Decimal("0")),
        "approved_by": None,
        "approved_at": None,
    }
    try:
        with transaction.atomic():  # the month's first preparation; two at once: one creates, one waits below
            return PayrollApproval.objects.create(organisation=organisation, month=first, **fields)
    except IntegrityError:
        pass
    approval = PayrollApproval.objects.select_for_update().get(organisation=organisation, month=first)
    if approval.approved_by_id and approval.fingerprint == prints:
        raise ValidationError(_("The payroll file for %(month)s is already approved.") % {"month": f"{first:%Y-%m}"})
    for name, value in fields.items():
        setattr(approval, name, value)
    approval.save()
    return approval


def may_approve(staff: StaffMember) -> bool:
    return RoleAssignment.objects.filter(
        organisation_id=staff.organisation_id, staff=staff, role=APPROVER_ROLE
    ).exists()


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
    if not may_approve(by):
        raise ValidationError(_("Another person of HR approves the payroll file."))
    # Freeze first, then read the lines from the month as frozen: what is approved is what stays (a change
    # committed between two reads cannot slip in); a difference undoes the freezing with the rest.
    supplement_month_freeze(organisation=organisation, month=first, how=SupplementMonth.How.APPROVED, by=by)
    _lines, _layout, data = _checked_lines(organisation, first)
    if payroll.fingerprint(data) != approval.fingerprint:
        raise ValidationError(
            _("The month's supplements changed after the file was prepared. Prepare it again, then approve it.")
        )
    approval.approved_by, approval.approved_at = by, timezone.now()
    approval.save(update_fields=["approved_by", "approved_at"])
    return approval


HELD_BACK = gettext_lazy(
    "The file is no longer the one approved (an employee number, a cost centre, a pay code or the layout "
    "changed). Prepare and approve the month again."
)


def held_back(
    *, organisation: Organisation, approval: PayrollApproval, report: SupplementReport | None = None
) -> str | None:
    """Why an approved month's file is not released (its bytes are no longer the ones approved), or None.
    `report`: the whole organisation's report of the month, when the caller (the supplement page) has it."""
    try:
        _lines, _layout, data = _checked_lines(organisation, approval.month, report)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return str(HELD_BACK) if payroll.fingerprint(data) != approval.fingerprint else None


def payroll_file(*, organisation: Organisation, month: datetime.date) -> tuple[str, bytes, str]:
    """(file name, bytes, character encoding) of an approved month whose file is still the one approved."""
    first = month.replace(day=1)
    approval = PayrollApproval.objects.filter(organisation=organisation, month=first).first()
    if approval is None or not approval.approved_by_id:
        raise ValidationError(_("The payroll file is released once two people have prepared and approved it."))
    _lines, layout, data = _checked_lines(organisation, first)
    if payroll.fingerprint(data) != approval.fingerprint:
        raise ValidationError(str(HELD_BACK))
    return payroll.filename(layout, first), data, layout.encoding


@transaction.atomic
def payroll_layout_save(*, organisation: Organisation, by: StaffMember, **fields) -> PayrollLayout:
    check_same_org(organisation, by)
    errors = payroll.layout_errors(
        file_format=fields["file_format"],
        columns=fields["columns"],
        widths=fields.get("widths", ""),
        delimiter=fields.get("delimiter", ""),
        amount_format=fields.get("amount_format", ""),
        pay_codes=[(name, fields.get(name, "")) for name in ("pay_code", "correction_pay_code")],
    )
    if errors:
        raise ValidationError(errors)
    fields["columns"] = ",".join(payroll._parts(fields["columns"]))
    fields["widths"] = ",".join(payroll._parts(fields.get("widths", "")))
    layout, _created = PayrollLayout.objects.update_or_create(organisation=organisation, defaults=fields)
    return layout


@transaction.atomic
def cost_centres_save(*, organisation: Organisation, by: StaffMember, codes: dict[int, str]) -> int:
    """Sets each unit's cost centre ({unit id: code}; an empty code removes it). Returns how many changed.
    Refuses all of it ({unit id: message}) when one code could be misread in the file."""
    check_same_org(organisation, by)
    codes = {unit_id: code.strip() for unit_id, code in codes.items()}
    errors = {str(unit_id): e for unit_id, code in codes.items() if (e := payroll.cost_centre_error(code))}
    if errors:
        raise ValidationError(errors)
    units = Unit.objects.filter(organisation=organisation).in_bulk(list(codes))
    if len(units) != len(codes):
        raise ValidationError(_("A unit was not found."))
    held = dict(UnitCostCentre.objects.filter(organisation=organisation).values_list("unit_id", "code"))
    changed = 0
    for unit_id, code in codes.items():
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
