"""Reads of the survey app: aggregates with suppression (the HR API calls these), trends, exits, turnover.

rounds.py: rounds and answers; results.py: aggregates, suppression, trends; leaving.py: exits and
turnover; rhythm.py: the yearly rhythm; plans.py: action plans. Everything is imported here, so callers
use `selectors.x`.

Anonymity: above the unit manager only aggregates of closed rounds leave this package, each with at
least the round's `min_respondents` respondents, and suppression is computed per viewer class
(`Viewer`: what the viewer is shown, which units they know raw) so that no combination of what that
viewer is shown and knows isolates fewer (disclosure.py: exact search). Free-text motivations are
never part of an aggregate.
"""

from .leaving import (
    Turnover,
    TurnoverCounts,
    YearTurnover,
    exit_interviews,
    headcount_q,
    leaving_candidates,
    leaving_reasons_per_year,
    turnover,
    turnover_report,
    unit_turnover_counts,
    year_turnover,
)
from .plans import (
    PlanState,
    action_plan_counts,
    action_plan_get,
    action_plans,
)
from .results import (
    ORGANISATION_WIDE,
    Cell,
    DepartmentResult,
    QuestionStats,
    RoundNotClosed,
    TertialResults,
    Viewer,
    derivable_cells,
    round_minimum,
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
    "ORGANISATION_WIDE",
    "Cell",
    "PlanState",
    "DepartmentResult",
    "QuestionStats",
    "RhythmRow",
    "RoundNotClosed",
    "TertialResults",
    "Turnover",
    "TurnoverCounts",
    "YearTurnover",
    "Viewer",
    "action_plan_counts",
    "action_plan_get",
    "action_plans",
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
    "round_minimum",
    "round_get",
    "rounds",
    "tertial_results",
    "turnover",
    "turnover_report",
    "unit_turnover_counts",
    "unit_answers",
    "unit_get",
    "unit_raw_cell",
    "unit_trend",
    "year_turnover",
]
