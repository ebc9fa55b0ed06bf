"""Dashboard panels contributed by apps further down the dependency line (intake registers its own).

A panel is a callable (organisation, unit, today) -> dict with "template" and its context; the unit
dashboard renders each. caseload never imports those apps: they register here in AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable

_PANELS: list[Callable] = []


def register(panel: Callable) -> Callable:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def panels() -> list[Callable]:
    return list(_PANELS)
