"""Aggregates with suppression (the HR API and the tertial report call these) and the unit trend."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from staff.models import Department, Organisation, Unit

from ..models import (
    QUESTIONS,
    Answer,
    Baseline,
    Invitation,
    PublishedCells,
    SurveyRound,
    UnitSnapshot,
    min_respondents_floor,
)
from ..services import survey_settings_get
from .disclosure import Disclosure, DisclosureSearchError, deadline, find_disclosure
from .disclosure import Span as _Span  # noqa: F401 - tests/surveys/test_span.py checks it here
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
    organisation: Cell | None  # None for a viewer who does not see the whole organisation
    departments: list[DepartmentResult]  # the viewer's departments only
    snapshots: dict[int, UnitSnapshot]
    viewer: Viewer
    failed_closed: bool = False  # the search gave no proven answer: everything was hidden

    def unit_cell(self, unit_id: int) -> Cell | None:
        for dept in self.departments:
            for cell in dept.units:
                if cell.pk == unit_id:
                    return cell
        return None

    def published(self) -> list[Cell]:
        return [c for c in _shown(self) if not c.suppressed]


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


KIND_ORDER = {"unit": 0, "department": 1, "organisation": 2}


@dataclass(frozen=True)
class Viewer:
    """What a viewer is shown and knows: the class of viewers suppression is computed for.

    `departments` None: the whole organisation (HR, organisation admins, unit managers, whose comparison
    page shows every department); otherwise only these departments and their units (a department head).
    `knows`: units whose raw figures the viewer sees anyway (a unit manager's or assistant manager's own).
    `knew`: (unit, when the role ended) of the roles the person held earlier: a round that opened before
    the end was seen raw then, and what was seen is kept (`on` adds those units to `knows`).
    """

    knows: frozenset[int] = frozenset()
    departments: frozenset[int] | None = None
    knew: tuple[tuple[int, datetime.datetime], ...] = ()

    def on(self, survey_round: SurveyRound) -> Viewer:
        """The viewer class for one round: the units known now plus those managed since the round opened."""
        earlier = {u for u, ended in self.knew if ended >= survey_round.opens_at}
        return Viewer(knows=self.knows | earlier, departments=self.departments)

    def sees_department(self, department_id: int) -> bool:
        return self.departments is None or department_id in self.departments

    @property
    def key(self) -> str:
        """The class as a canonical string (ids only): the published sets are stored under it."""
        scope = "all" if self.departments is None else ",".join(str(d) for d in sorted(self.departments))
        return f"departments={scope};knows={','.join(str(u) for u in sorted(self.knows))}"


ORGANISATION_WIDE = Viewer()  # HR and organisation admins who manage no unit


def _shown(results: TertialResults) -> list[Cell]:
    cells = [results.organisation] if results.organisation is not None else []
    for dept in results.departments:
        cells.append(dept.cell)
        cells.extend(dept.units)
    return cells


def _search(results: TertialResults, shown: list[Cell], until: float | None = None) -> Disclosure | None:
    respondents = {u.pk: u.respondents for d in results.departments for u in d.units}
    return find_disclosure(
        cells=[c.units for c in shown],
        respondents=respondents,
        known=results.viewer.knows,
        minimum=results.min_respondents,
        until=until,
    )


def derivable_cells(results: TertialResults) -> list[Disclosure]:
    """Groups of fewer than the minimum the viewer could compute from what they are shown (should be empty)."""
    found = _search(results, [c for c in _shown(results) if not c.suppressed and c.units])
    return [found] if found else []


def _protect(results: TertialResults) -> None:
    """Complementary suppression for the results' viewer: while the exact search finds a group of fewer
    than the minimum that the viewer can compute from the shown cells and the units they know, hide the
    used cell that costs least (fewest respondents, a unit before a department before the organisation,
    then the lowest id: never a name, so renaming cannot change the choice). All searches together get
    `SURVEYS_DISCLOSURE_SECONDS`; past that, everything is hidden."""
    until = deadline()
    while True:
        shown = [c for c in _shown(results) if not c.suppressed and c.units]
        try:
            found = _search(results, shown, until)
        except DisclosureSearchError:  # no proven answer: fail closed
            for cell in shown:
                cell.suppressed, cell.reason = True, "derivable"
            results.failed_closed = True
            return
        if found is None:
            return
        candidates = [shown[j] for j in found.uses] or [c for c in shown if found.units & set(c.units)] or shown
        cell = min(candidates, key=lambda c: (c.respondents, KIND_ORDER[c.kind], c.pk))
        cell.suppressed, cell.reason = True, "derivable"


def round_minimum(*, organisation: Organisation, survey_round: SurveyRound) -> int:
    """The threshold of a round: the one stored at close, else (a round closed before it was stored) the
    organisation's setting, never below the floor."""
    if survey_round.min_respondents:
        return max(survey_round.min_respondents, min_respondents_floor())
    return max(survey_settings_get(organisation=organisation).min_respondents, min_respondents_floor())


