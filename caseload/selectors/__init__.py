"""Reads of cases. Other apps (surveys, the HR API) count cases only through these functions."""

from .counts import (
    CasesPerEmployee,
    unit_case_counts,
    unit_cases_per_employee,
    unit_closed_investigations,
    unit_co_handler_counts,
)
from .load import Coverage, WorkerLoad, co_handler_coverage, month_bounds, worker_loads
from .pages import (
    CaseRow,
    at_risk_investigations,
    case_detail,
    case_get,
    find_case,
    my_caseload,
    overdue_investigations,
    running_investigation,
    unit_case_workers,
    unit_dashboard,
    unit_loads,
)

__all__ = [
    "CaseRow",
    "CasesPerEmployee",
    "Coverage",
    "WorkerLoad",
    "at_risk_investigations",
    "case_detail",
    "case_get",
    "co_handler_coverage",
    "find_case",
    "month_bounds",
    "my_caseload",
    "overdue_investigations",
    "running_investigation",
    "unit_case_counts",
    "unit_cases_per_employee",
    "unit_case_workers",
    "unit_closed_investigations",
    "unit_co_handler_counts",
    "unit_dashboard",
    "unit_loads",
    "worker_loads",
]
