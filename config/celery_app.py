"""The Celery app. Each domain app may define BEAT_SCHEDULE in its tasks module; they are merged here."""

import importlib
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("stabil")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

DOMAIN_APPS = ("staff", "competence", "caseload", "intake", "surveys")


@app.on_after_finalize.connect
def _merge_beat_schedules(sender, **kwargs):
    schedule = dict(sender.conf.beat_schedule or {})
    for name in DOMAIN_APPS:
        try:
            module = importlib.import_module(f"{name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{name}.tasks":
                raise
            continue
        schedule.update(getattr(module, "BEAT_SCHEDULE", {}))
    sender.conf.beat_schedule = schedule


# Row-level security (staff/platform/rls.py): a task that works on one organisation carries `organisation_id`
# and runs with it set; every task ends with no organisation set. On SQLite these do nothing.
@signals.task_prerun.connect
def _set_organisation(task=None, kwargs=None, **extra):
    from staff.platform import rls

    organisation_id = (kwargs or {}).get("organisation_id")
    rls.activate(organisation_id)


@signals.task_postrun.connect
def _reset_organisation(**extra):
    from staff.platform import rls

    rls.deactivate()
