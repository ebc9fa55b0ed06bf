"""Writes of the allocation meeting: cycle settings, interest, duty, the proposal and its confirmation."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from staff.models import CASE_WORKER_ROLES, Organisation, RoleAssignment, StaffMember, Unit
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org
from staff.services import Message, notify_many

from ..allocation import propose
from ..allocation.acute import place_acute_over_capacity
from ..allocation.cycle import AllocationPoint, Cycle, validate_cycle_rules
from ..models import Case, CaseloadSettings
from ..services import case_assign
from ..services.cases import handler_levels_check, is_unit_manager
from . import engine, selectors
from .models import CycleSettings, DutyDay, Interest, MeetingCycle, ProposedAllocation, new_feed_token

PROPOSAL_SECONDS = 2.0


def _require_manager(actor: StaffMember, unit: Unit) -> None:
    if not is_unit_manager(staff=actor, unit=unit):
        raise ValidationError(_("Only a manager of the unit can do this."))


@transaction.atomic
def cycle_settings_save(
    *,
    organisation: Organisation,
    actor: StaffMember,
    unit: Unit,
    anchor: datetime.date,
    period_weeks: int,
    review_reminder_days: str = "7,3",
) -> CycleSettings:
    check_same_org(organisation, actor, unit)
    _require_manager(actor, unit)
    validate_cycle_rules(anchor=anchor, period_weeks=period_weeks)
    parts = [p.strip() for p in (review_reminder_days or "").split(",") if p.strip()]
    if not parts or not all(p.isascii() and p.isdecimal() and 0 <= int(p) <= 7 * period_weeks for p in parts):
        raise ValidationError(
            {"review_reminder_days": _("Give whole days between 0 and the cycle's length, separated by commas.")}
        )
    settings = CycleSettings.objects.filter(organisation=organisation, unit=unit).first()
    settings = settings or CycleSettings(organisation=organisation, unit=unit)
    settings.anchor, settings.period_weeks = anchor, period_weeks
    settings.review_reminder_days = ",".join(str(d) for d in sorted({int(p) for p in parts}, reverse=True))
    settings.full_clean(exclude=["organisation", "unit"])
    settings.save()
    return settings


@transaction.atomic
def feed_token_regenerate(*, organisation: Organisation, actor: StaffMember, settings: CycleSettings) -> CycleSettings:
    """A new secret feed address: the old one stops working at once."""
    check_same_org(organisation, actor, settings)
    _require_manager(actor, settings.unit)
    settings.feed_token = new_feed_token()
    settings.save(update_fields=["feed_token", "updated_at"])
    return settings


def meeting_cycle_ensure(
    *, organisation: Organisation, unit: Unit, cycle: Cycle | AllocationPoint
) -> tuple[MeetingCycle, bool]:
    """The row of a cycle's meeting, or of a later week's allocation point (a Cycle means its meeting)."""
    point = cycle if isinstance(cycle, AllocationPoint) else cycle.point(1)
    created = False
    try:
        with transaction.atomic():
            meeting, created = MeetingCycle.objects.get_or_create(
                organisation=organisation,
                unit=unit,
                allocation_monday=point.allocation_monday,
                defaults={"ends": point.ends, "week": point.week},
            )
    except IntegrityError:  # created concurrently
        meeting = MeetingCycle.objects.get(
            organisation=organisation, unit=unit, allocation_monday=point.allocation_monday
        )
    return meeting, created


def cycles_roll_forward(*, organisation: Organisation, today: datetime.date) -> int:
    """Make sure every unit with cycle settings has its current and next cycle (idempotent)."""
    created = 0
    for settings in CycleSettings.objects.filter(organisation=organisation).select_related("unit"):
        current = settings.rules.cycle_on(today)
        for cycle in (current, settings.rules.cycle(current.number + 1)):
            created += meeting_cycle_ensure(organisation=organisation, unit=settings.unit, cycle=cycle)[1]
    return created


def _is_case_worker_of(person: StaffMember, unit: Unit) -> bool:
    return RoleAssignment.objects.filter(
        organisation_id=person.organisation_id, staff=person, unit=unit, role__in=CASE_WORKER_ROLES
    ).exists()


@transaction.atomic
def interest_toggle(*, organisation: Organisation, staff: StaffMember, case: Case) -> bool:
    """Mark (or withdraw) interest in a queued case of one's own unit. Returns True when now interested."""
    check_same_org(organisation, staff, case)
    if staff.unit_id != case.unit_id or not _is_case_worker_of(staff, case.unit):
        raise ValidationError(_("You can only mark interest in cases of your own unit."))
    if case.status != Case.Status.AWAITING_ALLOCATION:
        raise ValidationError(_("The case is no longer awaiting allocation."))
    deleted, _rows = Interest.objects.filter(organisation=organisation, case=case, staff=staff).delete()
    if deleted:
        return False
    Interest.objects.create(organisation=organisation, case=case, staff=staff)
    return True


