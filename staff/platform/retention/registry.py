"""What the retention run (gallring) removes: each app declares the rules for the rows it owns in its
`trust.py`, so the platform never names a case or an intake item.

    # caseload/trust.py
    from staff.platform.retention.registry import rule

    @rule(period="closed_case_years", order=20)
    def closed_cases(*, organisation, cutoff) -> dict[str, int]:
        ...delete what passed `cutoff`, and its history rows...
        return {"cases": n, "assignments": m, "history_rows": k}

A rule gets the cutoff date computed from its period (a `RetentionSettings` field, in years) and returns
what it removed, by the columns of `RetentionRun`. Rules run in `order` inside the run's one transaction;
a rule whose rows other rules' rows point at (PROTECT) runs first. `on_anonymise` hooks run for each
former staff member the run anonymises, to clear what an app keeps about the person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    period: str
    order: int
    apply: Callable[..., dict[str, int]]


_rules: dict[str, Rule] = {}
_anonymise_hooks: dict[str, Callable] = {}


def rule(*, period: str, order: int = 100):
    """Register the decorated function as a retention rule for the rows past `period` years."""

    def decorate(function):
        name = f"{function.__module__}.{function.__qualname__}"
        _rules[name] = Rule(name=name, period=period, order=order, apply=function)
        return function

    return decorate


def on_anonymise(function):
    """Register `function(member)`, run for every former staff member the retention run anonymises."""
    _anonymise_hooks[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def rules() -> list[Rule]:
    return sorted(_rules.values(), key=lambda r: (r.order, r.name))


def anonymise_hooks() -> list[Callable]:
    return list(_anonymise_hooks.values())
