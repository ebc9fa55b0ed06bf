"""The allocation engine for the five-week cycle (docs/domain.md section 7): plain dataclasses in and out.

- ``propose`` (solver.py): the proposal by HiGHS (highspy) on an aggregated model: optimal where it can
  prove it within the time limit, else the best found with its bound; ``propose_greedy``: the baseline.
- ``costs``: the hard rules and the objective shared by both (and by the brute-force tests).
- ``cycle``: the cycle calendar; ``ical``: its iCalendar rendering.
"""

from .costs import InfeasibleAllocation, objective
from .greedy import propose_greedy
from .model import AllocationRules, CaseProposal, Choice, Outcome, Proposal, QueuedCase, Reason, Worker
from .solver import SolverError, propose

__all__ = [
    "AllocationRules",
    "CaseProposal",
    "Choice",
    "InfeasibleAllocation",
    "Outcome",
    "Proposal",
    "QueuedCase",
    "Reason",
    "SolverError",
    "Worker",
    "objective",
    "propose",
    "propose_greedy",
]
