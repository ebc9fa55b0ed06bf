"""The tertial report: per unit, department and organisation, in a constant number of queries.

Every figure is computed per unit from grouped queries, then summed upwards; survey aggregates come
from surveys.selectors.results.tertial_results (suppression incl. complementary suppression) for the
caller's viewer class, unchanged: the same published set as on that viewer's pages.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext

from caseload.selectors import (
    CasesPerEmployee,
    unit_cases_per_employee,
    unit_closed_investigations,
    unit_co_handler_counts,
)
from competence.models import LevelPlacement
from competence.selectors import ladder_levels
from competence.selectors.consultants import month_starts, unit_consultant_months
from competence.selectors.supplements import unit_supplement_costs
from staff.models import Organisation, StaffMember, Unit

from ..models import Baseline, SurveyRound
from ..selectors import Cell, TertialResults, TurnoverCounts, Viewer, headcount_q, tertial_results, unit_turnover_counts
from ..tertials import Tertial
from .tertial_ids import status_of

HUNDRED = Decimal(100)


def _ratio(numerator, denominator, places: str = "0.01") -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), ROUND_HALF_UP)


def _percent(part, whole) -> Decimal | None:
    return _ratio(HUNDRED * part, whole, "0.1")


@dataclass
class Figures:
    """The additive counts of one unit, or the sum over units."""

    employees: int = 0
    open_cases: int = 0
    weighted_cases: int = 0
    with_co_handler: int = 0
    investigations_closed: int = 0
    closed_within_target: int = 0
    closed_within_legal_limit: int = 0
    closed_past_deadline: int = 0  # after the date in force without an extension, with a recorded reason
    case_workers: int = 0  # the denominator of cases per employee (caseload.selectors.unit_cases_per_employee)
    staff_turnover: TurnoverCounts = field(default_factory=TurnoverCounts)  # leavers and staff-days
    consultant_months: Decimal = Decimal("0.00")
    levels: dict = field(default_factory=lambda: defaultdict(int))  # level number (None = no level) -> people
    supplement_cost: Decimal = Decimal("0.00")
    consultant_cost: Decimal = Decimal("0.00")

    def add(self, other: Figures) -> None:
        for name in (
            "employees",
            "open_cases",
            "weighted_cases",
            "with_co_handler",
            "investigations_closed",
            "closed_within_target",
            "closed_within_legal_limit",
            "closed_past_deadline",
            "case_workers",
            "staff_turnover",
            "consultant_months",
            "supplement_cost",
            "consultant_cost",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for level, n in other.levels.items():
            self.levels[level] += n

    @property
    def caseload(self) -> CasesPerEmployee:
        return CasesPerEmployee(self.open_cases, self.weighted_cases, self.case_workers)

    @property
    def cases_per_employee(self) -> Decimal | None:
        return self.caseload.per_employee

    @property
    def weighted_cases_per_employee(self) -> Decimal | None:
        return self.caseload.weighted_per_employee

    @property
    def co_handler_coverage(self) -> Decimal | None:
        return _percent(self.with_co_handler, self.open_cases)

    @property
    def share_closed_within_target(self) -> Decimal | None:
        return _percent(self.closed_within_target, self.investigations_closed)

    @property
    def share_closed_within_legal_limit(self) -> Decimal | None:
        return _percent(self.closed_within_legal_limit, self.investigations_closed)

    @property
    def leavers(self) -> int:
        return self.staff_turnover.leavers

    @property
    def average_headcount(self) -> Decimal | None:
        """The mean of the headcount on each day from the tertial's start to the reference date."""
        return self.staff_turnover.average_headcount

    @property
    def turnover(self) -> Decimal | None:
        return self.staff_turnover.rate


@dataclass
class Block:
    """The organisation, a department or a unit: its figures and its survey aggregate."""

    kind: str
    id: int
    name: str
    figures: Figures
    survey: dict | None
    level_names: dict
    department_id: int | None = None

    def __getattr__(self, name):  # the figures read as the block's own fields (serializers, CSV)
        if name.startswith("_") or name in {"figures"}:
            raise AttributeError(name)
        return getattr(self.figures, name)

    @property
    def level_distribution(self) -> list[dict]:
        rows = [
            {"level": number, "name": name, "count": self.figures.levels.get(number, 0)}
            for number, name in self.level_names.items()
        ]
        if self.figures.levels.get(None):
            rows.append({"level": None, "name": gettext("Not placed on a level"), "count": self.figures.levels[None]})
        return rows


