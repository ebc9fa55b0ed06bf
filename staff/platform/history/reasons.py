"""Why a change was made when no signed-in person made it: Celery tasks and management commands.

A change made through a request records the person (simple-history's HistoryRequestMiddleware). A change
without one records a reason instead: the task's name under Celery, the command's name under manage.py,
or what a service said with `change_reason(...)` (e.g. "Gallring").
"""

from __future__ import annotations

import contextlib
import contextvars
import sys

_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("history_reason", default=None)

REASON_MAX = 100


@contextlib.contextmanager
def change_reason(text: str):
    """Record `text` as the reason of every history row written inside the block."""
    token = _reason.set(text[:REASON_MAX])
    try:
        yield
    finally:
        _reason.reset(token)


def _command_reason() -> str:
    argv = sys.argv
    if argv and argv[0].endswith(("manage.py", "django-admin")) and len(argv) > 1:
        return f"manage.py {argv[1]}"[:REASON_MAX]
    return "system"


def current_reason() -> str:
    return _reason.get() or _command_reason()


def _before_history_row(sender, instance, history_instance, **kwargs) -> None:
    from staff.models import Organisation

    if isinstance(instance, Organisation):
        history_instance.organisation_id = instance.pk
    if not history_instance.history_change_reason:
        explicit = _reason.get()
        if explicit or history_instance.history_user_id is None:
            history_instance.history_change_reason = explicit or current_reason()


_task_tokens: dict[str, contextvars.Token] = {}


def _task_started(task_id=None, task=None, **kwargs) -> None:
    if task_id and task is not None:
        _task_tokens[task_id] = _reason.set(f"Celery: {task.name}"[:REASON_MAX])


def _task_finished(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        with contextlib.suppress(ValueError):
            _reason.reset(token)


def connect() -> None:
    from celery.signals import task_postrun, task_prerun
    from simple_history.signals import pre_create_historical_record

    pre_create_historical_record.connect(_before_history_row, dispatch_uid="history_reason")
    task_prerun.connect(_task_started, dispatch_uid="history_task_started", weak=False)
    task_postrun.connect(_task_finished, dispatch_uid="history_task_finished", weak=False)


def settings_row(model, organisation):
    """The organisation's settings row of `model`, created with its defaults on first use.

    The creation is the system's, not the visitor's: a first GET of a settings page must not write a history
    row naming the person who happened to open it (issue 16). Later saves of the row name their person.
    """
    from django.db import IntegrityError, transaction

    found = model.objects.filter(organisation=organisation).first()
    if found is not None:
        return found
    created = model(organisation=organisation)
    created._history_user = None
    try:
        with transaction.atomic():
            created.save(force_insert=True)
    except IntegrityError:  # created by a concurrent first read
        return model.objects.get(organisation=organisation)
    finally:
        del created._history_user
    return created
