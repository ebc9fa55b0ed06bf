"""Who can work out whose answers: the exact disclosure search behind complementary suppression.

A viewer *learns* a group S of units when the 0/1 indicator of S lies in the span, over the rationals,
of the vectors (over units) of every cell the viewer is shown plus the units the viewer knows raw (a unit
manager's own units). Every published figure of a cell (invited, respondents, the counts of 1..5) is a
sum over its units, so one combination of cells gives S's figures for all of them at once. A unit without
respondents is treated as known: it adds nothing to any sum. Protection holds when no S of units the
viewer does not know has 1 <= respondents(S) < k.

The search is an integer programme solved by HiGHS with whole-number coefficients only and no continuous
variable: a binary z_u per unit with respondents that the viewer does not know (the coordinates of known
units are free, so they are left out), z orthogonal to each vector of an integer basis of the space
orthogonal to the shown cells (computed exactly from the rational row-reduced basis, `Span.orthogonal`):
that is exactly "z is a combination of the cells"; and 1 <= sum_u r_u z_u <= k - 1. A solution is never
trusted as it stands: its S is checked again with exact rational arithmetic (`Span.combination`, which
also gives the cells the combination uses), and a solution that does not survive the check is cut off and
the programme solved again. "Infeasible" from HiGHS is the proof that nothing can be derived: on an
integer programme with whole coefficients of this size (0/±1 cells and respondent counts) its floating
point is not in doubt, but it is not re-proven exactly; tests/surveys/test_disclosure_property.py checks
it independently by enumerating every small group with exact rank arithmetic.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import highspy
import numpy as np
from django.conf import settings

MAX_CUTS = 50
DEFAULT_SECONDS = 5.0


def time_limit() -> float:
    """Seconds one publication's searches may take together (`SURVEYS_DISCLOSURE_SECONDS`, default 5)."""
    return float(getattr(settings, "SURVEYS_DISCLOSURE_SECONDS", DEFAULT_SECONDS))


def deadline() -> float:
    """The `time.monotonic()` by which a publication's searches must be done; past it they fail closed."""
    return time.monotonic() + time_limit()


class DisclosureSearchError(RuntimeError):
    """HiGHS gave no usable answer; callers fail closed (suppress everything they would publish)."""


