"""The five-week allocation cycle (docs/domain.md section 7, seed 000), computed from an anchor Monday.

Cycle n starts on the allocation Monday ``anchor + n * period`` weeks (n may be negative) and lasts
``period_weeks`` weeks: the allocation week (meeting Monday 08:30, wrap-up Friday afternoon), then the work
weeks (four by default). The review week is the week before the allocation week, so it is also the last
work week of the previous cycle. Times are aware datetimes in Europe/Stockholm; a local wall-clock time
stays put across daylight-saving changes (08:30 is 07:30 UTC in winter, 06:30 UTC in summer).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

STOCKHOLM = "Europe/Stockholm"
MIN_PERIOD_WEEKS = 2  # the allocation week and at least one work week
MAX_PERIOD_WEEKS = 12


@dataclass(frozen=True)
class CycleRules:
    """A unit's rhythm: the anchor is the Monday of one allocation week."""

    anchor: datetime.date
    period_weeks: int = 5
    meeting_time: datetime.time = datetime.time(8, 30)
    meeting_minutes: int = 90
    wrap_up_time: datetime.time = datetime.time(14, 0)
    wrap_up_minutes: int = 60
    timezone: str = STOCKHOLM

    def __post_init__(self) -> None:
        validate_cycle_rules(anchor=self.anchor, period_weeks=self.period_weeks)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def period_days(self) -> int:
        return 7 * self.period_weeks

    def number_on(self, day: datetime.date) -> int:
        """The number of the cycle a date falls in (0 = the one starting on the anchor)."""
        return (day - self.anchor).days // self.period_days

    def cycle(self, number: int) -> Cycle:
        return Cycle(rules=self, number=number)

    def cycle_on(self, day: datetime.date) -> Cycle:
        return self.cycle(self.number_on(day))

    def cycles_between(self, first: datetime.date, last: datetime.date) -> list[Cycle]:
        """Every cycle that overlaps the dates first..last (inclusive), in order."""
        return [self.cycle(n) for n in range(self.number_on(first), self.number_on(last) + 1)]

    def point_on(self, day: datetime.date) -> AllocationPoint:
        """The allocation point of the week a date falls in: the meeting in the allocation week, else that
        week's point for the cases carried over from the week before."""
        cycle = self.cycle_on(day)
        return cycle.point(cycle.week_of(day))

    def next_meeting(self, now: datetime.datetime) -> Cycle:
        """The cycle of the first allocation meeting starting at or after ``now`` (an aware datetime)."""
        cycle = self.cycle_on(now.astimezone(self.zone).date())
        return cycle if cycle.meeting_start >= now else self.cycle(cycle.number + 1)


def validate_cycle_rules(*, anchor: datetime.date, period_weeks: int) -> None:
    errors = {}
    if anchor.weekday() != 0:
        errors["anchor"] = ValidationError(_("The cycle must start on a Monday."), code="anchor_not_monday")
    if not MIN_PERIOD_WEEKS <= period_weeks <= MAX_PERIOD_WEEKS:
        errors["period_weeks"] = ValidationError(
            _("A cycle lasts between %(low)d and %(high)d weeks."),
            code="period_out_of_range",
            params={"low": MIN_PERIOD_WEEKS, "high": MAX_PERIOD_WEEKS},
        )
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class Week:
    monday: datetime.date

    @property
    def friday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=4)

    @property
    def sunday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=6)

    def __contains__(self, day: datetime.date) -> bool:
        return self.monday <= day <= self.sunday