@transaction.atomic
def duty_set(
    *,
    organisation: Organisation,
    actor: StaffMember,
    meeting: MeetingCycle,
    day: datetime.date,
    staff: list[StaffMember],
) -> list[StaffMember]:
    """Replace the duty roster of one day of the allocation week; returns who was on duty that day and no
    longer is (the manager is told: the form replaces the day's list)."""
    check_same_org(organisation, actor, meeting, *staff)
    _require_manager(actor, meeting.unit)
    if day not in meeting.allocation_days:
        raise ValidationError({"day": _("Duty is planned for the days of the allocation week only.")})
    for person in staff:
        if person.unit_id != meeting.unit_id:
            raise ValidationError({"staff": _("%(name)s does not work in this unit.") % {"name": person}})
    current = DutyDay.objects.filter(organisation=organisation, cycle=meeting, day=day).select_related("staff")
    keep = {p.pk for p in staff}
    removed = [d.staff for d in current if d.staff_id not in keep]
    current.delete()
    DutyDay.objects.bulk_create([DutyDay(organisation=organisation, cycle=meeting, day=day, staff=p) for p in staff])
    return removed


def _reasons(p) -> str:
    """The engine's reasons per role, as ProposedAllocation.reason_lines reads them: "main=a+b;co=c;notes=d"."""
    parts = [(role, choice.reasons) for role, choice in (("main", p.main), ("co", p.co)) if choice]
    parts.append(("notes", p.notes))
    return ";".join(f"{role}={'+'.join(str(r) for r in reasons)}" for role, reasons in parts if reasons)


def _snapshot(situations) -> dict[str, list[str]]:
    return {str(s.staff.pk): [str(s.capacity), str(s.load)] for s in situations}


@transaction.atomic
def proposal_make(
    *, organisation: Organisation, actor: StaffMember, meeting: MeetingCycle, time_limit: float = PROPOSAL_SECONDS
) -> list[ProposedAllocation]:
    """Run the engine over the queue and store its proposal (replacing an earlier unconfirmed one).

    At the cycle's meeting the whole queue goes in; at a later week's point the cases carried over into it
    (docs/domain.md section 7) and any acute case waiting. Either way a carried-over case is marked where from."""
    check_same_org(organisation, actor, meeting)
    _require_manager(actor, meeting.unit)
    meeting = MeetingCycle.objects.select_for_update().get(pk=meeting.pk)
    if meeting.confirmed_at:
        raise ValidationError(_("This allocation is already confirmed."))
    settings = CaseloadSettings.for_org(organisation)
    point = _point_of(meeting)
    queue = selectors.allocation_queue(
        organisation=organisation, unit=meeting.unit, on=meeting.allocation_monday, point=meeting.allocation_monday
    )
    if meeting.week > 1:
        queue = [r for r in queue if r.carried_from is not None or r.case.acute]
    situations = selectors.worker_situations(organisation=organisation, unit=meeting.unit, cycle=point, meeting=meeting)
    cases = engine.queued_cases(organisation, queue)
    workers = engine.workers(situations)
    rules = engine.allocation_rules(settings)
    # An acute case is always allocated: over capacity, to the least loaded who may take it, if need be.
    result = place_acute_over_capacity(propose(cases, workers, rules, time_limit=time_limit), cases, workers, rules)
    waited = {r.case.pk: r.weeks_waited for r in queue}
    carried = {r.case.pk: r.carried_from.meeting_id for r in queue if r.carried_from is not None}
    ProposedAllocation.objects.filter(organisation=organisation, cycle=meeting).delete()
    rows = [
        ProposedAllocation(
            organisation=organisation,
            cycle=meeting,
            case_id=p.case_id,
            outcome=str(p.outcome),
            main_id=p.main_id,
            co_id=p.co_id,
            reasons=_reasons(p)[:200],
            weeks_waited=waited[p.case_id],
            carried_from_id=carried.get(p.case_id),
        )
        for p in result.cases
    ]
    ProposedAllocation.objects.bulk_create(rows)
    meeting.proposed_at = timezone.now()
    meeting.snapshot = _snapshot(situations)
    meeting.proposal_proven = result.status == "OPTIMAL"
    meeting.proposal_gap = None if result.gap is None else 100 * result.gap  # per cent
    meeting.save(update_fields=["proposed_at", "snapshot", "proposal_proven", "proposal_gap"])
    return rows