class Span:
    """Exact row space (over the rationals) of cells, as sparse vectors over the units.

    The basis is kept in reduced row echelon form ({pivot: row} with row[pivot] == 1 and no other
    basis row non-zero at that pivot), so reducing a cell touches only the units it sums: a city of a
    hundred units costs milliseconds, not the half second of dense rows.
    """

    def __init__(self, index: dict[int, int]):
        self.index = index
        self.basis: dict[int, dict[int, Fraction | int]] = {}
        self.combos: dict[int, dict[int, Fraction | int]] = {}  # per basis row: its combination of added cells

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

    def _reduce(self, row: dict, combo: dict | None = None) -> dict:
        for pivot in [p for p in row if p in self.basis]:
            factor = row[pivot]
            self._subtract(row, factor, self.basis[pivot])  # other pivots of the row stay as they are
            if combo is not None:
                self._subtract(combo, factor, self.combos[pivot])
        return row

    def add(self, unit_ids, label: int | None = None) -> None:
        """Add a cell; `label` (its index) lets `combination` say which cells a derived group uses."""
        combo: dict[int, Fraction | int] = {label: 1} if label is not None else {}
        row = self._reduce(self._vector(unit_ids), combo)
        if not row:
            return
        pivot = min(row)
        scale = Fraction(row[pivot])
        row = {i: v if scale == 1 else v / scale for i, v in row.items()}  # int / Fraction is a Fraction: exact
        combo = {j: v if scale == 1 else v / scale for j, v in combo.items()}
        for other, base in self.basis.items():
            if base.get(pivot):
                self._subtract(self.combos[other], base[pivot], combo)
                self._subtract(base, base[pivot], row)
        self.basis[pivot] = row
        self.combos[pivot] = combo

    def combination(self, unit_ids) -> dict[int, Fraction | int] | None:
        """The labelled cells and coefficients that sum to the group exactly, or None (not in the span)."""
        combo: dict[int, Fraction | int] = {}
        row = self._vector(unit_ids)
        for pivot in [p for p in row if p in self.basis]:
            factor = row[pivot]
            self._subtract(row, factor, self.basis[pivot])
            self._subtract(combo, -factor, self.combos[pivot])  # combo += factor * combos[pivot]
        return None if row else combo

    def orthogonal(self, size: int) -> list[dict[int, int]]:
        """An integer basis of the vectors orthogonal to the span (over coordinates 0..size-1): a group lies
        in the span exactly when its indicator is orthogonal to each. One per free coordinate f: x_f = 1,
        x_p = -basis[p][f] on the pivots, scaled to whole numbers."""
        vectors = []
        for free in (i for i in range(size) if i not in self.basis):
            vector: dict[int, Fraction] = {free: Fraction(1)}
            for pivot, row in self.basis.items():
                if row.get(free):
                    vector[pivot] = -Fraction(row[free])
            scale = math.lcm(*(v.denominator for v in vector.values()))
            whole = {i: int(v * scale) for i, v in vector.items()}
            divisor = math.gcd(*whole.values())
            vectors.append({i: v // divisor for i, v in whole.items()})
        return vectors

    def contains(self, unit_ids) -> bool:
        return not self._reduce(self._vector(unit_ids))


@dataclass(frozen=True)
class Disclosure:
    """A group the viewer can compute: its units, their respondents, and the shown cells (indexes) used."""

    units: frozenset[int]
    respondents: int
    uses: tuple[int, ...]


def _project(cells: Sequence[Iterable[int]], universe: dict[int, int]) -> list[tuple[int, frozenset[int]]]:
    """(cell index, the cell's units among the universe), empty and repeated vectors left out."""
    seen: set[frozenset[int]] = set()
    rows = []
    for j, cell in enumerate(cells):
        vector = frozenset(u for u in cell if u in universe)
        if vector and vector not in seen:
            seen.add(vector)
            rows.append((j, vector))
    return rows


def exactly_derivable(
    group: Iterable[int], *, cells: Sequence[Iterable[int]], respondents: Mapping[int, int], known: Iterable[int]
) -> bool:
    """Exact check: the group's indicator (over the units not known) is a combination of the cells."""
    known = set(known)
    universe = {u: i for i, u in enumerate(sorted(u for u, r in respondents.items() if r > 0 and u not in known))}
    group = [u for u in group if u in universe]
    span = Span(universe)
    for _j, vector in _project(cells, universe):
        span.add(vector)
    return bool(group) and span.contains(group)


def find_disclosure(
    *,
    cells: Sequence[Iterable[int]],
    respondents: Mapping[int, int],
    known: Iterable[int],
    minimum: int,
    until: float | None = None,
) -> Disclosure | None:
    """A group of 1..minimum-1 respondents the viewer can derive from `cells` and `known`, or None (proven).

    `until` (a `time.monotonic()`, default `deadline()`): past it, or HiGHS stopped by the time left, the
    search raises DisclosureSearchError, and the caller hides everything (fail closed)."""
    until = deadline() if until is None else until
    known = set(known)
    units = sorted(u for u, r in respondents.items() if r > 0 and u not in known)
    if not units or minimum <= 1:
        return None
    universe = {u: i for i, u in enumerate(units)}
    rows = _project(cells, universe)
    if not rows:
        return None
    n = len(units)
    span = Span(universe)
    for col, (_j, vector) in enumerate(rows):
        span.add(vector, label=col)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    inf = highspy.kHighsInf
    highs.addVars(n, np.array([0.0] * n), np.array([1.0] * n))
    highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n))
    for vector in span.orthogonal(n):  # z in the span of the cells: orthogonal to each, whole coefficients
        index = np.array(sorted(vector), dtype=np.int32)
        highs.addRow(0.0, 0.0, len(index), index, np.array([float(vector[i]) for i in sorted(vector)]))
    r = np.array([float(respondents[u]) for u in units])
    highs.addRow(1.0, float(minimum - 1), n, np.arange(n, dtype=np.int32), r)
    for _attempt in range(MAX_CUTS):
        left = until - time.monotonic()
        if left <= 0:
            raise DisclosureSearchError("out of time")
        highs.setOptionValue("time_limit", left)  # HiGHS stopped by it answers kTimeLimit: an error below
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            raise DisclosureSearchError(highs.modelStatusToString(status))
        values = highs.getSolution().col_value
        chosen = [i for i in range(n) if values[i] > 0.5]
        group = [units[i] for i in chosen]
        total = sum(respondents[u] for u in group)
        combo = span.combination(group) if group else None
        if combo is not None and 1 <= total < minimum:
            uses = tuple(sorted(rows[c][0] for c, v in combo.items() if v))
            return Disclosure(frozenset(group), total, uses)
        # Not a real combination (rounding): cut this z off and ask again.
        index = np.arange(n, dtype=np.int32)
        coefficients = np.array([1.0 if i in chosen else -1.0 for i in range(n)])
        highs.addRow(-inf, float(len(chosen) - 1), n, index, coefficients)
    raise DisclosureSearchError("no verified answer after the cuts")
