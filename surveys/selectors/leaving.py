"""Leaving and retention: exit interviews, reasons per year, turnover and who may be about to leave."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from competence.selectors.consultants import consultant_months_by_month, month_starts
from staff.dates import latest_start_for
from staff.models import Organisation, StaffMember

from ..models import ExitInterview, SurveySettings
from ..tertials import Tertial

# ---------------------------------------------------------------- leaving and retention


def exit_interviews(*, organisation: Organisation):
    return ExitInterview.objects.filter(organisation=organisation).select_related("staff", "unit", "interviewer")


def leaving_reasons_per_year(*, organisation: Organisation) -> dict[int, dict[str, int]]:
    rows = (
        ExitInterview.objects.filter(organisation=organisation)
        .values_list("held_on__year", "main_reason")
        .annotate(n=Count("id"))
        .order_by("-held_on__year", "main_reason")
    )
    result: dict[int, dict[str, int]] = {}
    for year, reason, n in rows:
        result.setdefault(year, {})[reason] = n
    return result


def headcount_q(day: datetime.date) -> Q:
    return Q(employment_start__lte=day) & (Q(employment_end__isnull=True) | Q(employment_end__gte=day))


TENTH = Decimal("0.1")


def counted_until(start: datetime.date, end: datetime.date, today: datetime.date) -> datetime.date | None:
    """The last day of a period that turnover counts: its end, today while it runs, None before it begins."""
    return None if start > today else min(end, today)


def turnover_aggregates(key: str, start: datetime.date, last: datetime.date) -> dict:
    """The parts of turnover over [start, last], for `aggregate()` or a grouped `annotate()` of StaffMember.

    `<key>_leavers`: people whose last day of employment (`employment_end`) is in the period: one whose
    last day is 31 December leaves in that year, one whose last day is 1 January in the next.
    `<key>_spans` + `<key>_employed`: the staff-days, Σ over people of the days of the period they were
    employed (each span's length in days minus one, plus one per person).
    """
    employed = Q(employment_start__lte=last) & (Q(employment_end__isnull=True) | Q(employment_end__gte=start))
    first_day = Greatest(F("employment_start"), Value(start, output_field=DateField()))
    last_day = Least(
        Coalesce(F("employment_end"), Value(last, output_field=DateField())), Value(last, output_field=DateField())
    )
    return {
        f"{key}_leavers": Count("id", filter=Q(employment_end__gte=start, employment_end__lte=last)),
        f"{key}_spans": Sum(ExpressionWrapper(last_day - first_day, output_field=DurationField()), filter=employed),
        f"{key}_employed": Count("id", filter=employed),
    }


def staff_days_of(row: dict, key: str) -> int:
    spans = row[f"{key}_spans"]
    return (spans.days if spans else 0) + row[f"{key}_employed"]


@dataclass(frozen=True)
class TurnoverCounts:
    """Leavers and staff-days of one period (a tertial, a year) over the days counted.

    The **average headcount** is the mean of the headcount on each day counted, from the period's first day
    to its last (or today while it runs): Σ days each person was employed in it / the days counted. A person
    hired on 1 October counts 92/365 in a common year; one who leaves on 30 June counts 181/365.
    **Turnover** = leavers / average headcount × 100.
    """

    leavers: int = 0
    staff_days: int = 0
    days: int = 0  # the days counted, the same for every unit of a period

    def __add__(self, other: TurnoverCounts) -> TurnoverCounts:
        return TurnoverCounts(
            self.leavers + other.leavers, self.staff_days + other.staff_days, max(self.days, other.days)
        )

    @property
    def average_headcount(self) -> Decimal | None:
        if not self.days:
            return None
        return (Decimal(self.staff_days) / self.days).quantize(TENTH, ROUND_HALF_UP)

    @property
    def rate(self) -> Decimal | None:
        if not self.staff_days:
            return None
        return (Decimal(100 * self.leavers * self.days) / self.staff_days).quantize(TENTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class PeriodTurnover:
    """Turnover, the share under `junior_years` in the profession and consultant months of one period."""

    start: datetime.date
    end: datetime.date
    until: datetime.date | None  # the last day counted (see counted_until)
    counts: TurnoverCounts
    under_two_years: Decimal | None  # percent of headcount on the last day counted under `junior_years`
    consultant_months: Decimal  # the period's months up to the last day counted (unit_consultant_months)
    junior_years: int = 2

    @property
    def leavers(self) -> int:
        return self.counts.leavers

    @property
    def average_headcount(self) -> Decimal | None:
        return self.counts.average_headcount

    @property
    def rate(self) -> Decimal | None:
        return self.counts.rate


@dataclass(frozen=True)
class Turnover(PeriodTurnover):
    tertial: Tertial | None = None


@dataclass(frozen=True)
class YearTurnover(PeriodTurnover):
    year: int = 0
    tertials: list[Turnover] = field(default_factory=list)


def _turnover_staff(organisation: Organisation):
    """The people turnover counts: the organisation's employees. Hired consultants are not employed: they
    are counted in consultant months instead, so a consultant's engagement ending is no leaver."""
    return StaffMember.objects.filter(organisation=organisation).exclude(
        employment_type=StaffMember.EmploymentType.CONSULTANT
    )


def _junior_years(organisation: Organisation) -> int:
    years = SurveySettings.objects.filter(organisation=organisation).values_list("junior_years", flat=True).first()
    return years or SurveySettings._meta.get_field("junior_years").default


def _periods(
    *, organisation: Organisation, periods: dict[str, tuple[datetime.date, datetime.date]], today: datetime.date
) -> dict[str, PeriodTurnover]:
    """Every period's figures among the units' employees: one aggregate, one consultant query, one settings read."""
    years = _junior_years(organisation)
    aggregates, juniors, months = {}, {}, set()
    counted = {key: counted_until(start, end, today) for key, (start, end) in periods.items()}
    for key, (start, _end) in periods.items():
        last = counted[key]
        if last is None:
            continue
        aggregates.update(turnover_aggregates(key, start, last))
        junior_after = latest_start_for(last, months=12 * years)
        aggregates[f"{key}_at_end"] = Count("id", filter=headcount_q(last))
        aggregates[f"{key}_junior"] = Count("id", filter=headcount_q(last) & Q(profession_start__gt=junior_after))
        juniors[key] = junior_after
        months.update(month_starts(start, last))
    row = _turnover_staff(organisation).filter(unit__isnull=False).aggregate(**aggregates) if aggregates else {}
    per_month = consultant_months_by_month(organisation=organisation, months=sorted(months))
    result = {}
    for key, (start, end) in periods.items():
        last = counted[key]
        if last is None:
            result[key] = PeriodTurnover(start, end, None, TurnoverCounts(), None, Decimal("0.00"), years)
            continue
        counts = TurnoverCounts(row[f"{key}_leavers"], staff_days_of(row, key), (last - start).days + 1)
        at_end = row[f"{key}_at_end"]
        junior = (Decimal(100 * row[f"{key}_junior"]) / at_end).quantize(TENTH, ROUND_HALF_UP) if at_end else None
        consultants = sum(
            (sum(per_month.get(m, {}).values(), Decimal("0.00")) for m in month_starts(start, last)), Decimal("0.00")
        )
        result[key] = PeriodTurnover(start, end, last, counts, junior, consultants, years)
    return result


def _as(cls, figures: PeriodTurnover, **extra):
    return cls(**{f.name: getattr(figures, f.name) for f in fields(PeriodTurnover)}, **extra)


def turnover_report(
    *,
    organisation: Organisation,
    years: Iterable[int] = (),
    tertials: Iterable[Tertial] = (),
    today: datetime.date | None = None,
) -> tuple[list[YearTurnover], list[Turnover]]:
    """Years (each with its three tertials) and further tertials, among the units' employees (consultants
    apart), in three queries.

    Turnover = leavers / the mean of the headcount on each day counted (TurnoverCounts), counted to the
    period's end or today while it runs; the share under the organisation's `junior_years` (2) in the
    profession on the last day counted, to the day: exactly 2 years is not under; and consultant months.
    """
    today = today or timezone.localdate()
    years, tertials = list(years), list(tertials)
    periods = {}
    for year in years:
        periods[f"y{year}"] = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        periods.update({f"y{year}t{n}": (Tertial(year, n).start, Tertial(year, n).end) for n in (1, 2, 3)})
    periods.update({f"t{i}": (t.start, t.end) for i, t in enumerate(tertials)})
    figures = _periods(organisation=organisation, periods=periods, today=today)
    year_rows = [
        _as(
            YearTurnover,
            figures[f"y{year}"],
            year=year,
            tertials=[_as(Turnover, figures[f"y{year}t{n}"], tertial=Tertial(year, n)) for n in (1, 2, 3)],
        )
        for year in years
    ]
    return year_rows, [_as(Turnover, figures[f"t{i}"], tertial=t) for i, t in enumerate(tertials)]


def turnover(
    *, organisation: Organisation, tertials: list[Tertial], today: datetime.date | None = None
) -> list[Turnover]:
    """Turnover per tertial (turnover_report)."""
    return turnover_report(organisation=organisation, tertials=tertials, today=today)[1]


def year_turnover(*, organisation: Organisation, year: int, today: datetime.date | None = None) -> YearTurnover:
    """A year's turnover: leavers during the year / the mean of the headcount on each day of it (to today
    while it runs), consultant months, and its three tertials (turnover_report)."""
    return turnover_report(organisation=organisation, years=[year], today=today)[0][0]


def unit_turnover_counts(
    *, organisation: Organisation, start: datetime.date, last: datetime.date, unit_ids: Iterable[int]
) -> dict[int, TurnoverCounts]:
    """{unit_id: TurnoverCounts} of [start, last] in one grouped query (the tertial report)."""
    rows = (
        _turnover_staff(organisation)
        .filter(unit_id__in=sorted(unit_ids))
        .values("unit_id")
        .annotate(**turnover_aggregates("p", start, last))
        .order_by()
    )
    days = (last - start).days + 1
    return {r["unit_id"]: TurnoverCounts(r["p_leavers"], staff_days_of(r, "p"), days) for r in rows}


def leaving_candidates(*, organisation: Organisation, unit_ids=None):
    """People an exit interview may be held with: everyone of the organisation (or the manager's units)."""
    qs = StaffMember.objects.filter(organisation=organisation).exclude(exit_interviews__isnull=False)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return qs.order_by("-employment_end", "last_name", "first_name")