@dataclass
class DepartmentBlock(Block):
    units: list[Block] = field(default_factory=list)


@dataclass
class TertialReport:
    tertial: Tertial
    status: str
    reference_date: datetime.date  # the day stock figures are counted on: the tertial's end, or today
    survey_round_status: str | None
    minimum_respondents: int | None
    organisation: Block | None
    departments: list[DepartmentBlock]

    def unit_blocks(self) -> list[Block]:
        return [u for d in self.departments for u in d.units]


def _unit_figures(
    *, organisation: Organisation, tertial: Tertial, on: datetime.date, unit_ids: set[int]
) -> dict[int, Figures]:
    """Figures per unit. Every query reads only the asked units' rows and groups in the database, so a
    department's report costs the same in a city of 10 departments as in one of 100 (bench/growth.py)."""
    figures = {pk: Figures() for pk in unit_ids}
    only = sorted(unit_ids)
    level_on = Subquery(
        LevelPlacement.objects.filter(staff=OuterRef("pk"), start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .values("level__number")[:1]
    )
    counts = (  # headcount and the level distribution: one grouped statement
        StaffMember.objects.filter(organisation=organisation, unit_id__in=only)
        .annotate(level_number=level_on)
        .values("unit_id", "level_number")
        .annotate(employed=Count("id", filter=headcount_q(on)))
        .order_by()
    )
    for row in counts:
        f = figures[row["unit_id"]]
        f.employees += row["employed"]
        if row["employed"]:
            f.levels[row["level_number"]] += row["employed"]
    days = TurnoverCounts(days=(on - tertial.start).days + 1)  # a unit without staff still counts the days
    turnover = unit_turnover_counts(organisation=organisation, start=tertial.start, last=on, unit_ids=only)
    for unit_id, f in figures.items():
        f.staff_turnover = turnover.get(unit_id, days)
    case_counts = unit_co_handler_counts(organisation=organisation, on=on, unit_ids=only)
    for unit_id, caseload in unit_cases_per_employee(
        organisation=organisation, on=on, unit_ids=only, case_counts=case_counts
    ).items():
        f = figures[unit_id]
        f.open_cases, f.weighted_cases, f.case_workers = (
            caseload.open_cases,
            caseload.weighted_cases,
            caseload.case_workers,
        )
        f.with_co_handler = case_counts.get(unit_id, {}).get("with_co_handler", 0)
    closed = unit_closed_investigations(organisation=organisation, start=tertial.start, end=on, unit_ids=only)
    for unit_id, row in closed.items():
        f = figures[unit_id]
        f.investigations_closed = row["closed"]
        f.closed_within_target, f.closed_within_legal_limit = row["within_target"], row["within_legal"]
        f.closed_past_deadline = row["past_deadline"]
    months = month_starts(tertial.start, on)
    for unit_id, (supplements, consultants) in unit_supplement_costs(
        organisation=organisation, months=months, unit_ids=only
    ).items():
        figures[unit_id].supplement_cost, figures[unit_id].consultant_cost = supplements, consultants
    for unit_id, consultant_months in unit_consultant_months(
        organisation=organisation, months=months, unit_ids=only
    ).items():
        figures[unit_id].consultant_months = consultant_months
    return figures


def _change(now: Decimal | None, before) -> Decimal | None:
    if now is None or before is None:
        return None
    return (Decimal(now) - Decimal(before)).quantize(Decimal("0.01"))


def _survey(cell: Cell | None, previous: Cell | None, baseline: Baseline | None) -> dict | None:
    """The published aggregate of a cell (Cell.public), with changes against the previous round and baseline."""
    if cell is None:
        return None
    public = cell.public()
    data = {
        "suppressed": public["suppressed"],
        "invited": public.get("invited"),
        "respondents": public.get("respondents"),
        "response_rate": public.get("response_rate"),
        "questions": [],
    }
    before = {q["key"]: q["mean"] for q in previous.public().get("questions", [])} if previous is not None else {}
    for question in public.get("questions", []):
        key = question["key"]
        data["questions"].append(
            {
                "key": key,
                "mean": question["mean"],
                "distribution": question["distribution"],
                "change_vs_previous": _change(question["mean"], before.get(key)),
                "change_vs_baseline": _change(question["mean"], getattr(baseline, key, None) if baseline else None),
            }
        )
    return data


def _cells(results: TertialResults | None) -> dict[tuple[str, int], Cell]:
    if results is None:
        return {}
    cells = {("organisation", results.organisation.pk): results.organisation} if results.organisation else {}
    for dept in results.departments:
        cells[("department", dept.cell.pk)] = dept.cell
        cells.update({("unit", u.pk): u for u in dept.units})
    return cells


def tertial_report(
    *,
    organisation: Organisation,
    tertial: Tertial,
    today: datetime.date,
    viewer: Viewer,
    department_ids: Iterable[int] | None = None,
    include_organisation: bool = True,
) -> TertialReport:
    """The report of one tertial. `department_ids` limits the departments shown (a department head's own,
    or a filter); the survey aggregates and their suppression are those published to `viewer` over the
    viewer's whole scope, so a filter never shows what the unfiltered report hides."""
    on = min(tertial.end, today)
    units = Unit.objects.filter(organisation=organisation).select_related("department").order_by("name")
    if department_ids is not None:
        units = units.filter(department_id__in=list(department_ids))
    units = list(units)
    figures = _unit_figures(
        organisation=organisation,
        tertial=tertial,
        on=on,
        unit_ids={u.pk for u in units},
    )
    level_names = {lv.number: lv.name for lv in ladder_levels(organisation=organisation)}
    previous = tertial.previous()
    rounds = {
        (r.year, r.tertial): r
        for r in SurveyRound.objects.filter(organisation=organisation).filter(
            Q(year=tertial.year, tertial=tertial.number) | Q(year=previous.year, tertial=previous.number)
        )
    }
    this_round = rounds.get((tertial.year, tertial.number))
    rounds = {k: r for k, r in rounds.items() if r.status == SurveyRound.Status.CLOSED}
    current_round = rounds.get((tertial.year, tertial.number))
    previous_round = rounds.get((previous.year, previous.number))

    def results_of(survey_round):
        if survey_round is None:
            return None
        return tertial_results(
            organisation=organisation, survey_round=survey_round, viewer=viewer, with_snapshots=False
        )

    results, before = results_of(current_round), results_of(previous_round)
    cells, before_cells = _cells(results), _cells(before)
    baselines = {b.unit_id: b for b in Baseline.objects.filter(organisation=organisation, unit__in=units)}

    def survey(kind: str, pk: int, baseline=None):
        return _survey(cells.get((kind, pk)), before_cells.get((kind, pk)), baseline) if results else None

    departments: dict[int, DepartmentBlock] = {}
    for unit in sorted(units, key=lambda u: (u.department.name, u.name)):
        dept = departments.get(unit.department_id)
        if dept is None:
            dept = departments[unit.department_id] = DepartmentBlock(
                "department",
                unit.department_id,
                unit.department.name,
                Figures(),
                survey("department", unit.department_id),
                level_names,
            )
        block = Block(
            "unit",
            unit.pk,
            unit.name,
            figures[unit.pk],
            survey("unit", unit.pk, baselines.get(unit.pk)),
            level_names,
            unit.department_id,
        )
        dept.units.append(block)
        dept.figures.add(block.figures)
    organisation_block = None
    if include_organisation:
        total = Figures()
        for dept in departments.values():
            total.add(dept.figures)
        organisation_block = Block(
            "organisation",
            organisation.pk,
            organisation.name,
            total,
            survey("organisation", organisation.pk),
            level_names,
        )
    return TertialReport(
        tertial=tertial,
        status=status_of(tertial, today),
        reference_date=on,
        survey_round_status=this_round.status if this_round else None,
        minimum_respondents=results.min_respondents if results else None,
        organisation=organisation_block,
        departments=list(departments.values()),
    )
