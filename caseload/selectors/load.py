"""Capacity and load of workers: capacity per ladder level scaled by FTE and absence in the period."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

from django.conf import settings as django_settings
from django.db.models import Count, Exists, OuterRef, Sum

from competence.models import LadderLevel
from competence.selectors import levels_on
from staff.models import Absence, Organisation, StaffMember

from ..models import Assignment, Case, CaseloadSettings, CoverageFigure, Investigation
from ..rules import rule_level


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def absent_share(absences: Iterable[Absence], start: datetime.date, end: datetime.date) -> Decimal:
    """Share of the period's days lost to absence (weighted by extent), 0..1."""
    days = (end - start).days + 1
    lost = Decimal(0)
    for a in absences:
        overlap = (min(a.end, end) - max(a.start, start)).days + 1
        if overlap > 0:
            lost += Decimal(overlap) * Decimal(a.extent) / 100
    return min(Decimal(1), lost / days)


def base_capacity(level: LadderLevel | None, settings: CaseloadSettings) -> Decimal:
    """The weighted load a full-time worker of this level may carry: the settings' capacity of the level
    (``capacity_level_1`` .. ``capacity_level_4``; a person not placed on the ladder is level 1).

    A specialist who holds no own cases only co-handles: their capacity is their co-handling capacity at the
    co-handling share, so the engine, the board and the unit pages all let them co-handle that many cases."""
    if level is not None and level.is_specialist and settings.specialists_hold_no_cases:
        return Decimal(settings.specialist_co_capacity) * Decimal(settings.co_handler_fraction)
    return Decimal(settings.capacity_for_level(rule_level(level)))


CAPACITY_PLACES = Decimal("0.01")  # the allocation engine's precision (allocation.model.LOAD_SCALE)


def worker_capacity(
    *,
    level: LadderLevel | None,
    fte: Decimal,
    absences: Iterable[Absence],
    start: datetime.date,
    end: datetime.date,
    settings: CaseloadSettings,
) -> Decimal:
    """The one capacity function (dashboard, unit page, board, allocation engine, own page): the level's
    capacity x FTE x (1 - share of the period lost to absence, weighted by extent), in hundredths."""
    share = absent_share(absences, start, end)
    return (base_capacity(level, settings) * Decimal(fte) * (1 - share)).quantize(CAPACITY_PLACES, ROUND_HALF_UP)


NEAR_CAPACITY = (Decimal("99.5"), Decimal("100.5"))  # where a whole-number share could read as "at capacity"


def load_percent(load: Decimal, capacity: Decimal) -> Decimal | None:
    """The share of capacity as shown: whole per cent, but one decimal near 100 % rounded away from 100, so a
    load over capacity never reads "100 %" (100.04 reads 100.1) and one under it never does either (99.96
    reads 99.9). Only an exact 100 reads 100. None without capacity."""
    if not capacity:
        return None
    exact = Decimal(load) * 100 / Decimal(capacity)
    if exact == 100 or not NEAR_CAPACITY[0] <= exact < NEAR_CAPACITY[1]:
        return exact.quantize(Decimal(1), ROUND_HALF_UP)
    return exact.quantize(Decimal("0.1"), ROUND_DOWN if exact < 100 else ROUND_UP)


def plain(value: Decimal) -> Decimal:
    """A load or capacity for display: its hundredths without trailing zeros (19.99, 2.5, 12), never rounded
    further, so the figures beside a share near 100 % read as exactly as the share is compared."""
    value = Decimal(value).quantize(CAPACITY_PLACES, ROUND_HALF_UP)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass
class WorkerLoad:
    """The one measure of load (docs/domain.md section 5): the weighted load against capacity, with the case count.

    load = main-handled cases at their complexity weight + the co-handling share x co-handled cases at theirs;
    capacity = worker_capacity(); percent = load_percent(load, capacity); cases = open cases held (main + co).
    """

    staff: StaffMember
    level: LadderLevel | None
    capacity: Decimal
    main_cases: int = 0
    co_cases: int = 0
    main_weight: int = 0
    co_weight: int = 0
    closed_this_month: int = 0
    fraction: Decimal = Decimal("0.5")
    co_only: bool = False  # a specialist while specialists hold no own cases: capacity is for co-handling

    @property
    def load(self) -> Decimal:
        return Decimal(self.main_weight) + Decimal(self.fraction) * self.co_weight

    @property
    def load_shown(self) -> Decimal:
        return plain(self.load)

    @property
    def capacity_shown(self) -> Decimal:
        return plain(self.capacity)

    @property
    def cases(self) -> int:
        return self.main_cases + self.co_cases

    @property
    def percent(self) -> Decimal | None:
        return load_percent(self.load, self.capacity)

    @property
    def overloaded(self) -> bool:
        """The exact load against the exact capacity (never the rounded share). Without capacity (absent the
        whole period, or a specialist who holds no own cases and co-handles none) an own case is an overload."""
        return self.load > self.capacity if self.capacity else self.main_cases > 0

    @property
    def holds_no_cases(self) -> bool:
        """A specialist without own cases: their load is their co-handled cases, not "x of 0"."""
        return self.co_only

    def as_dict(self) -> dict:
        return {
            "staff_id": self.staff.pk,
            "name": self.staff.full_name,
            "level": self.level.number if self.level else None,
            "capacity": float(self.capacity),
            "main_cases": self.main_cases,
            "co_cases": self.co_cases,
            "cases": self.cases,
            "load": float(self.load),
            "weighted_load": float(self.load),
            "percent": None if self.percent is None else float(self.percent),
            "over_capacity": self.overloaded,
            "closed_this_month": self.closed_this_month,
        }


