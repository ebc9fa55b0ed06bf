"""Benchmark the allocation proposal: a generated meeting (300 queued cases, 100 workers by default).

    .venv/bin/python bench/allocation_bench.py [--cases 300] [--workers 100] [--seed 2026] [--time-limit 2]
    .venv/bin/python bench/allocation_bench.py --scan   # the largest meetings proven optimal within the limit

Times the solver (HiGHS, one thread) and the greedy baseline in the same run and prints both objectives,
their ratio, the solver's status (OPTIMAL = proven optimum), its proven lower bound and the time ratio
solver/greedy; fails if the solver's answer is worse than greedy's or below its own bound.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from caseload.allocation import propose, propose_greedy  # noqa: E402
from caseload.allocation.sample import sample_meeting  # noqa: E402


def run(cases: int, workers: int, seed: int, time_limit: float, load_percent: tuple[int, int] = (40, 95)) -> dict:
    queue, staff = sample_meeting(seed, cases, workers, load_percent=load_percent)
    started = time.perf_counter()
    greedy = propose_greedy(queue, staff)
    greedy_s = time.perf_counter() - started
    started = time.perf_counter()
    proposal = propose(queue, staff, time_limit=time_limit)
    solver_s = time.perf_counter() - started
    return {
        "cases": cases,
        "workers": workers,
        "seed": seed,
        "load_percent": load_percent,
        "status": proposal.status,
        "solver_s": round(solver_s, 3),
        "solver_objective": proposal.objective,
        "lower_bound": proposal.lower_bound,
        "gap": None if proposal.gap is None else round(proposal.gap, 4),
        "greedy_s": round(greedy_s, 3),
        "greedy_objective": greedy.objective,
        "ratio_time_solver_over_greedy": round(solver_s / greedy_s, 1) if greedy_s else None,
        "ratio_objective_solver_over_greedy": round(proposal.objective / greedy.objective, 4),
        "carried_over": len(proposal.carried_over),
        "flagged": len(proposal.flagged),
        "greedy_carried_over": len(greedy.carried_over),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument(
        "--load-percent",
        type=int,
        nargs=2,
        default=(40, 95),
        metavar=("LOW", "HIGH"),
        help="current loads drawn between these percentages of capacity (default 40 95: a crowded meeting)",
    )
    parser.add_argument("--scan", action="store_true")
    parser.add_argument("--steps", action="store_true", help="print the time of each solver step")
    args = parser.parse_args()
    if args.steps:
        logging.basicConfig(format="#   %(message)s")
        logging.getLogger("caseload.allocation.solver").setLevel(logging.DEBUG)
    print(f"# {platform.platform()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"# load average {os.getloadavg()}")
    if args.scan:
        for cases, workers in [(15, 5), (30, 10), (45, 15), (60, 20), (90, 30), (150, 50), (300, 100)]:
            for seed in range(args.seed, args.seed + 3):
                print(run(cases, workers, seed, args.time_limit), flush=True)
        return
    result = run(args.cases, args.workers, args.seed, args.time_limit, tuple(args.load_percent))
    print(result)
    # A wrong answer, not a slow one, fails the run (CI): the solver starts from greedy's allocation, so it is
    # never worse, and its proven bound is never above what it found.
    assert result["solver_objective"] <= result["greedy_objective"], "the solver's proposal is worse than greedy's"
    bound = result["lower_bound"]
    assert bound is None or bound <= result["solver_objective"] * (1 + 1e-9) + 1e-6, "the bound is above the answer"


if __name__ == "__main__":
    main()
