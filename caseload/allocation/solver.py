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
import logging
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
# Growing the threshold with the agreed columns fixed paid at 300 x 100 (4 s: 42 903 226 instead of
# 43 187 726 with the first one alone).
NEIGHBOURHOODS = ((0, True), (2_000, True), (5_000, True), (5_000, False))
# A MIP is started only with max(MIN_MIP_SECONDS, its columns / this) left: HiGHS once overran the limit
# by 2.9 s on a 19 000-column neighbourhood under load; small MIPs (tests, scan) finish well within that.
MIP_COLUMNS_PER_SECOND = 20_000
FALLBACK_SECONDS = 0.25  # at least this is kept back from the LP for placing cases without it
MIN_MIP_SECONDS = 0.25  # less time than this left: a MIP would only overrun the limit (setting up takes ~0.2 s)


log = logging.getLogger(__name__)


class _Clock:
    """Logs (DEBUG) how long each step took and when it ended, from the start of the call."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()

    def mark(self, step: str, detail: object = "") -> None:
        now = time.perf_counter()
        log.debug("%-12s %6.3f s (at %6.3f s) %s", step, now - self.last, now - self.started, detail)
        self.last = now


class SolverError(RuntimeError):
    pass


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
    clock = _Clock()
    started = clock.started
    matrix, x, y = _build(cases, workers, rules)
    clock.mark("build", f"{len(matrix.cost)} columns, {len(matrix.row_upper)} rows, {len(matrix.value)} nonzeros")
    greedy = greedy_allocation(cases, workers, rules)
    greedy_seconds = time.perf_counter() - clock.last
    clock.mark("greedy")
    # The fallback without LP costs about twice the greedy pass, on a loaded machine too: keep that back.
    reserve = max(FALLBACK_SECONDS, 2 * greedy_seconds)
    allocation, status, lower = _solve(
        matrix,
        x,
        y,
        cases,
        workers,
        rules,
        greedy,
        deadline=started + time_limit,
        seed=seed,
        reserve=reserve,
        clock=clock,
    )
    value = costs.objective(cases, workers, rules, allocation)
    clock.mark("result", f"{status} {value}")
    proposal = build_proposal(
        cases, workers, rules, allocation, status=status, objective=value, wall_seconds=time.perf_counter() - started
    )
    return dataclasses.replace(proposal, lower_bound=value if status == "OPTIMAL" else lower)


def _build(
    cases: list[QueuedCase], workers: list[Worker], rules: AllocationRules
) -> tuple[_Matrix, dict[tuple[int, int], int], dict[tuple[int, int], int]]:
    """The programme and its x (main) and y (co) columns by (case index, worker id), built with numpy.

    Eligibility and costs come from costs.py: per worker and case weight for the terms that depend only on
    those (a case without interest or continuity is priced by a stand-in of its weight), and per case and
    worker for the few pairs with interest or continuity, so the model and the cost function agree.
    Column order: x (case-major), y, the unpaired indicators, then per worker its load columns.
    """
    nw = len(workers)
    wid = np.array([w.id for w in workers], dtype=np.int64)
    widx = {w.id: j for j, w in enumerate(workers)}
    free = np.array([w.free_units for w in workers], dtype=np.int64)
    weights = sorted({c.weight for c in cases})
    stand_in = {k: QueuedCase(id=-1, number="", weight=k) for k in weights}
    kind = np.array([weights.index(c.weight) for c in cases], dtype=np.int64)
    may_main = np.array([[costs.may_be_main(w, stand_in[k], rules) for w in workers] for k in weights], dtype=bool)
    may_co = np.array([[costs.may_co_handle(w, stand_in[k], rules) for w in workers] for k in weights], dtype=bool)
    main_cost = np.array([[costs.main_cost(stand_in[k], w, rules) for w in workers] for k in weights], dtype=np.int64)
    co_cost = np.array([[costs.co_cost(stand_in[k], w, rules) for w in workers] for k in weights], dtype=np.int64)
    mu = np.array([costs.main_units(c) for c in cases], dtype=np.int64)
    cu = np.array([costs.co_units(c, rules) for c in cases], dtype=np.int64)
    unassigned = np.array([costs.unassigned_cost(c, rules) for c in cases], dtype=np.int64)
    new = np.array([costs.is_new(w, rules) for w in workers], dtype=bool)
    needs = np.array([costs.needs_co(w, rules) for w in workers], dtype=bool)
    experienced = np.array([w.level in rules.pairing_levels for w in workers], dtype=bool)

    mains = may_main.reshape(len(weights), nw)[kind] & (mu[:, None] <= free[None, :])
    cos = may_co.reshape(len(weights), nw)[kind] & (cu[:, None] <= free[None, :])
    cm = main_cost.reshape(len(weights), nw)[kind] - unassigned[:, None] + rules.missing_co
    cc = co_cost.reshape(len(weights), nw)[kind] - rules.missing_co
    special = [(ci, widx[w]) for ci, c in enumerate(cases) for w in c.interested | c.earlier_handlers if w in widx]
    for ci, j in special:  # interest and continuity: priced pair by pair
        cm[ci, j] = costs.main_cost(cases[ci], workers[j], rules) - unassigned[ci] + rules.missing_co
        cc[ci, j] = costs.co_cost(cases[ci], workers[j], rules) - rules.missing_co
    xc, xw = np.nonzero(mains)
    yc, yw = np.nonzero(cos)
    nx, ny = len(xc), len(yc)
    xcol = np.full(mains.shape, -1, dtype=np.int64)
    xcol[xc, xw] = np.arange(nx)
    ycol = np.full(cos.shape, -1, dtype=np.int64)
    ycol[yc, yw] = nx + np.arange(ny)
    cost = [cm[xc, xw].astype(float), cc[yc, yw].astype(float)]
    upper = [np.ones(nx + ny)]
    integer = [np.ones(nx + ny, dtype=np.int32)]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    bounds: list[np.ndarray] = []
    derived: list[tuple[int, np.ndarray, np.ndarray, float]] = []
    n_rows = 0

    def add_rows(row: np.ndarray, col: np.ndarray, val: np.ndarray | float, bound: np.ndarray | float, n: int) -> int:
        """Rows n_rows .. n_rows + n - 1 (``row`` relative to n_rows); returns the first row."""
        nonlocal n_rows
        rows.append(np.asarray(row, dtype=np.int64) + n_rows)
        cols.append(np.asarray(col, dtype=np.int64))
        vals.append(np.broadcast_to(np.asarray(val, dtype=float), (len(row),)))
        bounds.append(np.broadcast_to(np.asarray(bound, dtype=float), (n,)))
        n_rows += n
        return n_rows - n

    # co != main: stated up front where a conflict is likely (interest, continuity), added lazily elsewhere
    clash = sorted({(ci, j) for ci, j in special if xcol[ci, j] >= 0 and ycol[ci, j] >= 0})
    if clash:
        cc_, cw_ = np.array(clash).T
        k = np.arange(len(clash))
        add_rows(np.concatenate([k, k]), np.concatenate([xcol[cc_, cw_], ycol[cc_, cw_]]), 1.0, 1.0, len(clash))
    # per case: at most one main; a co only with a main
    has_main = mains.any(axis=1)
    main_row = np.cumsum(has_main) - 1
    add_rows(main_row[xc], np.arange(nx), 1.0, 1.0, int(has_main.sum()))
    has_co = cos.any(axis=1)
    co_row = np.cumsum(has_co) - 1
    px = has_co[xc]
    add_rows(
        np.concatenate([co_row[yc], co_row[xc[px]]]),
        np.concatenate([nx + np.arange(ny), np.arange(nx)[px]]),
        np.concatenate([np.ones(ny), -np.ones(int(px.sum()))]),
        0.0,
        int(has_co.sum()),
    )
    # a new worker's main case needs a co-handler
    xn = needs[xw]
    has_needing = np.zeros(len(cases), dtype=bool)
    has_needing[xc[xn]] = True
    need_row = np.cumsum(has_needing) - 1
    py = has_needing[yc]
    add_rows(
        np.concatenate([need_row[xc[xn]], need_row[yc[py]]]),
        np.concatenate([np.arange(nx)[xn], nx + np.arange(ny)[py]]),
        np.concatenate([np.ones(int(xn.sum())), -np.ones(int(py.sum()))]),
        0.0,
        int(has_needing.sum()),
    )
    # the unpaired indicator: a new main without an experienced co-handler
    n_cols = nx + ny
    if rules.pairing:
        xnew = new[xw]
        has_new = np.zeros(len(cases), dtype=bool)
        has_new[xc[xnew]] = True
        new_cases = np.nonzero(has_new)[0]
        unpaired = np.full(len(cases), -1, dtype=np.int64)
        unpaired[new_cases] = n_cols + np.arange(len(new_cases))
        n_cols += len(new_cases)
        cost.append(np.full(len(new_cases), float(rules.pairing)))
        upper.append(np.ones(len(new_cases)))
        integer.append(np.ones(len(new_cases), dtype=np.int32))
        pair_row = np.cumsum(has_new) - 1
        ye = experienced[yw] & has_new[yc]
        body_row = np.concatenate([pair_row[xc[xnew]], pair_row[yc[ye]]])
        body_col = np.concatenate([np.arange(nx)[xnew], nx + np.arange(ny)[ye]])
        body_val = np.concatenate([np.ones(int(xnew.sum())), -np.ones(int(ye.sum()))])
        add_rows(
            np.append(body_row, pair_row[new_cases]),
            np.append(body_col, unpaired[new_cases]),
            np.append(body_val, -np.ones(len(new_cases))),
            0.0,
            len(new_cases),
        )
        for case_index, c_cols, c_vals in zip(
            new_cases, *_groups(body_row, len(new_cases), body_col, body_val), strict=True
        ):
            derived.append((int(unpaired[case_index]), c_cols, c_vals, 0.0))

    # per worker: the rounding cut and the convex load penalty on reachable loads
    term_col = np.concatenate([np.arange(nx), nx + np.arange(ny)])
    term_units = np.concatenate([mu[xc], cu[yc]])
    term_worker = np.concatenate([xw, yw])
    offset = int(unassigned.sum())
    for j, (t_cols, t_units) in enumerate(zip(*_groups(term_worker, nw, term_col, term_units), strict=True)):
        worker = workers[j]
        curve = costs.load_curve(worker, rules)
        if not len(t_cols):
            offset += curve.cost(worker.load_units)
            continue
        # Every size is a multiple of their gcd, so the room beyond the last multiple can never be used:
        # rounding it away is exact and tightens the LP.
        step = int(np.gcd.reduce(t_units))
        room = int(free[j] - free[j] % step)
        for unit in CUT_UNITS:  # Chvátal-Gomory: sum(floor(size / unit) x) <= floor(room / unit)
            big = t_units >= unit
            if room % unit and big.any():
                add_rows(np.zeros(int(big.sum())), t_cols[big], (t_units[big] // unit).astype(float), room // unit, 1)
        # The added load in steps k (0 <= k <= room / step: the capacity) costs f(1) - f(0) per step plus,
        # at each k where the slope grows, an excess column e >= level - k with the slope increase as
        # cost; at every reachable load this equals costs.load_curve, in between it lies above it.
        steps = room // step
        values = [curve.cost(worker.load_units + k * step) for k in range(steps + 1)]
        offset += values[0]
        if steps == 0:
            continue
        slopes = [values[k + 1] - values[k] for k in range(steps)]
        level = n_cols
        n_cols += 1
        cost.append(np.array([float(slopes[0])]))
        upper.append(np.array([float(steps)]))
        integer.append(np.zeros(1, dtype=np.int32))
        add_rows(
            np.zeros(len(t_cols) + 1),
            np.append(t_cols, level),
            np.append(t_units.astype(float), -float(step)),
            0.0,
            1,
        )
        derived.append((level, t_cols, t_units / step, 0.0))
        for k in range(1, steps):
            if slopes[k] > slopes[k - 1]:
                excess = n_cols
                n_cols += 1
                cost.append(np.array([float(slopes[k] - slopes[k - 1])]))
                upper.append(np.array([float(steps - k)]))
                integer.append(np.zeros(1, dtype=np.int32))
                add_rows(np.zeros(2), np.array([level, excess]), np.array([1.0, -1.0]), float(k), 1)
                derived.append((excess, np.array([level]), np.ones(1), float(k)))

    x = dict(zip(zip(xc.tolist(), wid[xw].tolist(), strict=True), range(nx), strict=True))
    y = dict(zip(zip(yc.tolist(), wid[yw].tolist(), strict=True), range(nx, nx + ny), strict=True))
    empty_f, empty_i = np.zeros(0), np.zeros(0, dtype=np.int64)
    matrix = _Matrix(
        cost=np.concatenate(cost) if cost else empty_f,
        upper=np.concatenate(upper) if upper else empty_f,
        integer=np.concatenate(integer) if integer else np.zeros(0, dtype=np.int32),
        rows=np.concatenate(rows) if rows else empty_i,
        index=np.concatenate(cols).astype(np.int32) if cols else np.zeros(0, dtype=np.int32),
        value=np.concatenate(vals) if vals else empty_f,
        row_upper=np.concatenate(bounds) if bounds else empty_f,
        offset=float(offset),
        derived=derived,
    )
    return matrix, x, y


def _mip_seconds(keep: np.ndarray) -> float:
    """The least time left to start a MIP over the kept columns."""
    return max(MIN_MIP_SECONDS, int(keep.sum()) / MIP_COLUMNS_PER_SECOND)


def _groups(keys: np.ndarray, n: int, *arrays: np.ndarray) -> list[list[np.ndarray]]:
    """Each array split into n groups by ``keys`` (0 .. n - 1), in their original order within a group."""
    order = np.argsort(keys, kind="stable")
    splits = np.searchsorted(keys[order], np.arange(1, n))
    return [np.split(a[order], splits) if n else [] for a in arrays]


def _solve(
    matrix: _Matrix,
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
    clock: _Clock | None = None,
) -> tuple[dict[int, costs.Pair | None], str, int | None]:
    """(allocation, status, proven lower bound or None). Out of time, the best allocation found so far
    (at worst the greedy one) comes back with status FEASIBLE."""
    if not len(matrix.cost):  # nobody can take anything
        return {c.id: None for c in cases}, "OPTIMAL", None
    choice = np.zeros(len(matrix.cost), dtype=bool)
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

    def columns_of(allocation: dict[int, costs.Pair | None]) -> np.ndarray:
        """The full column vector of an allocation (auxiliary columns at their least feasible values)."""
        values = np.zeros(len(matrix.cost))
        for ci, case in enumerate(cases):
            if (pair := allocation.get(case.id)) is not None:
                values[x[ci, pair[0]]] = 1
                if pair[1] is not None:
                    values[y[ci, pair[1]]] = 1
        for col, others, coefs, const in matrix.derived:
            values[col] = max(0.0, float(values[others] @ coefs) - const)
        return values

    clock = clock or _Clock()
    best, bound = greedy, None
    upper = costs.objective(cases, workers, rules, greedy)
    try:
        # 1. The LP relaxation: a lower bound and reduced costs for every column. Out of time, the cases
        #    are placed by their cost of being left out per unit of room instead (no bound then).
        try:
            lp = matrix.solve(keep=None, integral=False, clashes=[], deadline=deadline - reserve, seed=seed)
        except _OutOfTime:
            lp = None
        clock.mark("lp", "not finished" if lp is None or not lp.optimal else lp.objective)
        if lp is None or not lp.optimal:
            fallback = round_lp(cases, workers, rules, x, y, None, matrix.cost)
            clock.mark("fallback")
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
        clock.mark("rounding", value)
        start = columns_of(best)
        for threshold, fix_agreed in NEIGHBOURHOODS:
            near = ~choice | (reduced <= threshold) | (lp.values > 1e-6) | (start > 0.5)
            if upper <= bound or deadline - time.perf_counter() < _mip_seconds(near):
                break
            agreed = choice & (lp.values > 1 - 1e-6) & (start > 0.5) if fix_agreed else np.zeros_like(choice)
            local = matrix.solve_lazily(
                keep=near,
                pairs=pairs,
                deadline=deadline,
                seed=seed,
                start=start,
                lower=agreed.astype(float),
                eager=True,
            )
            if local.objective < upper - 0.5:
                best = decode(local)
                upper = costs.objective(cases, workers, rules, best)
                start = columns_of(best)
            clock.mark(f"mip <= {threshold}", f"{int(near.sum())} columns: {upper}")
        if upper <= bound:
            return best, "OPTIMAL", bound
        # 3. Reduced-cost fixing: with Lagrangian bound L, an allocation using a column of reduced cost r
        #    costs at least L + r, so only columns with r <= upper - L (+ a floating-point margin) can be in
        #    an optimum; the MIP over those, started from the best allocation so far, is exact for the whole.
        margin = max(1.0, 1e-6 * float(np.abs(matrix.cost).max()))
        needed = ~choice | (reduced <= upper - lower + margin) | (start > 0.5)
        if deadline - time.perf_counter() < _mip_seconds(needed):
            return best, "FEASIBLE", bound
        clock.mark("fixing", f"{int(needed.sum())} columns left")
        final = matrix.solve_lazily(keep=needed, pairs=pairs, deadline=deadline, seed=seed, start=start)
        clock.mark("final mip", final.objective)
    except _OutOfTime:
        clock.mark("out of time")
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
    # auxiliary columns as functions of the others, in order: col = max(0, coefs @ values[others] - const)
    derived: list[tuple[int, np.ndarray, np.ndarray, float]] = field(default_factory=list)

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
        if integral:
            # HiGHS checks its time limit too seldom inside a MIP (measured under load: 9 s past a 1.8 s
            # limit); its interrupt callbacks ask Python often enough to stop at the deadline.
            def stop_at_deadline(event) -> None:
                if time.perf_counter() > deadline:
                    event.interrupt()

            highs.cbMipInterrupt += stop_at_deadline
            highs.cbSimplexInterrupt += stop_at_deadline
        highs.run()
        status = highs.getModelStatus()
        info = highs.getInfo()
        out_of_time = (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt)
        if status in out_of_time and info.primal_solution_status != 2:
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
        eager: bool = False,
    ) -> _Result:
        """The MIP over the kept columns. Where a worker comes out as both main and co of one case, that
        pair's x + y <= 1 row is added and the MIP solved again: an optimum of a relaxation that obeys
        every row is an optimum of the whole. ``eager``: every kept pair's row up front (one solve; for
        the small neighbourhoods, where a second solve costs more than the rows)."""
        kept_pairs = [(a, b) for a, b in pairs if keep[a] and keep[b]]
        clashes: list[tuple[int, int]] = list(kept_pairs) if eager else []
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
