"""Plain data for the allocation engine: what goes in (cases, workers, rules) and what comes out.

No Django models here: the caseload app turns its rows into these dataclasses and back, so the engine
can be tested, benchmarked and proven optimal on its own. Loads and capacities are weighted case counts
(a weight-2 case counts 2); internally they are integers in hundredths (``LOAD_SCALE``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property

LOAD_SCALE = 100  # loads and capacities are handled as integer hundredths of a weighted case


def to_units(value: Decimal | int | float | str) -> int:
    """A weighted load as integer hundredths, rounded half up (0.005 -> 1)."""
    return int((Decimal(str(value)) * LOAD_SCALE).to_integral_value(rounding=ROUND_HALF_UP))


def from_units(units: int) -> Decimal:
    return (Decimal(units) / LOAD_SCALE).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class QueuedCase:
    """An investigation awaiting allocation. ``earlier_handlers``: workers who handled the same case number."""

    id: int
    number: str
    weight: int
    acute: bool = False
    interested: frozenset[int] = frozenset()
    earlier_handlers: frozenset[int] = frozenset()
    weeks_waited: int = 0

    def __post_init__(self) -> None:
        if self.weight < 1:
            raise ValueError(f"case {self.number}: weight must be at least 1")
        if self.weeks_waited < 0:
            raise ValueError(f"case {self.number}: weeks_waited cannot be negative")


@dataclass(frozen=True)
class Worker:
    """A worker at the meeting. ``capacity`` is already scaled by FTE and absence; ``load`` is the current
    weighted load (co-handled cases already counted at the co-handling fraction by the caller).
    ``may_be_main`` is the caller's own verdict from the level rules (the engine adds the rules it knows).
    """

    id: int
    level: int
    capacity: Decimal | int | float | str
    load: Decimal | int | float | str = 0
    is_specialist: bool = False
    on_duty: bool = False
    absent: bool = False
    may_be_main: bool = True

    @cached_property
    def capacity_units(self) -> int:
        return max(0, to_units(self.capacity))

    @cached_property
    def load_units(self) -> int:
        return max(0, to_units(self.load))

    @cached_property
    def free_units(self) -> int:
        return max(0, self.capacity_units - self.load_units)


@dataclass(frozen=True)
class AllocationRules:
    """The per-organisation rules and preference weights (defaults from docs/domain.md sections 3, 5 and 7).

    Costs are integer points; the solver minimises their sum. Their order of magnitude encodes the
    priorities: an acute case left out (``acute_unplaced``) outweighs everything, a carried-over case
    outweighs any load-evenness cost, preferences (interest, continuity, pairing) come after that.
    ``load_breakpoints``: convex piecewise-linear penalty on load/capacity, as (ratio, added slope) pairs;
    the slope is in points per percentage point of capacity above the ratio.
    """

    new_level: int = 1
    co_handler_required_for_new: bool = True
    new_max_main_weight: int = 2  # level 1 is never main handler of the top-weight (complex) cases
    specialists_never_main: bool = True
    pairing_levels: frozenset[int] = frozenset({3, 4})  # a level-1 main handler is best paired with these
    co_fraction: Decimal = Decimal("0.5")  # a co-handled case counts at this fraction of its weight
    acute_unplaced: int = 10_000_000
    carry_over: int = 500_000
    carry_over_per_week_waited: int = 50_000
    missing_co: int = 100_000
    pairing: int = 30_000
    interest_main: int = 20_000
    interest_co: int = 10_000
    continuity_main: int = 15_000
    continuity_co: int = 8_000
    duty_per_weight: int = 10_000
    load_breakpoints: tuple[tuple[Decimal, int], ...] = (
        (Decimal("0"), 100),
        (Decimal("0.6"), 100),
        (Decimal("0.8"), 200),
        (Decimal("0.9"), 400),
    )

    def __post_init__(self) -> None:
        if not Decimal(0) <= Decimal(self.co_fraction) <= Decimal(1):
            raise ValueError("co_fraction must lie between 0 and 1")
        ratios = [Decimal(r) for r, _ in self.load_breakpoints]
        if ratios != sorted(ratios) or any(r < 0 for r in ratios):
            raise ValueError("load_breakpoints must be sorted by ratio and non-negative")
        if any(slope < 0 for _, slope in self.load_breakpoints):
            raise ValueError("load_breakpoints slopes must be non-negative (the penalty must stay convex)")
        costs = (
            self.acute_unplaced,
            self.carry_over,
            self.carry_over_per_week_waited,
            self.missing_co,
            self.pairing,
            self.interest_main,
            self.interest_co,
            self.continuity_main,
            self.continuity_co,
            self.duty_per_weight,
        )
        if any(c < 0 for c in costs):
            raise ValueError("preference weights must be non-negative")


class Outcome(StrEnum):
    ASSIGNED = "assigned"
    CARRIED_OVER = "carried_over"  # non-acute, did not fit: waits for the next week
    FLAGGED = "flagged"  # acute and could not be placed: the manager must resolve it


class Reason(StrEnum):
    INTEREST = "interest"
    CONTINUITY = "continuity"
    LOAD = "load"
    ON_DUTY = "on_duty"
    PAIRED_WITH_EXPERIENCED = "paired_with_experienced"
    NO_CO_HANDLER = "no_co_handler"
    NO_CAPACITY = "no_capacity"
    OVER_CAPACITY = "over_capacity"  # an acute case placed over capacity (acute.place_acute_over_capacity)


@dataclass(frozen=True)
class Choice:
    """Why one person got a role in one case: reasons plus their load relative to capacity before/after."""

    worker_id: int
    reasons: tuple[Reason, ...]
    load_before: Decimal
    load_after: Decimal
    capacity: Decimal


@dataclass(frozen=True)
class CaseProposal:
    case_id: int
    outcome: Outcome
    main: Choice | None = None
    co: Choice | None = None
    notes: tuple[Reason, ...] = ()

    @property
    def main_id(self) -> int | None:
        return self.main.worker_id if self.main else None

    @property
    def co_id(self) -> int | None:
        return self.co.worker_id if self.co else None


@dataclass(frozen=True)
class Proposal:
    """The engine's answer. ``status`` is the solver's (OPTIMAL, FEASIBLE, ...; GREEDY for the baseline)."""

    status: str
    objective: int
    cases: tuple[CaseProposal, ...]
    load_after: dict[int, Decimal] = field(default_factory=dict)
    wall_seconds: float = 0.0
    lower_bound: int | None = None  # proven: no allocation costs less (equals objective when OPTIMAL)

    @property
    def gap(self) -> float | None:
        """Proven distance to the optimum, relative to |objective| (0.0 when OPTIMAL)."""
        if self.lower_bound is None:
            return None
        return (self.objective - self.lower_bound) / max(1, abs(self.objective))

    @property
    def carried_over(self) -> tuple[int, ...]:
        return tuple(c.case_id for c in self.cases if c.outcome == Outcome.CARRIED_OVER)

    @property
    def flagged(self) -> tuple[int, ...]:
        return tuple(c.case_id for c in self.cases if c.outcome == Outcome.FLAGGED)

    def pairs(self) -> dict[int, tuple[int, int | None] | None]:
        """{case id: (main id, co id or None) or None when not assigned}."""
        return {c.case_id: (c.main_id, c.co_id) if c.main else None for c in self.cases}
