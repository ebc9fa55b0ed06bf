"""What other apps do when a social worker is created: their steps, registered here.

Staff cannot import the apps above it (staff ← competence ← caseload ← intake), so an app that has something
to start for a new social worker (the competence ladder: level 1, the introduction plan, a mentor) registers a
step in its AppConfig.ready() with `register`. `staff.services.social_worker_create` runs every step inside its
own transaction and explicitly (no signal): a step that fails undoes the whole creation.

A step is called as `step(organisation=..., member=..., by=...)` and returns lines that tell the person who
created the social worker what was done, or what could not be done and why.
"""

from __future__ import annotations

from collections.abc import Callable

from staff.models import Organisation, StaffMember

Step = Callable[..., list[str]]

_steps: list[Step] = []


def register(step: Step) -> Step:
    """Add `step` once (ready() may run more than once in tests)."""
    if step not in _steps:
        _steps.append(step)
    return step


def run(*, organisation: Organisation, member: StaffMember, by: StaffMember | None) -> list[str]:
    notes: list[str] = []
    for step in _steps:
        notes.extend(step(organisation=organisation, member=member, by=by))
    return notes
