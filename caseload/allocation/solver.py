"""The allocation proposal as a mixed-integer programme solved by HiGHS (through highspy).

Columns: x[c, w] = worker w is main handler of case c, y[c, w] = co-handler (binary); p[c] = a new
worker is main handler of c without an experienced co-handler (binary); per worker the added load in
steps of the gcd of its sizes and excess columns above it (continuous, >= 0). Hard rules are rows: at most
one main, a co-handler only with a main, co != main, capacity, the level rules (by leaving out the columns)
and a co-handler for a new worker's main cases. The objective is costs.objective term by term: per-choice
costs, the pairing indicator and the convex load penalty, stated on the loads the worker can reach
(_load_penalty) so it is exact for allocations and tighter for the LP. Every cost of an allocation is an
integer, so an absolute gap below 1 proves optimality. One thread, fixed seed: reproducible. Each
worker's room is rounded down to a multiple of that gcd (exact) and gets a rounding cut per weighted case.

Solving (_solve): the LP relaxation gives a lower bound and reduced costs; the LP rounded into an
allocation (_rounding.py) and MIPs over growing neighbourhoods of it give an upper bound (the greedy
allocation is the fallback); reduced-cost fixing then removes every column that cannot be in an optimum
and the MIP over the rest is exact. docs/allocation.md has the argument and the benchmark.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from . import costs
from ._rounding import round_lp
from .explain import build_proposal
from .greedy import greedy_allocation
from .model import LOAD_SCALE, AllocationRules, Proposal, QueuedCase, Worker

CUT_UNITS = (LOAD_SCALE,)  # one weighted case: a valid rounding cut on each capacity row
# Local MIPs for the upper bound, in order: (reduced cost threshold in points, whether the columns the LP
# and the best allocation both use are fixed). The columns the LP uses and the best allocation's are free.
NEIGHBOURHOODS = ((0, True), (5_000, False))
FALLBACK_SECONDS = 0.25  # at least this is kept back from the LP for placing cases without it
MIN_MIP_SECONDS = 0.25  # less time than this left: a MIP would only overrun the limit (setting up takes ~0.2 s)


class SolverError(RuntimeError):
    pass


@dataclass
class _Program:
    cost: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    offset: int = 0
    # auxiliary columns as functions of the others, in order: col = max(0, sum(coef * other) - const)
    derived: list[tuple[int, list[tuple[int, float]], float]] = field(default_factory=list)

    def column(self, cost: int, *, upper: float = 1.0, integer: bool = True) -> int:
        self.cost.append(float(cost))
        self.upper.append(upper)
        self.integer.append(1 if integer else 0)
        return len(self.cost) - 1

    def at_most(self, terms: list[tuple[int, float]], bound: float) -> None:
        """sum(coef * column) <= bound."""
        cols, coefs = zip(*terms, strict=True)
        self.index.extend(cols)
        self.value.extend(coefs)
        self.starts.append(len(self.index))
        self.row_upper.append(float(bound))


def _validate(cases: Sequence[QueuedCase], workers: Sequence[Worker]) -> None:
    if len({c.id for c in cases}) != len(cases):
        raise ValueError("case ids must be unique")
    if len({w.id for w in workers}) != len(workers):
        raise ValueError("worker ids must be unique")


def propose(
    cases: Sequence[QueuedCase],
    workers: Sequence[Worker],
    rules: AllocationRules | None = None,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
) -> Proposal:
    """The proposal for one allocation meeting; status OPTIMAL means proven optimal for costs.objective."""
    rules = rules or AllocationRules()
    cases, workers = list(cases), list(workers)
    _validate(cases, workers)
    started = time.perf_counter()
    prog, x, y = _build(cases, workers, rules)
    greedy_started = time.perf_counter()
    greedy = greedy_allocation(cases, workers, rules)
    # The fallback without LP costs about twice the greedy pass, on a loaded machine too: keep that back.
    reserve = max(FALLBACK_SECONDS, 2 * (time.perf_counter() - greedy_started))
    allocation, status, lower = _solve(
        prog, x, y, cases, workers, rules, greedy, deadline=started + time_limit, seed=seed, reserve=reserve
    )
    value = costs.objective(cases, workers, rules, allocation)
    proposal = build_proposal(
        cases, workers, rules, allocation, status=status, objective=value, wall_seconds=time.perf_counter() - started
    )
    return dataclasses.replace(proposal, lower_bound=value if status == "OPTIMAL" else lower)


def _build(
    cases: list[QueuedCase], workers: list[Worker], rules: AllocationRules
) -> tuple[_Program, dict[tuple[int, int], int], dict[tuple[int, int], int]]:
    """The programme and its x (main) and y (co) columns by (case index, worker id)."""
    prog = _Program()
    x: dict[tuple[int, int], int] = {}
    y: dict[tuple[int, int], int] = {}
    added: dict[int, list[tuple[int, float]]] = {w.id: [] for w in workers}

    for ci, case in enumerate(cases):
        mu, cu = costs.main_units(case), costs.co_units(case, rules)
        unassigned = costs.unassigned_cost(case, rules)
        prog.offset += unassigned  # paid unless a main column is chosen
        mains = [w for w in workers if costs.may_be_main(w, case, rules) and mu <= w.free_units]
        cos = [w for w in workers if costs.may_co_handle(w, case, rules) and cu <= w.free_units]
        for w in mains:
            # choosing a main: its own cost, minus the unassigned cost, plus missing_co (refunded by a co)
            x[ci, w.id] = prog.column(costs.main_cost(case, w, rules) - unassigned + rules.missing_co)
            added[w.id].append((x[ci, w.id], mu))
        for w in cos:
            y[ci, w.id] = prog.column(costs.co_cost(case, w, rules) - rules.missing_co)
            added[w.id].append((y[ci, w.id], cu))
            if (ci, w.id) in x and (w.id in case.interested or w.id in case.earlier_handlers):
                # co != main: stated up front where a conflict is likely, added lazily elsewhere
                prog.at_most([(x[ci, w.id], 1.0), (y[ci, w.id], 1.0)], 1)
        main_terms = [(x[ci, w.id], 1.0) for w in mains]
        co_terms = [(y[ci, w.id], 1.0) for w in cos]
        if main_terms:
            prog.at_most(main_terms, 1)
        if co_terms:
            prog.at_most(co_terms + [(col, -1.0) for col, _ in main_terms], 0)
        needing = [(x[ci, w.id], 1.0) for w in mains if costs.needs_co(w, rules)]
        if needing:
            prog.at_most(needing + [(col, -1.0) for col, _ in co_terms], 0)
        new_mains = [(x[ci, w.id], 1.0) for w in mains if costs.is_new(w, rules)]
        if new_mains and rules.pairing:
            unpaired = prog.column(rules.pairing)
            experienced = [(y[ci, w.id], -1.0) for w in cos if w.level in rules.pairing_levels]
            prog.at_most(new_mains + experienced + [(unpaired, -1.0)], 0)
            prog.derived.append((unpaired, new_mains + experienced, 0.0))

    for w in workers:
        terms = added[w.id]
        # Every size is a multiple of their gcd, so the room beyond the last multiple can never be used:
        # rounding it away is exact and tightens the LP.
        step = math.gcd(*(int(u) for _, u in terms)) if terms else 1
        room = w.free_units - w.free_units % step
        if terms:
            prog.at_most(terms, room)
            for unit in CUT_UNITS:  # Chvátal-Gomory: sum(floor(size / unit) x) <= floor(room / unit)
                if room % unit and any(u >= unit for _, u in terms):
                    prog.at_most([(col, float(u // unit)) for col, u in terms if u >= unit], room // unit)
        _load_penalty(prog, w, rules, terms, step, room)
    return prog, x, y


def _load_penalty(
    prog: _Program, worker: Worker, rules: AllocationRules, terms: list[tuple[int, float]], step: int, room: int
) -> None:
    """The convex load penalty on the loads the worker can actually reach: the added load is a multiple
    of ``step``, so the penalty is needed only at load + k * step (k = 0..room / step), and between those
    points it is interpolated linearly. At every reachable load this equals costs.load_curve exactly; in
    between it lies above the original curve, so the LP cannot hide load just below a threshold.
    The added load in steps k gets cost f(1) - f(0) per step plus, at each k where the slope grows, an
    excess column e >= k_total - k with the slope increase as cost (integers: f is integer at every point).
    """
    curve = costs.load_curve(worker, rules)
    steps = room // step if terms else 0
    values = [curve.cost(worker.load_units + k * step) for k in range(steps + 1)]
    prog.offset += values[0]
    if steps == 0:
        return
    slopes = [values[k + 1] - values[k] for k in range(steps)]
    level = prog.column(slopes[0], upper=float(steps), integer=False)  # the added load in steps
    prog.at_most(terms + [(level, -float(step))], 0)
    prog.derived.append((level, [(col, units / step) for col, units in terms], 0.0))
    for k in range(1, steps):
        if slopes[k] > slopes[k - 1]:
            excess = prog.column(slopes[k] - slopes[k - 1], upper=float(steps - k), integer=False)
            prog.at_most([(level, 1.0), (excess, -1.0)], k)
            prog.derived.append((excess, [(level, 1.0)], float(k)))


def _solve(
    prog: _Program,
    x: dict[tuple[int, int], int],
    y: dict[tuple[int, int], int],
    cases: list[QueuedCase],
    workers: list[Worker],
    rules: AllocationRules,
    greedy: dict[int, costs.Pair | None],
    *,
    deadline: float,
    seed: int,
    reserve: float = 0.0,
) -> tuple[dict[int, costs.Pair | None], str, int | None]:
    """(allocation, status, proven lower bound or None). Out of time, the best allocation found so far
    (at worst the greedy one) comes back with status FEASIBLE."""
    if not prog.cost:  # nobody can take anything
        return {c.id: None for c in cases}, "OPTIMAL", None
    matrix = _Matrix.of(prog)
    choice = np.zeros(len(prog.cost), dtype=bool)
    choice[list(x.values()) + list(y.values())] = True
    pairs = [(col, y[key]) for key, col in x.items() if key in y]

    def decode(result: _Result) -> dict[int, costs.Pair | None]:
        """The allocation in a MIP result, re-priced by costs.objective: model and cost function must agree."""
        values = result.values
        mains = {ci: wid for (ci, wid), col in x.items() if values[col] > 0.5}
        cos = {ci: wid for (ci, wid), col in y.items() if values[col] > 0.5}
        allocation = {case.id: (mains[ci], cos.get(ci)) if ci in mains else None for ci, case in enumerate(cases)}
        value = costs.objective(cases, workers, rules, allocation)
        if result.optimal and abs(value - result.objective) > 0.5:
            raise SolverError(f"model and cost function disagree: {result.objective} != {value}")
        return allocation

    derived = [
        (col, np.array([c for c, _ in terms], dtype=np.int64), np.array([v for _, v in terms]), const)
        for col, terms, const in prog.derived
    ]

    def columns_of(allocation: dict[int, costs.Pair | None]) -> np.ndarray:
        """The full column vector of an allocation (auxiliary columns at their least feasible values)."""
        values = np.zeros(len(prog.cost))
        for ci, case in enumerate(cases):
            if (pair := allocation.get(case.id)) is not None:
                values[x[ci, pair[0]]] = 1
                if pair[1] is not None:
                    values[y[ci, pair[1]]] = 1
        for col, others, coefs, const in derived:
            values[col] = max(0.0, float(values[others] @ coefs) - const)
        return values

    best, bound = greedy, None
    upper = costs.objective(cases, workers, rules, greedy)
    try:
        # 1. The LP relaxation: a lower bound and reduced costs for every column. Out of time, the cases
        #    are placed by their cost of being left out per unit of room instead (no bound then).
        try:
            lp = matrix.solve(keep=None, integral=False, clashes=[], deadline=deadline - reserve, seed=seed)
        except _OutOfTime:
            lp = None
        if lp is None or not lp.optimal:
            fallback = round_lp(cases, workers, rules, x, y, None, matrix.cost)
            if costs.objective(cases, workers, rules, fallback) < upper:
                best = fallback
            return best, "FEASIBLE", None
        reduced, lower = matrix.pricing(lp.row_duals)
        bound = math.ceil(lower - 1e-6 * abs(lower))  # the objective of any allocation is an integer
        # 2. Upper bounds: the LP rounded into an allocation, then improved by MIPs over growing
        #    neighbourhoods of it (NEIGHBOURHOODS), each started from the best allocation so far.
        rounded = round_lp(cases, workers, rules, x, y, lp.values, reduced)
        if (value := costs.objective(cases, workers, rules, rounded)) < upper:
            best, upper = rounded, value
        start = columns_of(best)
        for threshold, fix_agreed in NEIGHBOURHOODS:
            if upper <= bound or deadline - time.perf_counter() < MIN_MIP_SECONDS:
                break
            near = ~choice | (reduced <= threshold) | (lp.values > 1e-6) | (start > 0.5)
            agreed = choice & (lp.values > 1 - 1e-6) & (start > 0.5) if fix_agreed else np.zeros_like(choice)
            local = matrix.solve_lazily(
                keep=near, pairs=pairs, deadline=deadline, seed=seed, start=start, lower=agreed.astype(float)
            )
            if local.objective < upper - 0.5:
                best = decode(local)
                upper = costs.objective(cases, workers, rules, best)
                start = columns_of(best)
        if upper <= bound:
            return best, "OPTIMAL", bound
        # 3. Reduced-cost fixing: with Lagrangian bound L, an allocation using a column of reduced cost r
        #    costs at least L + r, so only columns with r <= upper - L (+ a floating-point margin) can be in
        #    an optimum; the MIP over those, started from the best allocation so far, is exact for the whole.
        margin = max(1.0, 1e-6 * float(np.abs(matrix.cost).max()))
        needed = ~choice | (reduced <= upper - lower + margin) | (start > 0.5)
        if deadline - time.perf_counter() < MIN_MIP_SECONDS:
            return best, "FEASIBLE", bound
        final = matrix.solve_lazily(keep=needed, pairs=pairs, deadline=deadline, seed=seed, start=start)
    except _OutOfTime:
        return best, "FEASIBLE", bound
    if final.objective < upper - 0.5:
        best = decode(final)
    return best, "OPTIMAL" if final.optimal else "FEASIBLE", bound


class _OutOfTime(Exception):
    pass


@dataclass
class _Result:
    optimal: bool
    objective: float
    values: np.ndarray
    row_duals: np.ndarray


@dataclass
class _Matrix:
    cost: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    rows: np.ndarray  # row of each nonzero
    index: np.ndarray
    value: np.ndarray
    row_upper: np.ndarray
    offset: float

    @classmethod
    def of(cls, prog: _Program) -> _Matrix:
        starts = np.array(prog.starts)
        return cls(
            cost=np.array(prog.cost),
            upper=np.array(prog.upper),
            integer=np.array(prog.integer, dtype=np.int32),
            rows=np.repeat(np.arange(len(prog.row_upper)), np.diff(starts)),
            index=np.array(prog.index, dtype=np.int32),
            value=np.array(prog.value),
            row_upper=np.array(prog.row_upper),
            offset=float(prog.offset),
        )

    def solve(
        self,
        *,
        keep: np.ndarray | None,
        integral: bool,
        clashes: list[tuple[int, int]],
        deadline: float,
        seed: int,
        start: np.ndarray | None = None,
        lower: np.ndarray | None = None,
    ) -> _Result:
        """Solve over the kept columns (the others fixed at 0), with x + y <= 1 rows for ``clashes``;
        ``lower``: lower bounds of the columns (default 0)."""
        n = len(self.cost)
        keep = np.ones(n, dtype=bool) if keep is None else keep
        new_index = np.cumsum(keep) - 1
        live = keep[self.index]
        rows = np.concatenate([self.rows[live], np.repeat(np.arange(len(clashes)) + len(self.row_upper), 2)])
        cols = np.concatenate([new_index[self.index[live]], new_index[np.array(clashes, dtype=np.int64).ravel()]])
        vals = np.concatenate([self.value[live], np.ones(2 * len(clashes))])
        row_upper = np.concatenate([self.row_upper, np.ones(len(clashes))])
        order = np.argsort(rows, kind="stable")
        starts = np.searchsorted(rows[order], np.arange(len(row_upper)))
        n_keep = int(keep.sum())

        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        highs.setOptionValue("random_seed", seed)
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.setOptionValue("mip_abs_gap", 0.999)  # the objective of an allocation is an integer
        highs.setOptionValue("time_limit", max(0.05, deadline - time.perf_counter()))
        if not integral:
            highs.setOptionValue("presolve", "off")  # measured: 3x faster on this LP
            highs.setOptionValue("simplex_dual_edge_weight_strategy", 2)  # steepest edge: ~25 % faster here
        highs.passModel(
            n_keep,
            len(row_upper),
            len(vals),
            2,  # row-wise
            1,  # minimise
            self.offset,
            self.cost[keep],
            np.zeros(n_keep) if lower is None else lower[keep],
            self.upper[keep],
            np.full(len(row_upper), -highspy.kHighsInf),
            row_upper,
            starts.astype(np.int32),
            cols[order].astype(np.int32),
            vals[order],
            self.integer[keep] if integral else np.zeros(n_keep, dtype=np.int32),
        )
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = list(start[keep])
            highs.setSolution(solution)
        highs.run()
        status = highs.getModelStatus()
        info = highs.getInfo()
        if status == highspy.HighsModelStatus.kTimeLimit and info.primal_solution_status != 2:
            raise _OutOfTime
        if status != highspy.HighsModelStatus.kOptimal and info.primal_solution_status != 2:
            raise SolverError(f"HiGHS: {highs.modelStatusToString(status)}")
        solution = highs.getSolution()
        values = np.zeros(n)
        values[keep] = np.array(solution.col_value)
        duals = np.array(solution.row_dual) if not integral else np.zeros(len(row_upper))
        return _Result(status == highspy.HighsModelStatus.kOptimal, info.objective_function_value, values, duals)

    def pricing(self, row_duals: np.ndarray) -> tuple[np.ndarray, float]:
        """Reduced costs of every column and the Lagrangian lower bound for duals y <= 0 (all rows are <=):
        for any x with Ax <= b, 0 <= x <= u: c.x >= y.b + sum(r.x) >= y.b + sum(min(0, r) * u) = bound."""
        y = np.minimum(row_duals[: len(self.row_upper)], 0.0)
        reduced = self.cost - np.bincount(self.index, weights=self.value * y[self.rows], minlength=len(self.cost))
        bound = self.offset + float(y @ self.row_upper) + float(np.minimum(reduced, 0.0) @ self.upper)
        return reduced, bound

    def solve_lazily(
        self,
        *,
        keep: np.ndarray,
        pairs: list[tuple[int, int]],
        deadline: float,
        seed: int,
        start=None,
        lower: np.ndarray | None = None,
    ) -> _Result:
        """The MIP over the kept columns. Where a worker comes out as both main and co of one case, that
        pair's x + y <= 1 row is added and the MIP solved again: an optimum of a relaxation that obeys
        every row is an optimum of the whole."""
        clashes: list[tuple[int, int]] = []
        kept_pairs = [(a, b) for a, b in pairs if keep[a] and keep[b]]
        while True:
            result = self.solve(
                keep=keep, integral=True, clashes=clashes, deadline=deadline, seed=seed, start=start, lower=lower
            )
            found = [(a, b) for a, b in kept_pairs if result.values[a] > 0.5 and result.values[b] > 0.5]
            if not found:
                return result
            if not result.optimal:
                raise _OutOfTime
            clashes.extend(found)