class RoundNotClosed(ValueError):
    """Aggregates of a round are published only once it has closed."""


def tertial_results(
    *, organisation: Organisation, survey_round: SurveyRound, viewer: Viewer, with_snapshots: bool = True
) -> TertialResults:
    """A closed round's aggregates as `viewer` may see them: the organisation (when the viewer sees the
    whole organisation), the viewer's departments and their units, suppression applied for that viewer.

    Each cell has invited, respondents, response rate and per question the mean and the distribution
    of 1..5, or only `suppressed=True`. Units belong to the department they had when the round closed
    (`UnitSnapshot.department`). Every channel (pages, CSV, API, trend) calls this with the same viewer,
    so a viewer is shown one published set per round whatever the channel or its filters.
    """
    if survey_round.organisation_id != organisation.pk:
        raise ValueError("round of another organisation")
    if survey_round.status != SurveyRound.Status.CLOSED:
        raise RoundNotClosed(f"round {survey_round.pk} is not closed")
    viewer = viewer.on(survey_round)
    minimum = round_minimum(organisation=organisation, survey_round=survey_round)
    invited = dict(
        Invitation.objects.filter(organisation=organisation, round=survey_round)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    snapshots = {  # the caseload at close, and the department each unit then belonged to
        s.unit_id: s
        for s in UnitSnapshot.objects.filter(organisation=organisation, round=survey_round).select_related("department")
    }
    departments_by_id: dict[int, Department] = {}
    unit_cells: dict[int, Cell] = {}
    by_dept: dict[int, list[int]] = {}
    # Computed in id order (the search's columns and tie-breaks never depend on a name), shown by name.
    for unit in Unit.objects.filter(organisation=organisation).select_related("department").order_by("pk"):
        unit_cells[unit.pk] = Cell("unit", unit.pk, unit.name, invited.get(unit.pk, 0), 0, _empty_counts())
        frozen = snapshots.get(unit.pk)
        department = frozen.department if frozen is not None and frozen.department_id else unit.department
        departments_by_id[department.pk] = department
        by_dept.setdefault(department.pk, []).append(unit.pk)
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
    all_departments: list[DepartmentResult] = []
    for dept_id, unit_ids in sorted(by_dept.items()):
        cells = [unit_cells[u] for u in unit_ids]
        name = departments_by_id[dept_id].name
        all_departments.append(DepartmentResult(_sum_cells("department", dept_id, name, cells), cells))
    org_cell = _sum_cells("organisation", organisation.pk, organisation.name, [d.cell for d in all_departments])
    results = _published_for_class(
        organisation=organisation,
        survey_round=survey_round,
        organisation_cell=org_cell,
        departments=all_departments,
        viewer=viewer,
        minimum=minimum,
    )
    results.snapshots = snapshots if with_snapshots else {}
    for dept in results.departments:
        dept.units.sort(key=lambda c: (c.name, c.pk))
    results.departments.sort(key=lambda d: (d.cell.name, d.cell.pk))
    return results


def _fingerprint(minimum: int, departments: list[DepartmentResult]) -> str:
    """What a published set was computed on: the threshold and each department's units and respondents."""
    data = [minimum, [[d.cell.pk, [[u.pk, u.respondents] for u in d.units]] for d in departments]]
    return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()


def _copy(cells: list[DepartmentResult], organisation_cell: Cell) -> tuple[Cell, list[DepartmentResult]]:
    def one(c: Cell) -> Cell:
        return Cell(c.kind, c.pk, c.name, c.invited, c.respondents, c.counts, units=list(c.units))

    return one(organisation_cell), [DepartmentResult(one(d.cell), [one(u) for u in d.units]) for d in cells]


def _published_for_class(
    *,
    organisation: Organisation,
    survey_round: SurveyRound,
    organisation_cell: Cell,
    departments: list[DepartmentResult],
    viewer: Viewer,
    minimum: int,
) -> TertialResults:
    """`publish` for a closed round, through the set stored for the viewer's class (`PublishedCells`).

    The first computation is stored. A later one with the same threshold and respondents reads it (no
    search); otherwise it starts from the stored set and may only hide more, and the smaller set is stored.
    Every set a class is ever shown is thus a subset of the first, so the union of all of them is the first,
    which was safe against that class's knowledge. A fail-closed result (no proven answer) is not stored."""
    key = hashlib.sha256(viewer.key.encode()).hexdigest()
    fingerprint = _fingerprint(minimum, departments)
    scope = PublishedCells.objects.filter(organisation=organisation, round=survey_round, viewer_key=key)
    for _attempt in range(3):
        stored = scope.first()
        org_cell, cells = _copy(departments, organisation_cell)
        before = {(kind, pk) for kind, pk in stored.cells} if stored else None
        results = publish(
            survey_round=survey_round,
            organisation_cell=org_cell,
            departments=cells,
            viewer=viewer,
            minimum=minimum,
            published_before=before,
            solve=not (stored and stored.fingerprint == fingerprint),
        )
        if results.failed_closed:
            return results
        now = sorted([c.kind, c.pk] for c in results.published())
        if stored is None:
            try:
                with transaction.atomic():
                    PublishedCells.objects.create(
                        organisation=organisation,
                        round=survey_round,
                        viewer_key=key,
                        viewer=viewer.key,
                        fingerprint=fingerprint,
                        minimum=minimum,
                        cells=now,
                    )
            except IntegrityError:  # another request stored the class's set first: start from that one
                continue
        elif stored.fingerprint != fingerprint or sorted(stored.cells) != now:
            scope.filter(pk=stored.pk).update(fingerprint=fingerprint, minimum=minimum, cells=now)
        return results
    raise RuntimeError("the published set kept changing under this request")


def publish(
    *,
    survey_round: SurveyRound | None,
    organisation_cell: Cell,
    departments: list[DepartmentResult],
    viewer: Viewer,
    minimum: int,
    snapshots: dict | None = None,
    published_before: set[tuple[str, int]] | None = None,
    solve: bool = True,
) -> TertialResults:
    """The cells `viewer` is shown (the organisation only to a viewer of the whole organisation, then the
    viewer's departments with their units), each with fewer than `minimum` respondents suppressed, then
    complementary suppression for that viewer. Pure: tests/surveys/test_disclosure_property.py calls it.

    `published_before` (the class's stored set): a cell outside it stays hidden, so the result is a subset.
    `solve` False: the stored set was proven for exactly these figures and threshold, no search again."""
    org_cell = organisation_cell if viewer.departments is None else None
    departments = [d for d in departments if viewer.sees_department(d.cell.pk)]
    for cell in ([org_cell] if org_cell else []) + [c for d in departments for c in (d.cell, *d.units)]:
        if cell.respondents < minimum:
            cell.suppressed, cell.reason = True, "few"
        elif published_before is not None and (cell.kind, cell.pk) not in published_before:
            cell.suppressed, cell.reason = True, "derivable"
    results = TertialResults(survey_round, minimum, org_cell, departments, snapshots or {}, viewer)
    if solve or published_before is None:
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


def unit_trend(*, organisation: Organisation, unit: Unit, viewer: Viewer, individual: bool) -> dict:
    """Means per question across closed rounds (oldest first) and the baseline, for the chart.

    `individual` (the unit's managers) gives the raw unit values; anyone else gets the values published
    to `viewer` (nothing for a round in which the unit lay outside the viewer's departments).
    """
    labels, series = [], {key: [] for key, _label in QUESTIONS}
    for survey_round in reversed(list(rounds(organisation=organisation, closed_only=True)[:9])):
        if individual:
            cell = unit_raw_cell(organisation=organisation, survey_round=survey_round, unit=unit)
            if not cell.respondents:
                cell.suppressed = True
        else:
            results = tertial_results(
                organisation=organisation, survey_round=survey_round, viewer=viewer, with_snapshots=False
            )
            cell = results.unit_cell(unit.pk) or Cell("unit", unit.pk, unit.name, 0, 0, _empty_counts(), True)
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
