"""Reads of the allocation meeting: the unit's cycle, the queue and every worker's situation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch

from staff.models import Absence, Organisation, StaffMember, Unit
from staff.platform.tenancy import get_for_org

from ..allocation.acute import place_least_loaded
from ..allocation.cycle import AllocationPoint, Cycle
from ..allocation.model import Reason
from ..models import Case, CaseloadSettings
from ..rules import rule_level
from ..selectors import WorkerLoad, unit_case_workers, worker_loads
from ..selectors.load import absent_share
from . import engine
from .models import CycleSettings, DutyDay, Interest, MeetingCycle, ProposedAllocation


def cycle_settings(*, organisation: Organisation, unit: Unit) -> CycleSettings | None:
    return CycleSettings.objects.filter(organisation=organisation, unit=unit).first()


def board_cycle(settings: CycleSettings, today: datetime.date) -> Cycle:
    """The cycle whose allocation week is this week, or else the next one."""
    cycle = settings.rules.cycle_on(today)
    return cycle if today in cycle.allocation_week else settings.rules.cycle(cycle.number + 1)


def board_point(
    *, organisation: Organisation, unit: Unit, settings: CycleSettings, today: datetime.date
) -> AllocationPoint:
    """The allocation point the board works on: the meeting in the allocation week; in a later week of the
    cycle that week's point when cases are carried over into it (or it has been worked on); else the next
    cycle's meeting (board_cycle)."""
    point = settings.rules.point_on(today)
    if not point.is_meeting and (
        MeetingCycle.objects.filter(organisation=organisation, unit=unit, allocation_monday=point.allocation_monday)
        .exclude(week=1)
        .exists()
        or carried_over_into(organisation=organisation, unit=unit, monday=point.allocation_monday)
    ):
        return point
    return board_cycle(settings, today).point(1)


@dataclass(frozen=True)
class CarriedFrom:
    """The earlier allocation point that left a case over: its week of the cycle and its Monday (as on
    MeetingCycle, so a template reads both alike)."""

    meeting_id: int
    week: int
    allocation_monday: datetime.date


def carried_over_into(*, organisation: Organisation, unit: Unit, monday: datetime.date) -> dict[int, CarriedFrom]:
    """{case id: where from} for the cases carried over into the allocation point of the week of ``monday``
    (docs/domain.md section 7: non-acute cases that cannot be allocated are carried over to the next week): not
    acute, still awaiting allocation, and left over by the latest confirmed point before that week. A case
    allocated in between (allocate now, say) no longer awaits allocation. One query."""
    latest: dict[int, tuple[str, CarriedFrom]] = {}
    rows = (
        ProposedAllocation.objects.filter(
            organisation=organisation,
            cycle__unit=unit,
            cycle__confirmed_at__isnull=False,
            cycle__allocation_monday__lt=monday,
            case__status=Case.Status.AWAITING_ALLOCATION,
            case__acute=False,
        )
        .order_by("cycle__allocation_monday")
        .values_list("case_id", "outcome", "cycle_id", "cycle__week", "cycle__allocation_monday")
    )
    for case_id, outcome, meeting_id, week, day in rows:
        latest[case_id] = (outcome, CarriedFrom(meeting_id, week, day))
    return {k: v for k, (outcome, v) in latest.items() if outcome == ProposedAllocation.Outcome.CARRIED_OVER}


def meeting_cycle_for(*, organisation: Organisation, unit: Unit, cycle: Cycle) -> MeetingCycle | None:
    return MeetingCycle.objects.filter(
        organisation=organisation, unit=unit, allocation_monday=cycle.allocation_monday
    ).first()


