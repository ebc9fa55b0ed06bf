"""Reads of the survey app: aggregates with suppression (the HR API calls these), trends, exits, turnover.

rounds.py: rounds and answers; results.py: aggregates, suppression, trends; leaving.py: exits and
turnover; rhythm.py: the yearly rhythm. Everything is imported here, so callers use `selectors.x`.

Anonymity: above the unit manager only aggregates leave this package, each with at least
`min_respondents` respondents; an aggregate that could be derived by subtraction from what is
shown (a department total minus its visible units, the organisation minus its departments) is
suppressed as well (complementary suppression, verified by exact linear algebra over the units).
Free-text motivations are never part of an aggregate.
"""

from .leaving import (
    Turnover,
    exit_interviews,
    headcount_q,
    leaving_candidates,
    leaving_reasons_per_year,
    turnover,
)
from .results import (
    Cell,
    DepartmentResult,
    QuestionStats,
    TertialResults,
    derivable_cells,
    tertial_results,
    unit_raw_cell,
    unit_trend,
)
from .rhythm import (
    RhythmRow,
    rhythm_status,
)
from .rounds import (
    answer_get,
    baselines,
    flagged_answers,
    my_action_plans,
    my_answers,
    open_round_for,
    round_get,
    rounds,
    unit_answers,
    unit_get,
)

__all__ = [
    "Cell",
    "DepartmentResult",
    "QuestionStats",
    "RhythmRow",
    "TertialResults",
    "Turnover",
    "answer_get",
    "baselines",
    "derivable_cells",
    "exit_interviews",
    "headcount_q",
    "flagged_answers",
    "leaving_candidates",
    "leaving_reasons_per_year",
    "my_action_plans",
    "my_answers",
    "open_round_for",
    "rhythm_status",
    "round_get",
    "rounds",
    "tertial_results",
    "turnover",
    "unit_answers",
    "unit_get",
    "unit_raw_cell",
    "unit_trend",
]
