"""Cases, handlers, investigations and extension decisions."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from competence.selectors import levels_on
from staff.models import CASE_WORKER_ROLES, MANAGER_ROLES, Organisation, RoleAssignment, StaffMember, Unit
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org
from staff.services import notify

from .. import rules
from ..case_numbers import case_number_check
from ..models import Assignment, Case, CaseEvent, CaseloadSettings, Extension, Investigation


def is_unit_manager(*, staff: StaffMember, unit: Unit) -> bool:
    return RoleAssignment.objects.filter(
        organisation_id=staff.organisation_id, staff=staff, unit=unit, role__in=MANAGER_ROLES
    ).exists()


def _not_far_ahead(day: datetime.date | None, field: str, settings: CaseloadSettings) -> None:
    if day and day > rules.latest_allowed(timezone.localdate(), settings):
        raise ValidationError({field: _("The date lies too far in the future. Check the year.")})


def _event(case: Case, actor: StaffMember | None, kind: str, detail: str = "") -> CaseEvent:
    return CaseEvent.objects.create(
        organisation_id=case.organisation_id, case=case, actor=actor, kind=kind, detail=detail
    )


@transaction.atomic
def case_create(
    *,
    organisation: Organisation,
    actor: StaffMember | None,
    number: str,
    unit: Unit,
    opened_on: datetime.date,
    kind: str = Case.Kind.INVESTIGATION,
    weight: int = 1,
    acute: bool = False,
    shape_checked: bool = False,
) -> Case:
    """Register a case (awaiting allocation until it has a main handler).

    The number must match the organisation's case-number pattern, unless it was checked when it was typed in
    (intake's registration: a pattern changed since then does not block the decision to investigate).
    """
    check_same_org(organisation, actor, unit)
    settings = CaseloadSettings.for_org(organisation)
    number = (number or "").strip()
    case_number_check(number=number, pattern=None if shape_checked else settings.case_number_pattern, field="number")
    case = Case(
        organisation=organisation,
        number=number,
        unit=unit,
        opened_on=opened_on,
        kind=kind,
        weight=weight,
        acute=acute,
        status=Case.Status.AWAITING_ALLOCATION,
    )
    if weight and weight > settings.top_weight:
        raise ValidationError({"weight": _("The weight must be between 1 and %(top)s.") % {"top": settings.top_weight}})
    _not_far_ahead(opened_on, "opened_on", settings)
    if Case.objects.filter(organisation=organisation, number__iexact=number).exists():
        raise ValidationError({"number": _("A case with this number already exists.")})
    case.full_clean(exclude=["organisation"])
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # a concurrent registration of the same number
        raise ValidationError({"number": _("A case with this number already exists.")}) from exc
    _event(case, actor, CaseEvent.Kind.CREATED, case.number)
    return case


def _check_handler(
    person: StaffMember, case: Case, field: str, roles: dict[int, set[str]], organisation: Organisation
) -> None:
    if person.organisation_id != organisation.pk or person.unit_id != case.unit_id or not roles.get(person.pk):
        raise ValidationError(
            {field: _("%(name)s is not a social worker in the unit %(unit)s.") % {"name": person, "unit": case.unit}}
        )


def handler_levels_check(
    *,
    organisation: Organisation,
    case: Case,
    main: StaffMember,
    co: StaffMember | None,
    on: datetime.date,
    settings: CaseloadSettings,
) -> None:
    """The level rules for a main handler (docs/domain.md section 5): a specialist holds no own cases; a
    level-1 worker is never main handler of a case of the highest weight and always has a co-handler."""
    level = levels_on(organisation=organisation, on=on, staff_ids=[main.pk]).get(main.pk)
    if level is not None and level.is_specialist and settings.specialists_hold_no_cases:
        raise ValidationError(
            {"main": _("A specialist holds no own cases: choose the specialist as co-handler instead.")}
        )
    if rules.is_new(level):  # level 1, or not placed on the ladder yet
        if case.weight >= settings.top_weight:
            raise ValidationError(
                {"main": _("A level-1 worker cannot be main handler of a case of the highest weight.")}
            )
        if co is None:
            raise ValidationError({"co": _("A level-1 worker always has a co-handler: choose one.")})


@transaction.atomic
def case_assign(
    *,
    organisation: Organisation,
    actor: StaffMember,
    case: Case,
    main: StaffMember,
    co: StaffMember | None,
    reason: str = "",
    expected_version: int,
    on: datetime.date | None = None,
) -> Case:
    """Set the main and co-handler of a case, ending the current ones (history kept).

    `expected_version` is the case version the manager saw: if someone else changed the handlers
    meanwhile, the guarded update finds no row and the second manager is told instead of overwriting.
    """
    check_same_org(organisation, actor, case, main, co)
    if not is_unit_manager(staff=actor, unit=case.unit):
        raise ValidationError(_("Only a manager of the unit can assign handlers."))
    return handlers_set(
        organisation=organisation,
        actor=actor,
        case=case,
        main=main,
        co=co,
        reason=reason,
        expected_version=expected_version,
        on=on,
    )


def handlers_set(
    *,
    organisation: Organisation,
    actor: StaffMember,
    case: Case,
    main: StaffMember,
    co: StaffMember | None,
    reason: str = "",
    expected_version: int,
    on: datetime.date | None = None,
) -> Case:
    """case_assign's work once the caller may assign (case_assign: a manager of the unit; a leaver's handover:
    also the organisation admin): every rule of handlers and levels, the guarded version, the event."""
    check_same_org(organisation, actor, case, main, co)
    refuse_identity_numbers(reason=reason)
    on = on or timezone.localdate()
    settings = CaseloadSettings.for_org(organisation)
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("The case is closed."))
    if co is not None and co.pk == main.pk:
        raise ValidationError({"co": _("The main handler and the co-handler must be different people.")})
    roles: dict[int, set[str]] = {}
    for staff_id, role in RoleAssignment.objects.filter(
        organisation=organisation,
        unit_id=case.unit_id,
        staff_id__in=[p.pk for p in (main, co) if p],
        role__in=CASE_WORKER_ROLES,
    ).values_list("staff_id", "role"):
        roles.setdefault(staff_id, set()).add(role)
    _check_handler(main, case, "main", roles, organisation)
    if co is not None:
        _check_handler(co, case, "co", roles, organisation)
    handler_levels_check(organisation=organisation, case=case, main=main, co=co, on=on, settings=settings)
    current = {a.role: a for a in Assignment.objects.filter(organisation=organisation, case=case, end__isnull=True)}
    reason = (reason or "").strip()
    if current and not reason:
        raise ValidationError({"reason": _("Give the reason for the reassignment.")})
    won = Case.objects.filter(organisation=organisation, pk=case.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not won:
        raise ValidationError(
            _("Someone else changed the handlers of this case while you were editing. Reload the page and try again.")
        )
    for role, person in ((Assignment.Role.MAIN, main), (Assignment.Role.CO, co)):
        old = current.get(role)
        if old is not None and person is not None and old.staff_id == person.pk:
            continue
        if old is not None:
            old.end = max(on, old.start)
            old.save(update_fields=["end"])
        if person is not None:
            new = Assignment(
                organisation=organisation,
                case=case,
                staff=person,
                role=role,
                start=on,
                assigned_by=actor,
                reason=reason[:300],
            )
            new.full_clean(exclude=["organisation", "case", "staff", "assigned_by"])
            new.save()
    if case.status == Case.Status.AWAITING_ALLOCATION:
        case.status = Case.Status.OPEN
        case.save(update_fields=["status"])
    case.version = expected_version + 1
    detail = _("Main handler: %(main)s. Co-handler: %(co)s.") % {"main": main, "co": co or _("none")}
    if reason:
        detail += " " + _("Reason: %(reason)s") % {"reason": reason}
    _event(case, actor, CaseEvent.Kind.ASSIGNED, detail)
    return case


@transaction.atomic
def investigation_open(
    *,
    organisation: Organisation,
    actor: StaffMember | None,
    case: Case,
    start_date: datetime.date,
    new_report: bool,
) -> Investigation:
    """Open an investigation: the target and legal dates are computed now and stored.

    Opening one within the chain window after closing another, without a new report, is flagged.
    """
    check_same_org(organisation, actor, case)
    settings = CaseloadSettings.for_org(organisation)
    _not_far_ahead(start_date, "start_date", settings)
    case = Case.objects.select_for_update().get(organisation=organisation, pk=case.pk)
    if Investigation.objects.filter(organisation=organisation, case=case, closed_on__isnull=True).exists():
        raise ValidationError(_("An investigation is already running in this case."))
    if start_date < case.opened_on:
        raise ValidationError({"start_date": _("The investigation cannot start before the case was opened.")})
    last_closed = (
        Investigation.objects.filter(organisation=organisation, case=case, closed_on__isnull=False)
        .order_by("-closed_on")
        .values_list("closed_on", flat=True)
        .first()
    )
    chained = bool(not new_report and last_closed and (start_date - last_closed).days <= settings.chain_window_days)
    investigation = Investigation(
        organisation=organisation,
        case=case,
        unit_id=case.unit_id,
        start_date=start_date,
        target_date=rules.target_date(start_date, settings),
        legal_deadline=rules.legal_deadline(start_date, settings),
        chained=chained,
    )
    investigation.full_clean(exclude=["organisation", "case", "unit", "closed_by_handler"])
    investigation.save()
    if case.status == Case.Status.CLOSED:
        has_main = Assignment.objects.filter(case=case, role=Assignment.Role.MAIN, end__isnull=True).exists()
        case.status = Case.Status.OPEN if has_main else Case.Status.AWAITING_ALLOCATION
        case.closed_on = None
        case.save(update_fields=["status", "closed_on"])
    detail = _("Target date %(target)s, legal deadline %(legal)s.") % {
        "target": investigation.target_date,
        "legal": investigation.legal_deadline,
    }
    if chained:
        detail += " " + _("Flagged: opened within %(days)s days of closing the previous one without a new report.") % {
            "days": settings.chain_window_days
        }
    _event(case, actor, CaseEvent.Kind.INVESTIGATION_OPENED, detail)
    if case.acute and case.status == Case.Status.AWAITING_ALLOCATION:
        _acute_queued_notify(organisation=organisation, investigation=investigation, case=case)
    return investigation


def _acute_queued_notify(*, organisation: Organisation, investigation: Investigation, case: Case) -> None:
    """An acute investigation entered the allocation queue: each manager of the unit is told once, at once
    (docs/domain.md section 7: acute matters are allocated during the week, not left for the next meeting)."""
    managers = {
        ra.staff_id: ra.staff
        for ra in RoleAssignment.objects.filter(
            organisation=organisation, unit_id=case.unit_id, role__in=MANAGER_ROLES
        ).select_related("staff")
    }
    for person in managers.values():
        notify(
            organisation=organisation,
            recipient=person,
            key=f"acute-queued:{investigation.pk}:staff:{person.pk}",
            subject=_("Acute investigation in the allocation queue: case %(number)s") % {"number": case.number},
            body=_("Investigation started %(start)s. Allocate it now from the allocation board.")
            % {"start": investigation.start_date},
            url=reverse("caseload:board", args=[case.unit_id]),
            case_refs=[(case.pk, case.unit_id)],
        )


@transaction.atomic
def investigation_close(
    *,
    organisation: Organisation,
    actor: StaffMember,
    investigation: Investigation,
    closed_on: datetime.date,
    outcome: str,
    close_case: bool = True,
    overrun_reason: str = "",
) -> Investigation:
    """Close an investigation with its date and outcome; optionally close the case and end its assignments.

    Closing after the date in force (the legal deadline, or an extension's new date) without an extension
    decision covering it requires the reason for the overrun (docs/domain.md section 5): it is stored and reported.
    """
    check_same_org(organisation, actor, investigation)
    investigation = (
        Investigation.objects.select_for_update()
        .select_related("case")
        .get(organisation=organisation, pk=investigation.pk)
    )
    if investigation.closed_on is not None:
        raise ValidationError(_("The investigation is already closed."))
    if closed_on is None:
        raise ValidationError({"closed_on": _("Give the closing date.")})
    if closed_on < investigation.start_date:
        raise ValidationError({"closed_on": _("An investigation cannot close before it started.")})
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("The closing date cannot be in the future.")})
    if outcome not in Investigation.Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    overrun_reason = (overrun_reason or "").strip() if closed_on > investigation.deadline else ""
    if closed_on > investigation.deadline and not overrun_reason:
        raise ValidationError(
            {
                "overrun_reason": _(
                    "The investigation closes after the legal deadline without an extension decision: give the reason."
                )
            }
        )
    refuse_identity_numbers(overrun_reason=overrun_reason)
    case = investigation.case
    current = list(Assignment.objects.filter(organisation=organisation, case=case, end__isnull=True))
    if actor.pk not in {a.staff_id for a in current} and not is_unit_manager(staff=actor, unit=case.unit):
        raise ValidationError(_("Only the case's handlers or a manager of the unit can close the investigation."))
    main = next((a.staff for a in current if a.role == Assignment.Role.MAIN), None)
    investigation.closed_on, investigation.outcome, investigation.closed_by_handler = closed_on, outcome, main
    investigation.overrun_reason = overrun_reason
    investigation.full_clean(exclude=["organisation", "case", "unit", "closed_by_handler"])
    investigation.save(update_fields=["closed_on", "outcome", "closed_by_handler", "overrun_reason"])
    if close_case:
        for assignment in current:
            assignment.end = max(closed_on, assignment.start)
            assignment.save(update_fields=["end"])
        case.status, case.closed_on = Case.Status.CLOSED, max(closed_on, case.opened_on)
        case.version = F("version") + 1
        case.save(update_fields=["status", "closed_on", "version"])
    detail = _("Closed %(date)s: %(outcome)s.") % {"date": closed_on, "outcome": investigation.get_outcome_display()}
    if overrun_reason:
        detail += " " + _("Past the legal deadline %(date)s without an extension. Reason: %(reason)s") % {
            "date": investigation.deadline,
            "reason": overrun_reason,
        }
    _event(case, actor, CaseEvent.Kind.INVESTIGATION_CLOSED, detail)
    return investigation


@transaction.atomic
def extension_decide(
    *,
    organisation: Organisation,
    actor: StaffMember,
    investigation: Investigation,
    new_deadline: datetime.date | None,
    reason: str,
) -> Extension:
    """A unit manager's decision, with a special reason, to let an investigation run past the legal date."""
    check_same_org(organisation, actor, investigation)
    refuse_identity_numbers(reason=reason)
    settings = CaseloadSettings.for_org(organisation)
    investigation = (
        Investigation.objects.select_for_update()
        .select_related("case__unit")
        .get(organisation=organisation, pk=investigation.pk)
    )
    if not is_unit_manager(staff=actor, unit=investigation.case.unit):
        raise ValidationError(_("Only a manager of the unit can decide an extension."))
    if investigation.closed_on is not None:
        raise ValidationError(_("The investigation is already closed."))
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the special reason for the extension.")
    if new_deadline is None:
        errors["new_deadline"] = _("Give the new date.")
    elif new_deadline <= investigation.deadline:
        errors["new_deadline"] = _("The new date must be after the current deadline %(date)s.") % {
            "date": investigation.deadline
        }
    if errors:
        raise ValidationError(errors)
    _not_far_ahead(new_deadline, "new_deadline", settings)
    extension = Extension(
        organisation=organisation,
        investigation=investigation,
        new_deadline=new_deadline,
        reason=reason,
        decided_by=actor,
    )
    extension.full_clean(exclude=["organisation", "investigation", "decided_by"])
    extension.save()
    investigation.extended_until = new_deadline
    investigation.save(update_fields=["extended_until"])
    _event(
        investigation.case,
        actor,
        CaseEvent.Kind.EXTENDED,
        _("New date %(date)s. Reason: %(reason)s") % {"date": new_deadline, "reason": reason},
    )
    return extension


@transaction.atomic
def case_report_linked(*, organisation: Organisation, actor: StaffMember | None, investigation: Investigation) -> None:
    """A new report in a case with a running investigation: recorded on the timeline."""
    check_same_org(organisation, actor, investigation)
    _event(investigation.case, actor, CaseEvent.Kind.REPORT_LINKED)


@transaction.atomic
def caseload_settings_update(*, organisation: Organisation, settings: CaseloadSettings, **fields) -> CaseloadSettings:
    check_same_org(organisation, settings)
    for name, value in fields.items():
        setattr(settings, name, value)
    if settings.second_warning_day <= settings.first_warning_day:
        raise ValidationError({"second_warning_day": _("The second warning must come after the first.")})
    if settings.target_days > settings.legal_months * 31:
        raise ValidationError({"target_days": _("The target cannot lie beyond the legal limit.")})
    if not settings.specialists_hold_no_cases and not settings.capacity_level_4:
        message = _("Specialists hold own cases: give level 4 a capacity above 0, or let them hold none.")
        raise ValidationError({"capacity_level_4": message})
    settings.full_clean(exclude=["organisation"])
    settings.save()
    return settings