def _point_of(meeting: MeetingCycle) -> AllocationPoint:
    settings = CycleSettings.objects.get(organisation_id=meeting.organisation_id, unit_id=meeting.unit_id)
    return settings.rules.point_on(meeting.allocation_monday)


@transaction.atomic
def proposal_adjust(
    *,
    organisation: Organisation,
    actor: StaffMember,
    row: ProposedAllocation,
    main: StaffMember | None,
    co: StaffMember | None,
) -> ProposedAllocation:
    """The manager's change to one case: new handlers, or none (the case is carried over)."""
    check_same_org(organisation, actor, row, main, co)
    _require_manager(actor, row.cycle.unit)
    if row.cycle.confirmed_at:
        raise ValidationError(_("This allocation is already confirmed."))
    if main is None and co is not None:
        raise ValidationError({"main": _("Choose a main handler before a co-handler.")})
    if main is not None and co is not None and main.pk == co.pk:
        raise ValidationError({"co": _("The main handler and the co-handler must be different people.")})
    for field, person in (("main", main), ("co", co)):
        if person is not None and (
            person.unit_id != row.cycle.unit_id or not _is_case_worker_of(person, row.cycle.unit)
        ):
            raise ValidationError({field: _("%(name)s is not a social worker in this unit.") % {"name": person}})
    if main is not None:  # the level rules now, not first at confirmation
        handler_levels_check(
            organisation=organisation,
            case=row.case,
            main=main,
            co=co,
            on=row.cycle.allocation_monday,
            settings=CaseloadSettings.for_org(organisation),
        )
    row.main, row.co, row.adjusted = main, co, True
    if main is not None:
        row.outcome = ProposedAllocation.Outcome.ASSIGNED
    else:
        row.outcome = ProposedAllocation.Outcome.FLAGGED if row.case.acute else ProposedAllocation.Outcome.CARRIED_OVER
    row.save(update_fields=["main", "co", "adjusted", "outcome"])
    return row


def _capacity_changes(meeting: MeetingCycle, situations, involved: set[int]) -> list[str]:
    changes = []
    for s in situations:
        before = meeting.snapshot.get(str(s.staff.pk))
        if s.staff.pk in involved and before is not None and Decimal(before[0]) != s.capacity:
            changes.append(
                _("The capacity of %(name)s changed from %(before)s to %(after)s since the proposal.")
                % {
                    "name": s.staff,
                    "before": number_format(Decimal(before[0]), 1),
                    "after": number_format(s.capacity, 1),
                }
            )
    return changes


