"""Writes of intake: register a report or application, the immediate-protection assessment and the decision."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseload import selectors as caseload_selectors
from caseload import services as caseload_services
from caseload.case_numbers import case_number_check
from caseload.models import CaseloadSettings
from staff.models import CASE_WORKER_ROLES, MANAGER_ROLES, Organisation, RoleAssignment, StaffMember, Unit
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org

from .models import IntakeItem, IntakeSettings


@transaction.atomic
def intake_register(
    *,
    organisation: Organisation,
    actor: StaffMember,
    unit: Unit,
    case_number: str,
    kind: str,
    received_at: datetime.datetime,
    reason: str,
    acute: bool = False,
    about_child: bool = True,
) -> IntakeItem:
    """Register a report or application. In a case with a running investigation it is linked, no pre-assessment."""
    check_same_org(organisation, actor, unit)
    if unit.kind != Unit.Kind.INTAKE:
        raise ValidationError({"unit": _("Choose an intake unit.")})
    if received_at and received_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"received_at": _("The time received cannot be in the future.")})
    settings = IntakeSettings.for_org(organisation)
    case_number = (case_number or "").strip()
    pattern = CaseloadSettings.for_org(organisation).case_number_pattern
    case_number_check(number=case_number, pattern=pattern, field="case_number")
    item = IntakeItem(
        organisation=organisation,
        unit=unit,
        case_number=case_number,
        kind=kind,
        received_at=received_at,
        reason=reason,
        acute=acute,
        about_child=about_child,
        registered_by=actor,
    )
    item.full_clean(exclude=["organisation", "unit", "registered_by", "investigation", "decided_by"])
    received_on = timezone.localtime(received_at).date()
    case = caseload_selectors.find_case(organisation=organisation, number=item.case_number)
    running = caseload_selectors.running_investigation(case=case) if case else None
    if running is not None:
        item.decision, item.decided_on, item.investigation = IntakeItem.Decision.LINKED, received_on, running
        item.decision_reason = _("Linked to the running investigation.")
    else:
        item.due_date = received_on + datetime.timedelta(days=settings.pre_assessment_days)
    item.save()
    if running is not None:
        caseload_services.case_report_linked(organisation=organisation, actor=actor, investigation=running)
    return item


def may_assess(*, staff: StaffMember, unit: Unit) -> bool:
    """Assessments and decisions are made by the intake unit's social workers and managers."""
    return RoleAssignment.objects.filter(
        organisation_id=staff.organisation_id, staff=staff, unit=unit, role__in=CASE_WORKER_ROLES | MANAGER_ROLES
    ).exists()


def _check_assessor(actor: StaffMember, item: IntakeItem) -> None:
    if not may_assess(staff=actor, unit=item.unit):
        raise ValidationError(_("Only the intake unit's social workers and managers assess and decide."))


@transaction.atomic
def intake_assess_protection(
    *, organisation: Organisation, actor: StaffMember, item: IntakeItem, needed: bool, outcome: str
) -> IntakeItem:
    """Record the immediate-protection assessment (made on the day the report arrives): who, when, the outcome.

    An acute item gets it before its pre-assessment decision (`intake_decide`); so does every report about a
    child. Recorded on a later day than the report arrived, the item shows it as late."""
    check_same_org(organisation, actor, item)
    item = IntakeItem.objects.select_for_update().select_related("unit").get(organisation=organisation, pk=item.pk)
    _check_assessor(actor, item)
    if not item.protection_applies:
        raise ValidationError(
            _("Only an acute item or a report about a child needs an immediate-protection assessment.")
        )
    if item.protection_assessed_at is not None:
        raise ValidationError(_("The immediate-protection assessment is already recorded."))
    refuse_identity_numbers(outcome=outcome)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Describe the outcome of the assessment in a few words.")})
    max_length = IntakeItem._meta.get_field("protection_outcome").max_length
    if len(outcome) > max_length:
        raise ValidationError({"outcome": _("Keep the outcome to at most %(n)s characters.") % {"n": max_length}})
    item.protection_assessed_at, item.protection_needed = timezone.now(), needed
    item.protection_outcome, item.protection_assessed_by = outcome, actor
    item.save(
        update_fields=["protection_assessed_at", "protection_needed", "protection_outcome", "protection_assessed_by"]
    )
    return item


@transaction.atomic
def intake_decide(
    *,
    organisation: Organisation,
    actor: StaffMember,
    item: IntakeItem,
    open_investigation: bool,
    reason: str,
    decided_on: datetime.date,
    investigation_unit: Unit | None = None,
    weight: int = 1,
) -> IntakeItem:
    """The pre-assessment decision: open an investigation (the case enters allocation) or not, with reason."""
    check_same_org(organisation, actor, item, investigation_unit)
    item = IntakeItem.objects.select_for_update().select_related("unit").get(organisation=organisation, pk=item.pk)
    _check_assessor(actor, item)
    if item.decision != IntakeItem.Decision.PENDING:
        raise ValidationError(_("This item is already decided."))
    if item.acute and item.protection_assessed_at is None:
        raise ValidationError(
            {
                "open_investigation": ValidationError(
                    _(
                        "An acute item gets its immediate-protection assessment before the decision: "
                        "record the assessment first."
                    ),
                    code="protection_assessment_missing",
                )
            }
        )
    refuse_identity_numbers(reason=reason)
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the decision.")
    if decided_on is None:
        errors["decided_on"] = _("Give the date of the decision.")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("The decision cannot be dated in the future.")
    elif decided_on < timezone.localtime(item.received_at).date():
        errors["decided_on"] = _("The decision cannot be dated before the report was received.")
    if open_investigation and investigation_unit is None:
        errors["investigation_unit"] = _("Choose the unit that will investigate.")
    if errors:
        raise ValidationError(errors)
    if open_investigation:
        case = caseload_selectors.find_case(organisation=organisation, number=item.case_number)
        if case is None:
            case = caseload_services.case_create(
                organisation=organisation,
                actor=actor,
                number=item.case_number,
                unit=investigation_unit,
                opened_on=decided_on,
                weight=weight,
                acute=item.acute,
                shape_checked=True,
            )
        item.investigation = caseload_services.investigation_open(
            organisation=organisation, actor=actor, case=case, start_date=decided_on, new_report=True
        )
        item.decision = IntakeItem.Decision.OPEN
    else:
        item.decision = IntakeItem.Decision.NOT_OPENED
    item.decided_on, item.decision_reason, item.decided_by = decided_on, reason, actor
    item.full_clean(exclude=["organisation", "unit", "registered_by", "investigation", "decided_by"])
    item.save()
    return item


def intake_settings_update(*, organisation: Organisation, settings: IntakeSettings, **fields) -> IntakeSettings:
    """Save the organisation's intake settings (the pre-assessment's days, 1 to 30); the change history names
    the person. Due dates already stored stay: a change applies to items registered after it."""
    check_same_org(organisation, settings)
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean(exclude=["organisation"])
    settings.save()
    return settings
