"""The drop folder (issue 19): the integration platform puts an export in <IMPORT_DROP_DIR>/<organisation
slug>/<kind>/; a beat job previews each new file with the organisation's saved mapping and, when no row has an
error, applies it. The file then moves to done/ or failed/ in the same folder, and the organisation admins get a
notification saying what changed (or why nothing did). Generic: every registered kind has its folder.

A file is claimed by renaming it into processing/ first, so two workers never take the same file; one that is
younger than IMPORT_DROP_MIN_AGE_SECONDS may still be being written and waits for the next round.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.imports import kinds as registry
from staff.imports import services
from staff.imports.kinds import Action
from staff.imports.models import ImportRun
from staff.models import Organisation, Role, RoleAssignment

logger = logging.getLogger(__name__)

DONE, FAILED, PROCESSING = "done", "failed", "processing"


def _folder(organisation: Organisation, kind_key: str) -> Path | None:
    root = getattr(settings, "IMPORT_DROP_DIR", "")
    if not root:
        return None
    return Path(root) / organisation.slug / kind_key


def _new_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    youngest = time.time() - float(getattr(settings, "IMPORT_DROP_MIN_AGE_SECONDS", 60))
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith((".part", ".tmp"))
    ]
    return sorted((p for p in files if p.stat().st_mtime <= youngest), key=lambda p: (p.stat().st_mtime, p.name))


def _move(path: Path, to: str) -> Path:
    target_dir = path.parent.parent / to if path.parent.name == PROCESSING else path.parent / to
    target_dir.mkdir(exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = target_dir / f"{stamp}-{path.name}"
    path.rename(target)
    return target


def drop_folder_run(*, organisation: Organisation) -> list[ImportRun]:
    """Take every waiting file of every kind of the organisation, oldest first; returns the runs made."""
    runs = []
    for kind in registry.all_kinds():
        folder = _folder(organisation, kind.key)
        if folder is None:
            return runs
        for path in _new_files(folder):
            (folder / PROCESSING).mkdir(exist_ok=True)
            claimed = folder / PROCESSING / path.name
            try:
                path.rename(claimed)
            except FileNotFoundError:
                continue  # another worker took it
            run = _import(organisation, kind.key, claimed)
            _move(claimed, DONE if run is not None and run.status == ImportRun.Status.APPLIED else FAILED)
            if run is not None:
                _tell_admins(organisation, run)
                runs.append(run)
    return runs


def _import(organisation: Organisation, kind_key: str, path: Path) -> ImportRun | None:
    try:
        run = services.run_create(
            organisation=organisation,
            kind_key=kind_key,
            by=None,
            filename=path.name,
            data=path.read_bytes(),
            source="drop",
        )
    except ValidationError as exc:
        run = ImportRun.objects.create(
            organisation=organisation,
            kind=kind_key,
            filename=path.name[:255],
            source="drop",
            status=ImportRun.Status.FAILED,
            error=" ".join(exc.messages),
            finished_at=timezone.now(),
        )
        return run
    try:
        services.mapping_check(kind=services.kind_get(kind_key), mapping=run.mapping, headers=run.headers)
    except ValidationError:
        services.run_fail(
            run, _("The file's columns do not match the saved mapping: map them once on the import page.")
        )
        run.refresh_from_db()
        return run
    run = services.run_preview_now(run=run)
    if run.status != ImportRun.Status.PREVIEWED:
        return run
    if run.counts.get(Action.ERROR) and not services.applies_with_errors(services.kind_get(kind_key)):
        services.run_fail(
            run,
            _("%(count)s rows have errors; nothing was applied. Correct the file and put it in the folder again.")
            % {"count": run.counts[Action.ERROR]},
        )
        run.refresh_from_db()
        return run
    return services.run_apply_now(run=run, by=None)


def _tell_admins(organisation: Organisation, run: ImportRun) -> None:
    from staff.services import Message, notify_many

    admin_ids = sorted(
        set(
            RoleAssignment.objects.filter(organisation=organisation, role=Role.ORG_ADMIN).values_list(
                "staff_id", flat=True
            )
        )
    )
    if not admin_ids:
        return
    labels = dict(Action.choices)
    summary = ", ".join(f"{labels.get(a, a)}: {n}" for a, n in sorted(run.counts.items()))
    if run.status == ImportRun.Status.APPLIED:
        subject = _("Import from the drop folder applied: %(file)s") % {"file": run.filename}
        body = summary
    else:
        subject = _("Import from the drop folder not applied: %(file)s") % {"file": run.filename}
        body = "\n".join(x for x in (run.error, summary) if x)
    url = reverse("staff:import_detail", args=[run.pk])
    notify_many(
        organisation=organisation,
        messages=[
            Message(recipient_id=pk, key=f"import-drop:{run.pk}:{pk}", subject=subject, body=body, url=url)
            for pk in admin_ids
        ],
    )