def weeks_waited(case: Case, on: datetime.date) -> int:
    return max(0, (on - case.opened_on).days // 7)


@dataclass
class QueueRow:
    case: Case
    weeks_waited: int
    interested: list[StaffMember]
    mine: bool = False
    carried_from: CarriedFrom | None = None


def queued_case(*, organisation: Organisation, unit: Unit, pk: int) -> Case:
    """A case of the unit's allocation queue (awaiting allocation), else 404: whether another id exists or
    waits elsewhere is not told."""
    from django.http import Http404

    found = Case.objects.filter(
        organisation=organisation, unit=unit, status=Case.Status.AWAITING_ALLOCATION, pk=pk
    ).first()
    if found is None:
        raise Http404
    return found


def allocation_queue(
    *, organisation: Organisation, unit: Unit, on: datetime.date, viewer=None, point: datetime.date | None = None
) -> list[QueueRow]:
    """Investigations awaiting allocation, acute first, then those carried over into the allocation point of
    the week of ``point`` (marked with where from), then the longest waiting (two queries, three with a point)."""
    interests = Prefetch("interests", queryset=Interest.objects.select_related("staff").order_by("staff__last_name"))
    cases = (
        Case.objects.filter(organisation=organisation, unit=unit, status=Case.Status.AWAITING_ALLOCATION)
        .prefetch_related(interests)
        .order_by("-acute", "opened_on", "number")
    )
    carried = carried_over_into(organisation=organisation, unit=unit, monday=point) if point else {}
    rows = []
    for c in cases:
        people = [i.staff for i in c.interests.all()]
        mine = viewer is not None and viewer in people
        rows.append(QueueRow(c, weeks_waited(c, on), people, mine=mine, carried_from=carried.get(c.pk)))
    return sorted(rows, key=lambda r: (not r.case.acute, r.carried_from is None))  # stable: then longest waiting


@dataclass
class WorkerSituation:
    staff: StaffMember
    level: int  # the level the rules apply: 1 for a person not placed on the ladder (`placed` False)
    is_specialist: bool
    capacity: Decimal
    load: Decimal
    absent: bool
    duty_days: list[datetime.date] = field(default_factory=list)
    interests: int = 0

    fraction: Decimal = Decimal("0.5")  # the organisation's co-handling share (as WorkerLoad.fraction)
    load_after: Decimal | None = None  # weighted load with the proposal as it stands
    placed: bool = True
    measure: WorkerLoad | None = None  # the one measure of load, as the other pages show it (caseload/_load.html)

    @property
    def free(self) -> Decimal:
        return max(Decimal(0), self.capacity - self.load)

    @property
    def holds_no_cases(self) -> bool:
        """A specialist with no capacity of their own (specialists hold no own cases): their co-handled
        cases are not an overload."""
        return self.is_specialist and not self.capacity

    @property
    def over(self) -> Decimal:
        """How far the weighted load is above capacity (0 when within it, and for holds_no_cases)."""
        return Decimal(0) if self.holds_no_cases else max(Decimal(0), self.load - self.capacity)

    @property
    def over_after(self) -> bool:
        return not self.holds_no_cases and self.load_after is not None and self.load_after > self.capacity


def worker_situations(
    *, organisation: Organisation, unit: Unit, cycle: Cycle | AllocationPoint, meeting: MeetingCycle | None
) -> list[WorkerSituation]:
    """Each worker's load against capacity (the one measure, worker_loads, with capacity for the cycle, or from
    a later week's allocation point to the cycle's end: FTE and absence in that period), level, duty and absence
    in the point's week."""
    settings = CaseloadSettings.for_org(organisation)
    start = cycle.allocation_monday
    staff = list(unit_case_workers(organisation=organisation, unit=unit, on=start))
    ids = [s.pk for s in staff]
    cycle_absences = list(
        Absence.objects.filter(
            organisation=organisation, staff_id__in=ids, start__lte=cycle.ends, end__gte=cycle.starts
        )
    )
    loads = {
        w.staff.pk: w
        for w in worker_loads(
            organisation=organisation,
            staff=staff,
            today=start,
            settings=settings,
            absences=cycle_absences,
            period=(cycle.starts, cycle.ends),
        )
    }
    absences: dict[int, list[Absence]] = {}
    for a in cycle_absences:
        absences.setdefault(a.staff_id, []).append(a)
    duty: dict[int, list[datetime.date]] = {}
    if meeting is not None:
        for d in DutyDay.objects.filter(organisation=organisation, cycle=meeting):
            duty.setdefault(d.staff_id, []).append(d.day)
    interest_counts = dict(
        Interest.objects.filter(
            organisation=organisation, staff_id__in=ids, case__status=Case.Status.AWAITING_ALLOCATION
        )
        .values_list("staff_id")
        .annotate(n=Count("id"))
    )
    week = cycle.allocation_week
    result = []
    for s in staff:
        measure = loads[s.pk]
        level = measure.level
        result.append(
            WorkerSituation(
                staff=s,
                level=rule_level(level),
                placed=level is not None,
                is_specialist=bool(level and level.is_specialist),
                capacity=measure.capacity,
                load=measure.load,
                fraction=measure.fraction,
                absent=absent_share(absences.get(s.pk, []), week.monday, week.friday) >= 1,
                duty_days=sorted(duty.get(s.pk, [])),
                interests=interest_counts.get(s.pk, 0),
                measure=measure,
            )
        )
    return result


def proposals(*, organisation: Organisation, meeting: MeetingCycle | None) -> list[ProposedAllocation]:
    if meeting is None:
        return []
    rows = (
        ProposedAllocation.objects.filter(organisation=organisation, cycle=meeting)
        .select_related("case", "main", "co", "carried_from")
        .order_by("-case__acute", "case__opened_on", "case__number")
    )
    # as the queue: acute, then carried over from an earlier point, then the longest waiting
    return sorted(rows, key=lambda r: (not r.case.acute, r.carried_from_id is None))


def meeting_get(*, organisation: Organisation, pk) -> MeetingCycle:
    return get_for_org(MeetingCycle.objects.select_related("unit"), organisation=organisation, pk=pk)


def proposal_get(*, organisation: Organisation, meeting: MeetingCycle, pk) -> ProposedAllocation:
    return get_for_org(
        ProposedAllocation.objects.filter(cycle=meeting).select_related("case", "cycle__unit"),
        organisation=organisation,
        pk=pk,
    )


@dataclass
class FollowUp:
    meeting: MeetingCycle
    allocated: int
    carried_over: int
    flagged: int
    average_wait: Decimal | None
    spread_before: int | None  # percentage points between the most and the least loaded worker
    spread_after: int | None
    closed: int
    closed_target: int
    acute_reassignments: list = field(default_factory=list)


def _spread(ratios: list[Decimal]) -> int | None:
    return round((max(ratios) - min(ratios)) * 100) if ratios else None


def cycle_follow_ups(*, organisation: Organisation, unit: Unit, limit: int = 6) -> list[FollowUp]:
    """Per confirmed cycle: allocated, carried over, average wait, load spread before/after, closed vs target,
    and the handler changes in acute cases during the cycle (redistribution). A fixed number of queries per cycle."""
    from ..models import CaseEvent, Investigation

    settings = CaseloadSettings.for_org(organisation)
    meetings = list(
        MeetingCycle.objects.filter(organisation=organisation, unit=unit, week=1, confirmed_at__isnull=False)
        .order_by("-allocation_monday")
        .prefetch_related(Prefetch("proposals", queryset=ProposedAllocation.objects.select_related("case")))[:limit]
    )
    result = []
    fraction = Decimal(settings.co_handler_fraction)
    for m in meetings:
        rows = list(m.proposals.all())
        placed = [r for r in rows if r.confirmed]
        before = {int(k): (Decimal(v[0]), Decimal(v[1])) for k, v in m.snapshot.items()}
        after = _with_rows({k: v[1] for k, v in before.items()}, placed, fraction)
        with_capacity = [k for k, v in before.items() if v[0] > 0]
        closed = Investigation.objects.filter(
            organisation=organisation, unit=unit, closed_on__gte=m.allocation_monday, closed_on__lte=m.ends
        ).count()
        months = Decimal((m.ends - m.allocation_monday).days + 1) / Decimal("30.4")
        target = round(len(with_capacity) * settings.closed_per_month_target * months)
        acute = list(
            CaseEvent.objects.filter(
                organisation=organisation,
                case__unit=unit,
                case__acute=True,
                kind=CaseEvent.Kind.ASSIGNED,
                at__date__gt=m.allocation_monday,
                at__date__lte=m.ends,
            ).select_related("case")
        )
        result.append(
            FollowUp(
                meeting=m,
                allocated=len(placed),
                carried_over=sum(1 for r in rows if r.outcome == ProposedAllocation.Outcome.CARRIED_OVER),
                flagged=sum(1 for r in rows if r.outcome == ProposedAllocation.Outcome.FLAGGED),
                average_wait=(
                    (Decimal(sum(r.weeks_waited for r in placed)) / len(placed)).quantize(Decimal("0.1"))
                    if placed
                    else None
                ),
                spread_before=_spread([before[k][1] / before[k][0] for k in with_capacity]),
                spread_after=_spread([after[k] / before[k][0] for k in with_capacity]),
                closed=closed,
                closed_target=target,
                acute_reassignments=acute,
            )
        )
    return result


def _with_rows(loads: dict[int, Decimal], rows, fraction: Decimal) -> dict[int, Decimal]:
    """Weighted loads with the rows' cases added: the main handler at the case's weight, the co-handler at
    the co-handling fraction of it (as the engine counts)."""
    for r in rows:
        if r.main_id in loads:
            loads[r.main_id] += r.case.weight
        if r.co_id in loads:
            loads[r.co_id] += fraction * r.case.weight
    return loads


def with_load_after_proposal(situations: list[WorkerSituation], rows) -> list[WorkerSituation]:
    """Sets each worker's weighted load with the proposal's rows as they stand (``load_after``)."""
    if rows and situations:
        after = _with_rows({s.staff.pk: s.load for s in situations}, rows, situations[0].fraction)
        for s in situations:
            s.load_after = after[s.staff.pk]
    return situations


def over_capacity_after_proposal(
    *, organisation: Organisation, unit: Unit, meeting: MeetingCycle, staff
) -> list[tuple[str, Decimal, Decimal]]:
    """(name, weighted load with the proposal, capacity) of those among ``staff`` the proposal puts over
    their capacity: a warning for the manager, not a refusal (the manager decides)."""
    ids = {s.pk for s in staff if s is not None}
    if not ids:
        return []
    settings = CycleSettings.objects.get(organisation=organisation, unit=unit)
    situations = worker_situations(
        organisation=organisation, unit=unit, cycle=settings.rules.point_on(meeting.allocation_monday), meeting=meeting
    )
    with_load_after_proposal(situations, proposals(organisation=organisation, meeting=meeting))
    return [(s.staff.full_name, s.load_after, s.capacity) for s in situations if s.staff.pk in ids and s.over_after]


@dataclass
class AllocateNow:
    """Who "allocate now" proposes for one waiting case: the least loaded who may take it (docs/domain.md
    section 7, issue 16: an acute case is always allocated, over capacity if need be), and who that puts
    over capacity: [(name, weighted load with the case, capacity)]."""

    main: StaffMember
    co: StaffMember | None
    over: list[tuple[str, Decimal, Decimal]]


def allocate_now(*, organisation: Organisation, case: Case, today: datetime.date) -> AllocateNow | None:
    """The least loaded eligible main handler (load relative to capacity after taking the case) and a
    co-handler, from this week's situation of the case's unit. None when the case is not waiting, the unit
    has no allocation cycle, or nobody may take it."""
    settings = cycle_settings(organisation=organisation, unit=case.unit)
    if settings is None or case.status != Case.Status.AWAITING_ALLOCATION:
        return None
    situations = worker_situations(
        organisation=organisation, unit=case.unit, cycle=settings.rules.point_on(today), meeting=None
    )
    workers = engine.workers(situations)
    queued = engine.queued_cases(organisation, [QueueRow(case, weeks_waited(case, today), [])])[0]
    loads = {w.id: w.load_units for w in workers}
    placed = place_least_loaded(queued, workers, loads, engine.allocation_rules(CaseloadSettings.for_org(organisation)))
    if placed is None:
        return None
    staff = {s.staff.pk: s.staff for s in situations}
    over = [
        (staff[c.worker_id].full_name, c.load_after, c.capacity)
        for c in (placed.main, placed.co)
        if c is not None and Reason.OVER_CAPACITY in c.reasons
    ]
    return AllocateNow(
        main=staff[placed.main.worker_id], co=staff[placed.co.worker_id] if placed.co else None, over=over
    )