@dataclass(frozen=True)
class Cycle:
    rules: CycleRules
    number: int

    @property
    def allocation_monday(self) -> datetime.date:
        return self.rules.anchor + datetime.timedelta(days=self.number * self.rules.period_days)

    @property
    def starts(self) -> datetime.date:
        return self.allocation_monday

    @property
    def ends(self) -> datetime.date:
        """The last day (a Sunday) before the next allocation week."""
        return self.allocation_monday + datetime.timedelta(days=self.rules.period_days - 1)

    @property
    def review_week(self) -> Week:
        return Week(self.allocation_monday - datetime.timedelta(days=7))

    @property
    def allocation_week(self) -> Week:
        return Week(self.allocation_monday)

    @property
    def work_weeks(self) -> tuple[Week, ...]:
        return tuple(
            Week(self.allocation_monday + datetime.timedelta(weeks=k)) for k in range(1, self.rules.period_weeks)
        )

    def _at(self, day: datetime.date, at: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(day, at, tzinfo=self.rules.zone)

    @property
    def meeting_start(self) -> datetime.datetime:
        return self._at(self.allocation_monday, self.rules.meeting_time)

    @property
    def meeting_end(self) -> datetime.datetime:
        return self.meeting_start + datetime.timedelta(minutes=self.rules.meeting_minutes)

    @property
    def wrap_up_start(self) -> datetime.datetime:
        return self._at(self.allocation_week.friday, self.rules.wrap_up_time)

    @property
    def wrap_up_end(self) -> datetime.datetime:
        return self.wrap_up_start + datetime.timedelta(minutes=self.rules.wrap_up_minutes)

    def __contains__(self, day: datetime.date) -> bool:
        return self.starts <= day <= self.ends

    def phase_on(self, day: datetime.date) -> str:
        """ "allocation" or "work-1" .. "work-4" for a date in this cycle."""
        if day not in self:
            raise ValueError(f"{day} is not in cycle {self.number}")
        week = (day - self.allocation_monday).days // 7
        return "allocation" if week == 0 else f"work-{week}"

    def week_of(self, day: datetime.date) -> int:
        """1 for the allocation week, 2 .. period_weeks for the work weeks."""
        if day not in self:
            raise ValueError(f"{day} is not in cycle {self.number}")
        return (day - self.allocation_monday).days // 7 + 1

    def point(self, week: int) -> AllocationPoint:
        return AllocationPoint(cycle=self, week=week)

    def is_review_week(self, day: datetime.date) -> bool:
        """True in the week before the next cycle's allocation week (this cycle's last work week)."""
        return day in self.rules.cycle(self.number + 1).review_week


@dataclass(frozen=True)
class AllocationPoint:
    """The Monday of one week of a cycle where cases are allocated (seed 000: "Om inte alla ärenden kan
    fördelas sparas dessa som inte är akuta till veckan därpå").

    Week 1 is the allocation meeting of the cycle, with the whole queue. In each following week the
    non-acute cases left over the week before are allocated again (and any acute case waiting); after the
    last week the next cycle's meeting takes them. Reads like a Cycle where the board and the worker
    situations need one: capacity counts absence from this Monday to the end of the cycle.
    """

    cycle: Cycle
    week: int

    def __post_init__(self) -> None:
        if not 1 <= self.week <= self.cycle.rules.period_weeks:
            raise ValueError(f"week {self.week} is not in a {self.cycle.rules.period_weeks}-week cycle")

    @property
    def rules(self) -> CycleRules:
        return self.cycle.rules

    @property
    def is_meeting(self) -> bool:
        return self.week == 1

    @property
    def allocation_monday(self) -> datetime.date:
        return self.cycle.allocation_monday + datetime.timedelta(weeks=self.week - 1)

    @property
    def starts(self) -> datetime.date:
        return self.allocation_monday

    @property
    def ends(self) -> datetime.date:
        return self.cycle.ends

    @property
    def allocation_week(self) -> Week:
        return Week(self.allocation_monday)

    @property
    def meeting_start(self) -> datetime.datetime:
        return self.cycle._at(self.allocation_monday, self.rules.meeting_time)

    @property
    def next(self) -> AllocationPoint:
        """The point a case left over here is carried over to: next week, or the next cycle's meeting."""
        if self.week < self.rules.period_weeks:
            return self.cycle.point(self.week + 1)
        return self.rules.cycle(self.cycle.number + 1).point(1)
