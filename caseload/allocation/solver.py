"""The allocation proposal as an aggregated mixed-integer programme solved by HiGHS (through highspy).

A case's role costs the same at every worker except its few special ones (interest, continuity): the
duty and load terms depend only on the worker and the case's weight. So the model does not say which
worker takes which case, only how many cases of each weight each worker takes in each role:

- per case: a column per special worker and role (main / co, priced with costs.py), and "generic" columns
  per role and worker class (main: a new worker or not; co: in the pairing levels or not), priced at what
  being placed saves (the carry-over cost, the missing co-handler);
- per worker and case weight: integer counts of generic mains and cos (priced with costs.py through a
  stand-in case of that weight), tied to the cases' generic columns of that weight and class by pool rows;
- per worker: the added load and its convex penalty in segments between the curve's breakpoints.

Hard rules are rows (at most one main, a co only with a main, the same worker not both at a special
worker, a co-handler for a new main, the unpaired indicator) or missing columns (level rules, capacity).

Every allocation maps onto this model at exactly its cost (``_Aggregate.columns``; a test checks it
against costs.objective), so the model is a relaxation: its optimum is a lower bound for the original
problem. The counts are then turned back into cases (``disaggregate``): each generic role of a weight and
class gets a worker with a count there, no case getting the same worker twice. When that works, the
allocation costs what the model said (it is re-priced and must agree), so it is proven optimal. When it
does not (a pool so small that one worker would have to be both roles of a case), the cases involved get
a column per worker ("exploded": modelled exactly) and the model is solved again; with every case
exploded it is the original model. Cases without special workers of one weight are interchangeable, so
the symmetric copies that make the per-case model hard (50 000 columns at 300 × 100, not proven in 60 s)
are gone: 3 000 columns, proven in about half a second. docs/allocation.md has the figures.

One thread, fixed seed: reproducible. Out of time, the best allocation found (at worst the greedy one)
comes back as FEASIBLE with the model's proven bound.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from . import costs
from .explain import build_proposal
from .greedy import greedy_allocation
from .model import LOAD_SCALE, AllocationRules, Proposal, QueuedCase, Worker

CUT_UNITS = LOAD_SCALE  # one weighted case: a Chvátal-Gomory rounding cut on each capacity row
MIN_MIP_SECONDS = 0.05  # less time than this left: no (further) solve is started

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
    deadline = clock.started + time_limit
    best = greedy_allocation(cases, workers, rules)
    upper = costs.objective(cases, workers, rules, best)
    clock.mark("greedy", upper)
    status, bound = "FEASIBLE", None
    exploded: set[int] = set()
    while True:
        model = _Aggregate(cases, workers, rules, exploded)
        clock.mark("build", f"{len(model.cost)} columns, {len(model.row_lower)} rows, {len(exploded)} exploded")
        if deadline - time.perf_counter() < MIN_MIP_SECONDS:
            break
        result = model.solve(deadline=deadline, seed=seed)
        clock.mark("mip", f"{result.status} {result.objective} (bound {result.bound})")
        if result.bound is not None:
            proven = math.ceil(result.bound - 1e-9 * abs(result.bound) - 1e-6)  # allocations cost integers
            bound = proven if bound is None else max(bound, proven)
        if result.values is None:
            break
        allocation, stuck = model.disaggregate(result.values)
        clock.mark("disaggregate", f"{len(stuck)} cases to explode" if allocation is None else "")
        if allocation is not None:
            value = _checked(costs.objective(cases, workers, rules, allocation), result)
            if value < upper:
                best, upper = allocation, value
            break
        if not result.optimal:
            break
        exploded |= stuck
    if bound is not None and upper <= bound:
        status, bound = "OPTIMAL", upper
    clock.mark("result", f"{status} {upper}")
    proposal = build_proposal(
        cases,
        workers,
        rules,
        best,
        status=status,
        objective=upper,
        wall_seconds=time.perf_counter() - clock.started,
    )
    return dataclasses.replace(proposal, lower_bound=bound)


def _checked(value: int, result: _Result) -> int:
    """The true cost of the allocation turned back from a model solution, checked against the model's.

    The model never prices an allocation below its true cost. An interrupted (not optimal) solution may
    cost less than the model says (a generic role placed at a worker with interest in the case, slack in
    the unpaired or load columns); a proven optimum cannot, or the model is wrong."""
    if value > result.objective + 0.5 or (result.optimal and value < result.objective - 0.5):
        raise SolverError(f"model and cost function disagree: {result.objective} != {value}")
    return value


@dataclass
class _Result:
    status: str
    optimal: bool
    objective: float
    bound: float | None
    values: np.ndarray | None


@dataclass
class _CaseColumns:
    """One case's columns: main / co at a worker (by worker index), generic main / co by worker class,
    and the unpaired indicator."""

    main: dict[int, int]
    co: dict[int, int]
    generic_main: dict[bool, int]  # key: the worker class is new
    generic_co: dict[bool, int]  # key: the worker class is in the pairing levels
    unpaired: int | None


class _Aggregate:
    """The aggregated model (see the module's docstring); ``exploded``: case indexes with a column per worker."""

    def __init__(
        self, cases: list[QueuedCase], workers: list[Worker], rules: AllocationRules, exploded: set[int]
    ) -> None:
        self.cases, self.workers, self.rules = cases, workers, rules
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.row_start: list[int] = []
        self.row_index: list[int] = []
        self.row_value: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        widx = {w.id: j for j, w in enumerate(workers)}
        weights = sorted({c.weight for c in cases})
        stand_in = {k: QueuedCase(id=-1, number="", weight=k) for k in weights}
        free = [w.free_units for w in workers]
        self.new = new = [costs.is_new(w, rules) for w in workers]
        self.experienced = experienced = [w.level in rules.pairing_levels for w in workers]
        needs = [costs.needs_co(w, rules) for w in workers]
        mu = {k: costs.main_units(stand_in[k]) for k in weights}
        cu = {k: costs.co_units(stand_in[k], rules) for k in weights}
        per_weight = {k: sum(c.weight == k for c in cases) for k in weights}
        self.offset = 0
        self.load_terms: list[list[tuple[int, int]]] = [[] for _ in workers]  # per worker: (column, units)
        # per worker and weight: how many generic mains / cos (integer)
        self.count_main: dict[tuple[int, int], int] = {}
        self.count_co: dict[tuple[int, int], int] = {}
        for k in weights:
            for j, w in enumerate(workers):
                if costs.may_be_main(w, stand_in[k], rules) and mu[k] <= free[j]:
                    col = self._column(costs.main_cost(stand_in[k], w, rules), min(per_weight[k], free[j] // mu[k]))
                    self.count_main[k, j] = col
                    self.load_terms[j].append((col, mu[k]))
                if costs.may_co_handle(w, stand_in[k], rules) and cu[k] <= free[j]:
                    col = self._column(
                        costs.co_cost(stand_in[k], w, rules),
                        min(per_weight[k], free[j] // cu[k]) if cu[k] else per_weight[k],
                    )
                    self.count_co[k, j] = col
                    self.load_terms[j].append((col, cu[k]))
        main_classes = {(k, new[j]) for k, j in self.count_main}
        co_classes = {(k, experienced[j]) for k, j in self.count_co}
        pool_main: dict[tuple[int, bool], list[int]] = {}
        pool_co: dict[tuple[int, bool], list[int]] = {}
        self.columns_of: list[_CaseColumns] = []
        for ci, case in enumerate(cases):
            k = case.weight
            left_out = costs.unassigned_cost(case, rules)
            self.offset += left_out
            if ci in exploded:
                specials = range(len(workers))
            else:
                specials = sorted(widx[w] for w in case.interested | case.earlier_handlers if w in widx)
            main = {
                j: self._column(costs.main_cost(case, workers[j], rules) - left_out + rules.missing_co)
                for j in specials
                if costs.may_be_main(workers[j], case, rules) and mu[k] <= free[j]
            }
            co = {
                j: self._column(costs.co_cost(case, workers[j], rules) - rules.missing_co)
                for j in specials
                if costs.may_co_handle(workers[j], case, rules) and cu[k] <= free[j]
            }
            generic_main, generic_co = {}, {}
            if ci not in exploded:
                for cls in (True, False):
                    if (k, cls) in main_classes:
                        generic_main[cls] = self._column(-left_out + rules.missing_co)
                        pool_main.setdefault((k, cls), []).append(generic_main[cls])
                    if (k, cls) in co_classes:
                        generic_co[cls] = self._column(-rules.missing_co)
                        pool_co.setdefault((k, cls), []).append(generic_co[cls])
            for j, col in main.items():
                self.load_terms[j].append((col, mu[k]))
            for j, col in co.items():
                self.load_terms[j].append((col, cu[k]))
            mains = [*main.values(), *generic_main.values()]
            cos = [*co.values(), *generic_co.values()]
            self._row(mains, 1.0, upper=1.0)  # at most one main
            self._row(cos + mains, [1.0] * len(cos) + [-1.0] * len(mains), upper=0.0)  # a co only with a main
            for j in main.keys() & co.keys():  # never both roles
                self._row([main[j], co[j]], 1.0, upper=1.0)
            new_mains = [col for j, col in main.items() if new[j]]
            new_mains += [generic_main[True]] if True in generic_main else []
            needing = [col for j, col in main.items() if needs[j]]
            if rules.co_handler_required_for_new and True in generic_main:
                needing.append(generic_main[True])
            if needing:  # a new worker's main case needs a co-handler
                self._row(needing + cos, [1.0] * len(needing) + [-1.0] * len(cos), upper=0.0)
            unpaired = None
            if new_mains and rules.pairing:  # unpaired >= new main - experienced co
                unpaired = self._column(rules.pairing, 1.0, integer=False)
                paired = [col for j, col in co.items() if experienced[j]]
                paired += [generic_co[True]] if True in generic_co else []
                self._row(
                    new_mains + paired + [unpaired],
                    [1.0] * len(new_mains) + [-1.0] * len(paired) + [-1.0],
                    upper=0.0,
                )
            self.columns_of.append(_CaseColumns(main, co, generic_main, generic_co, unpaired))
        # pools: the cases' generic roles of a weight and class are the counts of that class's workers
        for pools, role in ((pool_main, "main"), (pool_co, "co")):
            for (k, cls), cols in pools.items():
                counts = [col for _j, col in self._class_counts(role, k, cls)]
                self._row(cols + counts, [1.0] * len(cols) + [-1.0] * len(counts), lower=0.0, upper=0.0)
        self.segments: list[list[tuple[int, int]]] = [[] for _ in workers]  # per worker: (column, length)
        for j, worker in enumerate(workers):
            self._load(j, worker, free[j])

    def _class_counts(self, role: str, weight: int, cls: bool) -> list[tuple[int, int]]:
        """(worker index, count column) of the workers of a class (main: new or not; co: experienced or
        not) with a count column for cases of this weight in this role."""
        counts, classes = (self.count_main, self.new) if role == "main" else (self.count_co, self.experienced)
        return [(j, col) for (k, j), col in counts.items() if k == weight and classes[j] == cls]

    def _column(self, cost: float, upper: float = 1.0, *, integer: bool = True) -> int:
        self.cost.append(float(cost))
        self.upper.append(float(upper))
        self.integer.append(1 if integer else 0)
        return len(self.cost) - 1

    def _row(
        self, cols: list[int], values: float | list[float], *, lower: float = -highspy.kHighsInf, upper: float
    ) -> None:
        self.row_start.append(len(self.row_index))
        self.row_index.extend(cols)
        self.row_value.extend([values] * len(cols) if isinstance(values, float) else values)
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def _load(self, j: int, worker: Worker, free: int) -> None:
        """The added load and its penalty in segments, each priced at the curve's slope between the loads
        the worker can reach (every size is a multiple of their gcd): exact at every reachable load, above
        the curve in between, so tighter than the curve itself for the relaxation. The capacity is the
        segments' total length; a rounding cut per weighted case."""
        curve = costs.load_curve(worker, self.rules)
        base = worker.load_units
        self.offset += curve.cost(base)
        terms = [(col, units) for col, units in self.load_terms[j] if units > 0]
        if not terms:
            return
        step = math.gcd(*(units for _, units in terms))
        room = free - free % step  # the room beyond the last multiple of the step can never be used
        values = [curve.cost(base + i * step) for i in range(room // step + 1)]
        slopes = [b - a for a, b in zip(values, values[1:], strict=False)]
        length = 0
        for i, slope in enumerate(slopes):  # one segment per run of equal slopes
            length += step
            if i + 1 == len(slopes) or slopes[i + 1] != slope:
                self.segments[j].append((self._column(slope / step, length, integer=False), length))
                length = 0
        cols = [col for col, _ in terms] + [col for col, _ in self.segments[j]]
        self._row(cols, [float(u) for _, u in terms] + [-1.0] * len(self.segments[j]), lower=0.0, upper=0.0)
        big = [(col, units // CUT_UNITS) for col, units in terms if units >= CUT_UNITS]
        if room % CUT_UNITS and big:  # Chvátal-Gomory: sum(floor(size / unit) x) <= floor(room / unit)
            self._row([c for c, _ in big], [float(v) for _, v in big], upper=float(room // CUT_UNITS))

    def columns(self, allocation: costs.Allocation) -> np.ndarray:
        """The model's columns for an allocation (which must obey the hard rules): cost @ columns + offset
        is its costs.objective."""
        values = np.zeros(len(self.cost))
        widx = {w.id: j for j, w in enumerate(self.workers)}
        added = [0] * len(self.workers)
        for ci, case in enumerate(self.cases):
            pair = allocation.get(case.id)
            if pair is None:
                continue
            cols = self.columns_of[ci]
            main = widx[pair[0]]
            added[main] += costs.main_units(case)
            if main in cols.main:
                values[cols.main[main]] = 1
            else:
                values[cols.generic_main[self.new[main]]] = 1
                values[self.count_main[case.weight, main]] += 1
            co = widx[pair[1]] if pair[1] is not None else None
            if co is not None:
                added[co] += costs.co_units(case, self.rules)
                if co in cols.co:
                    values[cols.co[co]] = 1
                else:
                    values[cols.generic_co[self.experienced[co]]] = 1
                    values[self.count_co[case.weight, co]] += 1
            if cols.unpaired is not None and self.new[main] and (co is None or not self.experienced[co]):
                values[cols.unpaired] = 1
        for j, segments in enumerate(self.segments):
            left = added[j]
            for col, length in segments:
                values[col] = min(left, length)
                left -= values[col]
        return values

    def solve(self, *, deadline: float, seed: int) -> _Result:
        """HiGHS from a cold start (measured: starting it from greedy's allocation made the benchmark
        slower, 0.4-1.2 s instead of 0.24-0.64 s)."""
        if not self.cost:  # nobody can take anything: leaving every case out is the only allocation
            return _Result("Empty", True, float(self.offset), float(self.offset), np.zeros(0))
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        highs.setOptionValue("random_seed", seed)
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.setOptionValue("mip_abs_gap", 0.999)  # the objective of an allocation is an integer
        highs.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
        n = len(self.cost)
        highs.passModel(
            n,
            len(self.row_lower),
            len(self.row_index),
            2,  # row-wise
            1,  # minimise
            float(self.offset),
            np.array(self.cost),
            np.zeros(n),
            np.array(self.upper),
            np.array(self.row_lower),
            np.array(self.row_upper),
            np.array(self.row_start, dtype=np.int32),
            np.array(self.row_index, dtype=np.int32),
            np.array(self.row_value),
            np.array(self.integer, dtype=np.int32),
        )

        # HiGHS checks its time limit too seldom inside a MIP under load; its interrupt callbacks ask
        # Python often enough to stop at the deadline.
        def stop_at_deadline(event) -> None:
            if time.perf_counter() > deadline:
                event.interrupt()

        highs.cbMipInterrupt += stop_at_deadline
        highs.cbSimplexInterrupt += stop_at_deadline
        highs.run()
        status = highs.getModelStatus()
        info = highs.getInfo()
        optimal = status == highspy.HighsModelStatus.kOptimal
        has_solution = info.primal_solution_status == 2
        bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
        if optimal and bound is None:
            bound = info.objective_function_value
        if not optimal and status not in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt):
            raise SolverError(f"HiGHS: {highs.modelStatusToString(status)}")
        return _Result(
            status=highs.modelStatusToString(status),
            optimal=optimal,
            objective=info.objective_function_value,
            bound=bound,
            values=np.array(highs.getSolution().col_value) if has_solution else None,
        )

    def disaggregate(self, values: np.ndarray) -> tuple[dict[int, costs.Pair | None] | None, set[int]]:
        """(the allocation, set()) or (None, the case indexes to explode) when the counts cannot be
        turned into cases without giving a worker both roles of one case."""
        main_of: dict[int, int] = {}
        co_of: dict[int, int] = {}
        pool_main: dict[tuple[int, bool], list[int]] = {}
        pool_co: dict[tuple[int, bool], list[int]] = {}
        for ci, cols in enumerate(self.columns_of):
            main_of.update((ci, j) for j, col in cols.main.items() if values[col] > 0.5)
            co_of.update((ci, j) for j, col in cols.co.items() if values[col] > 0.5)
            for cls, col in cols.generic_main.items():
                if values[col] > 0.5:
                    pool_main.setdefault((self.cases[ci].weight, cls), []).append(ci)
            for cls, col in cols.generic_co.items():
                if values[col] > 0.5:
                    pool_co.setdefault((self.cases[ci].weight, cls), []).append(ci)
        stuck: set[int] = set()
        # mains first (away from the case's own co-handler at a special worker), then cos (away from the main)
        for pools, role, assigned, other in ((pool_main, "main", main_of, co_of), (pool_co, "co", co_of, main_of)):
            for (k, cls), cis in pools.items():
                slots = [j for j, col in self._class_counts(role, k, cls) for _ in range(round(values[col]))]
                if len(slots) != len(cis):
                    raise SolverError(f"pool of weight {k}: {len(cis)} cases, {len(slots)} places")
                placed = _match(cis, slots, other.get)
                if placed is None:
                    stuck |= {ci for ci in cis if other.get(ci) in slots}
                else:
                    assigned.update(placed)
        if stuck:
            return None, stuck
        allocation = {
            case.id: (self.workers[main_of[ci]].id, self.workers[co_of[ci]].id if ci in co_of else None)
            if ci in main_of
            else None
            for ci, case in enumerate(self.cases)
        }
        return allocation, set()


def _match(cases: list[int], slots: list[int], taken: Callable[[int], int | None]) -> dict[int, int] | None:
    """Each case one of the slots (a worker), none at the worker that ``taken`` gives for it: the slots in
    order, then a swap for each clash; None when a clash cannot be mended so."""
    got = list(slots)
    for i, ci in enumerate(cases):
        if got[i] != taken(ci):
            continue
        for j, cj in enumerate(cases):
            if got[j] != taken(ci) and got[i] != taken(cj):
                got[i], got[j] = got[j], got[i]
                break
        else:
            return None
    return dict(zip(cases, got, strict=True))
