"""Celery entry points of the imports: thin, load the run by organisation and id, call the service.

Registered through staff/tasks.py (Celery discovers each app's `tasks` module)."""

from __future__ import annotations

from celery import shared_task


def _run(organisation_id: int, run_id: int):
    from staff.imports.models import ImportRun

    # Not the plans (megabytes for a large file): the preview writes them, apply reads them under its lock.
    runs = ImportRun.objects.filter(organisation_id=organisation_id, pk=run_id).defer("plans")
    return runs.select_related("organisation").first()


@shared_task(acks_late=True)
def import_preview(*, organisation_id: int, run_id: int) -> str:
    from staff.imports.services import preview

    run = _run(organisation_id, run_id)
    if run is None or run.status != run.Status.PREVIEWING:
        return "skipped"
    return preview(run=run).status


@shared_task(acks_late=True)
def import_apply(*, organisation_id: int, run_id: int) -> str:
    from staff.imports.services import apply

    run = _run(organisation_id, run_id)
    if run is None or run.status != run.Status.APPLYING:
        return "skipped"
    return apply(run=run).status


@shared_task(acks_late=True)
def import_drop_folder_all() -> int:
    """Fan out: one task per organisation (each under its own organisation for row-level security)."""
    from staff.tasks import fan_out

    return fan_out(import_drop_folder)


@shared_task(acks_late=True)
def import_drop_folder(*, organisation_id: int) -> int:
    from staff.imports.drop import drop_folder_run
    from staff.models import Organisation

    return len(drop_folder_run(organisation=Organisation.objects.get(pk=organisation_id)))


@shared_task(acks_late=True)
def import_files_expire_all() -> int:
    from staff.tasks import fan_out

    return fan_out(import_files_expire)


@shared_task(acks_late=True)
def import_files_expire(*, organisation_id: int) -> int:
    """Uploaded files kept longer than a day without being applied are wiped (staff.imports.services)."""
    from staff.imports.services import run_files_expire
    from staff.models import Organisation

    return run_files_expire(organisation=Organisation.objects.get(pk=organisation_id))
