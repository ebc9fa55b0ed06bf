"""Aggregates with suppression (the HR API and the tertial report call these) and the unit trend."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q

from staff.models import Department, Organisation, Unit

from ..models import QUESTIONS, Answer, Baseline, Invitation, SurveyRound, UnitSnapshot
from ..services import survey_settings_get
from .rounds import rounds

# ---------------------------------------------------------------- aggregates


@dataclass
class QuestionStats:
    key: str
    label: str
    mean: Decimal | None
    distribution: list[int]  # counts of 1..5


@dataclass
class Cell:
    """One aggregate: the organisation, a department or a unit in one round."""

    kind: str  # "organisation" | "department" | "unit"
    pk: int
    name: str
    invited: int
    respondents: int
    counts: list[list[int]]  # per question, counts of 1..5
    suppressed: bool = False
    reason: str = ""  # "few" (primary) or "derivable" (complementary)
    units: list[int] = field(default_factory=list)  # unit ids summed in this cell

    @property
    def response_rate(self) -> Decimal | None:
        if self.suppressed or not self.invited:
            return None
        return (Decimal(100 * self.respondents) / self.invited).quantize(Decimal("1"), ROUND_HALF_UP)

    @property
    def questions(self) -> list[QuestionStats]:
        stats = []
        for (key, label), counts in zip(QUESTIONS, self.counts, strict=True):
            if self.suppressed:
                stats.append(QuestionStats(key, str(label), None, []))
                continue
            total = sum(counts)
            mean = (
                (Decimal(sum((i + 1) * c for i, c in enumerate(counts))) / total).quantize(Decimal("0.01"))
                if total
                else None
            )
            stats.append(QuestionStats(key, str(label), mean, list(counts)))
        return stats

    def public(self) -> dict:
        """Plain data for the API and the CSV: nothing but suppressed markers for a suppressed cell."""
        data = {"kind": self.kind, "id": self.pk, "name": self.name, "suppressed": self.suppressed}
        if self.suppressed:
            return data
        data.update(
            invited=self.invited,
            respondents=self.respondents,
            response_rate=self.response_rate,
            questions=[{"key": q.key, "mean": q.mean, "distribution": q.distribution} for q in self.questions],
        )
        return data


@dataclass
class DepartmentResult:
    cell: Cell
    units: list[Cell]


@dataclass
class TertialResults:
    survey_round: SurveyRound
    min_respondents: int
    organisation: Cell
    departments: list[DepartmentResult]
    snapshots: dict[int, UnitSnapshot]

    def unit_cell(self, unit_id: int) -> Cell | None:
        for dept in self.departments:
            for cell in dept.units:
                if cell.pk == unit_id:
                    return cell
        return None

    def published(self) -> list[Cell]:
        cells = [self.organisation]
        for dept in self.departments:
            cells.append(dept.cell)
            cells.extend(dept.units)
        return [c for c in cells if not c.suppressed]


def _empty_counts() -> list[list[int]]:
    return [[0] * 5 for _ in QUESTIONS]


def _sum_cells(kind: str, pk: int, name: str, parts: list[Cell]) -> Cell:
    counts = _empty_counts()
    for part in parts:
        for q in range(len(QUESTIONS)):
            for v in range(5):
                counts[q][v] += part.counts[q][v]
    return Cell(
        kind=kind,
        pk=pk,
        name=name,
        invited=sum(p.invited for p in parts),
        respondents=sum(p.respondents for p in parts),
        counts=counts,
        units=[u for p in parts for u in p.units],
    )


class _Span:
    """Exact row space (over the rationals) of published cells, as sparse vectors over the units.

    The basis is kept in reduced row echelon form ({pivot: row} with row[pivot] == 1 and no other
    basis row non-zero at that pivot), so reducing a cell touches only the units it sums: a city of a
    hundred units costs milliseconds, not the half second of dense rows.
    """

    def __init__(self, index: dict[int, int]):
        self.index = index
        self.basis: dict[int, dict[int, Fraction | int]] = {}

    def _vector(self, unit_ids) -> dict[int, Fraction | int]:
        row: dict[int, Fraction | int] = {}
        for u in unit_ids:
            i = self.index[u]
            row[i] = row.get(i, 0) + 1  # whole numbers until a division makes them fractions
        return row

    @staticmethod
    def _subtract(row: dict, factor: Fraction | int, base: dict[int, Fraction | int]) -> None:
        for i, v in base.items():
            value = row.get(i, 0) - factor * v
            if value:
                row[i] = value
            else:
                row.pop(i, None)

    def _reduce(self, row: dict) -> dict:
        for pivot in [p for p in row if p in self.basis]:
            self._subtract(row, row[pivot], self.basis[pivot])  # other pivots of the row stay as they are
        return row

    def add(self, unit_ids) -> None:
        row = self._reduce(self._vector(unit_ids))
        if not row:
            return
        pivot = min(row)
        scale = Fraction(row[pivot])
        row = {i: v if scale == 1 else v / scale for i, v in row.items()}  # int / Fraction is a Fraction: exact
        for base in self.basis.values():
            if base.get(pivot):
                self._subtract(base, base[pivot], row)
        self.basis[pivot] = row

    def contains(self, unit_ids) -> bool:
        return not self._reduce(self._vector(unit_ids))


def derivable_cells(results: TertialResults) -> list[Cell]:
    """Primary-suppressed cells that could be computed from the published ones (should be empty)."""
    cells = [results.organisation] + [d.cell for d in results.departments]
    cells += [u for d in results.departments for u in d.units]
    unit_ids = sorted({u for c in cells for u in c.units})
    span = _Span({u: i for i, u in enumerate(unit_ids)})
    for cell in sorted(cells, key=lambda c: len(c.units)):  # the span is the same in any order; units first
        if not cell.suppressed and cell.units:  # keep the rows sparse
            span.add(cell.units)
    return [c for c in cells if c.reason == "few" and c.units and span.contains(c.units)]


def _protect(results: TertialResults) -> None:
    """Complementary suppression: while a small group can be derived, hide one more aggregate."""
    while True:
        exposed = derivable_cells(results)
        if not exposed:
            return
        cell = exposed[0]
        dept = next((d for d in results.departments if cell is d.cell or cell in d.units), None)
        candidates: list[Cell] = []
        if cell.kind == "unit" and dept is not None:
            candidates += sorted(
                (u for u in dept.units if not u.suppressed and u.units), key=lambda u: (u.respondents, u.name)
            )
            candidates += [dept.cell] if not dept.cell.suppressed else []
        candidates += [results.organisation] if not results.organisation.suppressed else []
        candidates += sorted(
            (u for d in results.departments for u in d.units if not u.suppressed and u.units),
            key=lambda u: (u.respondents, u.name),
        )
        candidates += [d.cell for d in results.departments if not d.cell.suppressed]
        if not candidates:
            return
        candidates[0].suppressed, candidates[0].reason = True, "derivable"


def tertial_results(
    *, organisation: Organisation, survey_round: SurveyRound, with_snapshots: bool = True
) -> TertialResults:
    """Aggregates of a round for the organisation, its departments and units, suppression applied.

    Each cell has invited, respondents, response rate and per question the mean and the distribution
    of 1..5, or only `suppressed=True`. The same suppression is used for every viewer.
    """
    if survey_round.organisation_id != organisation.pk:
        raise ValueError("round of another organisation")
    minimum = survey_settings_get(organisation=organisation).min_respondents
    invited = dict(
        Invitation.objects.filter(organisation=organisation, round=survey_round)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    unit_cells: dict[int, Cell] = {}
    units = list(Unit.objects.filter(organisation=organisation).select_related("department"))
    for unit in units:
        unit_cells[unit.pk] = Cell("unit", unit.pk, unit.name, invited.get(unit.pk, 0), 0, _empty_counts())
    scores = ("q1", "q2", "q3")
    distribution = {f"{q}_{v}": Count("id", filter=Q(**{q: v})) for q in scores for v in range(1, 6)}
    for row in (  # the distributions counted in the database: one row per unit, not one per answer
        Answer.objects.filter(organisation=organisation, round=survey_round)
        .values("unit_id")
        .annotate(respondents=Count("id"), **distribution)
        .order_by()
    ):
        cell = unit_cells[row["unit_id"]]
        cell.respondents += row["respondents"]
        for q, key in enumerate(scores):
            for v in range(1, 6):
                cell.counts[q][v - 1] += row[f"{key}_{v}"]
    for cell in unit_cells.values():
        cell.units = [cell.pk] if cell.respondents else []
    departments: list[DepartmentResult] = []
    by_dept: dict[int, list[Unit]] = {}
    dept_objs: dict[int, Department] = {}
    for unit in units:
        by_dept.setdefault(unit.department_id, []).append(unit)
        dept_objs[unit.department_id] = unit.department
    for dept_id, dept_units in sorted(by_dept.items(), key=lambda kv: dept_objs[kv[0]].name):
        cells = [unit_cells[u.pk] for u in dept_units]
        departments.append(DepartmentResult(_sum_cells("department", dept_id, dept_objs[dept_id].name, cells), cells))
    org_cell = _sum_cells("organisation", organisation.pk, organisation.name, [d.cell for d in departments])
    for cell in [org_cell] + [d.cell for d in departments] + list(unit_cells.values()):
        if cell.respondents < minimum:
            cell.suppressed, cell.reason = True, "few"
    snapshots = (  # the caseload snapshots of the results page; the HR report does without
        {s.unit_id: s for s in UnitSnapshot.objects.filter(organisation=organisation, round=survey_round)}
        if with_snapshots
        else {}
    )
    results = TertialResults(survey_round, minimum, org_cell, departments, snapshots)
    _protect(results)
    return results


def unit_raw_cell(*, organisation: Organisation, survey_round: SurveyRound, unit: Unit) -> Cell:
    """The unit's own aggregate without suppression: for the unit manager, who sees the answers anyway."""
    cell = Cell(
        "unit",
        unit.pk,
        unit.name,
        Invitation.objects.filter(organisation=organisation, round=survey_round, unit=unit).count(),
        0,
        _empty_counts(),
    )
    for scores in Answer.objects.filter(organisation=organisation, round=survey_round, unit=unit).values_list(
        "q1", "q2", "q3"
    ):
        cell.respondents += 1
        for q, score in enumerate(scores):
            cell.counts[q][score - 1] += 1
    return cell


def unit_trend(*, organisation: Organisation, unit: Unit, individual: bool) -> dict:
    """Means per question across closed rounds (oldest first) and the baseline, for the chart.

    `individual` (the unit's managers) gives the raw unit values; anyone else gets suppressed ones.
    """
    labels, series = [], {key: [] for key, _label in QUESTIONS}
    for survey_round in reversed(list(rounds(organisation=organisation, closed_only=True)[:9])):
        if individual:
            cell = unit_raw_cell(organisation=organisation, survey_round=survey_round, unit=unit)
            if not cell.respondents:
                cell.suppressed = True
        else:
            cell = tertial_results(organisation=organisation, survey_round=survey_round).unit_cell(unit.pk)
        labels.append(survey_round.label)
        for stats in cell.questions:
            series[stats.key].append(float(stats.mean) if stats.mean is not None else None)
    baseline = Baseline.objects.filter(organisation=organisation, unit=unit).first()
    return {
        "labels": labels,
        "series": [{"key": key, "label": str(label), "values": series[key]} for key, label in QUESTIONS],
        "baseline": {key: float(getattr(baseline, key)) for key, _l in QUESTIONS} if baseline else None,
        "baseline_year": baseline.year if baseline else None,
    }