def worker_loads(
    *,
    organisation: Organisation,
    staff: list[StaffMember],
    today: datetime.date,
    settings: CaseloadSettings,
    absences: Iterable[Absence] | None = None,
    held: Iterable[tuple[int, str, int]] | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> list[WorkerLoad]:
    """The one measure of load for the given people in four queries, whatever the number of cases.

    Capacity is for ``period`` (default: the month of ``today``; the allocation board passes its cycle), the
    level the one on ``today``. A caller that already holds the people's absences (any that overlap the period)
    or their current assignments of open cases as ``held`` (staff id, role, case weight) passes them and saves
    those queries ("my caseload" does).
    """
    ids = [s.pk for s in staff]
    start, end = period or month_bounds(today)
    levels = levels_on(organisation=organisation, on=today, staff_ids=ids)
    if absences is None:
        absences = Absence.objects.filter(organisation=organisation, staff_id__in=ids, start__lte=end, end__gte=start)
    by_staff: dict[int, list[Absence]] = {}
    for a in absences:
        if a.start <= end and a.end >= start:
            by_staff.setdefault(a.staff_id, []).append(a)
    loads = {}
    for s in staff:
        level = levels.get(s.pk)
        capacity = worker_capacity(
            level=level, fte=s.fte, absences=by_staff.get(s.pk, []), start=start, end=end, settings=settings
        )
        co_only = bool(level is not None and level.is_specialist and settings.specialists_hold_no_cases)
        loads[s.pk] = WorkerLoad(
            staff=s, level=level, capacity=capacity, fraction=settings.co_handler_fraction, co_only=co_only
        )
    if held is None:
        rows = (
            Assignment.objects.filter(
                organisation=organisation, staff_id__in=ids, end__isnull=True, case__status=Case.Status.OPEN
            )
            .values("staff_id", "role")
            .annotate(n=Count("id"), w=Sum("case__weight"))
        )
    else:
        totals: dict[tuple[int, str], list[int]] = {}
        for staff_id, role, weight in held:
            if staff_id in loads:
                total = totals.setdefault((staff_id, role), [0, 0])
                total[0] += 1
                total[1] += weight
        rows = [{"staff_id": k[0], "role": k[1], "n": n, "w": w} for k, (n, w) in totals.items()]
    for r in rows:
        load = loads[r["staff_id"]]
        if r["role"] == Assignment.Role.MAIN:
            load.main_cases, load.main_weight = r["n"], r["w"] or 0
        else:
            load.co_cases, load.co_weight = r["n"], r["w"] or 0
    month_start, month_end = month_bounds(today)
    closed = (
        Investigation.objects.filter(
            organisation=organisation,
            closed_by_handler_id__in=ids,
            closed_on__gte=month_start,
            closed_on__lte=month_end,
        )
        .values("closed_by_handler_id")
        .annotate(n=Count("id"))
    )
    for r in closed:
        loads[r["closed_by_handler_id"]].closed_this_month = r["n"]
    return [loads[i] for i in ids]


@dataclass(frozen=True)
class Coverage:
    open_cases: int
    with_co_handler: int
    target_percent: int
    as_of: datetime.datetime | None = None  # when the figure was counted, if not live

    @property
    def percent(self) -> Decimal | None:
        """One decimal, rounded down: a figure below the target never reads as the target (89.96 is 89.9)."""
        if not self.open_cases:
            return None
        return (Decimal(self.with_co_handler * 100) / self.open_cases).quantize(Decimal("0.1"), ROUND_DOWN)

    @property
    def meets_target(self) -> bool:
        """The exact share against the target, in whole numbers (never the rounded figure)."""
        return not self.open_cases or self.with_co_handler * 100 >= self.target_percent * self.open_cases


def co_handler_coverage(
    *, organisation: Organisation, settings: CaseloadSettings, unit_id: int | None = None
) -> Coverage:
    """Share of open cases with a current co-handler, for a unit or the whole organisation (one query)."""
    cases = Case.objects.filter(organisation=organisation, status=Case.Status.OPEN)
    if unit_id is not None:
        cases = cases.filter(unit_id=unit_id)
    current_co = Assignment.objects.filter(case_id=OuterRef("pk"), role=Assignment.Role.CO, end__isnull=True)
    row = cases.aggregate(total=Count("id"), covered=Count("id", filter=Exists(current_co)))
    return Coverage(row["total"] or 0, row["covered"] or 0, settings.co_handler_target_percent)


def organisation_co_handler_coverage(*, organisation: Organisation, settings: CaseloadSettings) -> Coverage:
    """The organisation's coverage for comparison on unit pages, as last counted, with the time counted.

    Counting every open case of the organisation grows with it (4.9 ms at 1×, 44 ms at 10×), while the unit's
    own figure next to it stays live. So pages read the figure the beat counts every
    CASELOAD_ORGANISATION_FIGURES_SECONDS (`CoverageFigure`, one row: the same cost at any size, and no Redis
    needed); only an organisation the beat has not counted yet is counted here.
    """
    counted = django_settings.CASELOAD_ORGANISATION_FIGURES_SECONDS  # 0: always counted live
    figure = CoverageFigure.objects.filter(organisation=organisation).first() if counted else None
    if figure is None:
        return co_handler_coverage(organisation=organisation, settings=settings)
    target = settings.co_handler_target_percent
    return Coverage(figure.open_cases, figure.with_co_handler, target, as_of=figure.counted_at)