@transaction.atomic
def proposal_confirm(*, organisation: Organisation, actor: StaffMember, meeting: MeetingCycle) -> dict[str, int]:
    """Create the assignments of the proposal in one transaction through caseload's case_assign.

    The cycle row is locked: a second or concurrent confirmation finds it confirmed and assigns nothing.
    A case that got handlers elsewhere meanwhile is skipped. If a worker's capacity changed since the
    proposal, nothing is saved and the manager is told to make a new proposal.
    """
    check_same_org(organisation, actor, meeting)
    _require_manager(actor, meeting.unit)
    meeting = MeetingCycle.objects.select_for_update().get(organisation=organisation, pk=meeting.pk)
    if meeting.confirmed_at:
        raise ValidationError(_("This allocation is already confirmed."))
    rows = list(
        ProposedAllocation.objects.filter(organisation=organisation, cycle=meeting).select_related("case", "main", "co")
    )
    if not rows:
        raise ValidationError(_("There is no proposal to confirm. Make a proposal first."))
    situations = selectors.worker_situations(
        organisation=organisation, unit=meeting.unit, cycle=_point_of(meeting), meeting=meeting
    )
    involved = {pk for r in rows for pk in (r.main_id, r.co_id) if pk}
    changes = _capacity_changes(meeting, situations, involved)
    if changes:
        raise ValidationError([*changes, _("Make a new proposal before confirming.")])
    today = timezone.localdate()
    counts = {"assigned": 0, "carried_over": 0, "flagged": 0, "skipped": 0}
    for row in rows:
        case = Case.objects.select_for_update().get(organisation=organisation, pk=row.case_id)
        if row.main is None:
            counts["flagged" if case.acute else "carried_over"] += 1
            continue
        if case.status != Case.Status.AWAITING_ALLOCATION:
            counts["skipped"] += 1
            continue
        try:
            case_assign(
                organisation=organisation,
                actor=actor,
                case=case,
                main=row.main,
                co=row.co,
                reason="",
                expected_version=case.version,
                on=today,
            )
        except ValidationError as exc:
            raise ValidationError(
                _("Case %(number)s: %(error)s") % {"number": case.number, "error": " ".join(exc.messages)}
            ) from exc
        row.confirmed = True
        row.save(update_fields=["confirmed"])
        counts["assigned"] += 1
    meeting.confirmed_at = timezone.now()
    meeting.confirmed_by = actor
    meeting.save(update_fields=["confirmed_at", "confirmed_by"])
    _notify_new_cases(organisation, meeting, [r for r in rows if r.confirmed])
    return counts


def _notify_new_cases(organisation: Organisation, meeting: MeetingCycle, rows: list[ProposedAllocation]) -> None:
    """Each person who got cases at the meeting hears once which ones, by case number only (e-mailed after
    commit; the key makes a repeated confirmation send nothing more)."""
    mains: dict[int, list[str]] = {}
    cos: dict[int, list[str]] = {}
    refs: dict[int, list[tuple[int, int]]] = {}  # the cases each message names, for the access log
    for row in rows:
        mains.setdefault(row.main_id, []).append(row.case.number)
        refs.setdefault(row.main_id, []).append((row.case_id, row.case.unit_id))
        if row.co_id:
            cos.setdefault(row.co_id, []).append(row.case.number)
            refs.setdefault(row.co_id, []).append((row.case_id, row.case.unit_id))
    day = meeting.allocation_monday.isoformat()
    messages = []
    for staff_id in sorted(mains.keys() | cos.keys()):
        lines = []
        if staff_id in mains:
            lines.append(_("Main handler: %(cases)s.") % {"cases": ", ".join(sorted(mains[staff_id]))})
        if staff_id in cos:
            lines.append(_("Co-handler: %(cases)s.") % {"cases": ", ".join(sorted(cos[staff_id]))})
        messages.append(
            Message(
                recipient_id=staff_id,
                key=f"allocated:{meeting.pk}:{staff_id}",
                subject=_("New cases from the allocation meeting on %(day)s") % {"day": day},
                body="\n".join(lines),
                url=reverse("caseload:my_caseload"),
                case_refs=tuple(sorted(refs[staff_id])),
            )
        )
    notify_many(organisation=organisation, messages=messages)


@transaction.atomic
def wrap_up_save(*, organisation: Organisation, actor: StaffMember, meeting: MeetingCycle, notes: str) -> MeetingCycle:
    """The Friday wrap-up: what worked well and what less well in this allocation week."""
    check_same_org(organisation, actor, meeting)
    _require_manager(actor, meeting.unit)
    refuse_identity_numbers(notes=notes)
    meeting.wrap_up_notes = (notes or "").strip()
    meeting.full_clean(exclude=["organisation", "unit", "confirmed_by"])
    meeting.save(update_fields=["wrap_up_notes"])
    return meeting
