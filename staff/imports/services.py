"""Writes of the import framework: a run from an uploaded file, its mapping, its preview and its apply.

The kind (staff.imports.kinds) plans and applies rows; this module holds everything around it: reading the
file, the mapping saved per organisation and kind, screening rows before anything of them is kept, progress,
and the one transaction of an apply. Kind-agnostic: it never names a field of any kind.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping, Sequence

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.imports import kinds as registry
from staff.imports.files import Table, UnreadableFile, mapped_rows, proposed_mapping, read_table
from staff.imports.kinds import Action, ImportKind, RowPlan, action_counts
from staff.imports.models import ImportMapping, ImportRun
from staff.models import Organisation, StaffMember
from staff.platform import secrets
from staff.platform.history.reasons import change_reason

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500  # rows between two progress updates
Status = ImportRun.Status


class ImportRefused(Exception):
    """The reason, in the user's language, why an apply wrote nothing."""


def kind_get(key: str) -> ImportKind:
    kind = registry.get(key)
    if kind is None:
        raise ValidationError({"kind": _("Unknown kind of import.")})
    return kind


def kinds_for(staff: StaffMember | None) -> list[ImportKind]:
    """The kinds `staff` may import (each kind says who: HR and organisation admins for staff and absences,
    managers for cases)."""
    if staff is None:
        return []
    return [k for k in registry.all_kinds() if k.may_import(staff)]


def _check_may(kind: ImportKind, staff: StaffMember) -> None:
    if not kind.may_import(staff):
        raise PermissionDenied


# --- the mapping -----------------------------------------------------------------------------------------------


def mapping_for(*, organisation: Organisation, kind: ImportKind, headers: Sequence[str]) -> dict[str, str]:
    """The saved mapping where its headers are in the file, completed by what the headers propose."""
    saved = ImportMapping.objects.filter(organisation=organisation, kind=kind.key).values_list("mapping", flat=True)
    saved_mapping = next(iter(saved), None) or {}
    present = set(headers)
    mapping = {k: h for k, h in saved_mapping.items() if h in present and k in {f.key for f in kind.fields}}
    for key, header in proposed_mapping(headers, kind.fields).items():
        if key not in mapping and header not in mapping.values():
            mapping[key] = header
    return mapping


def mapping_check(*, kind: ImportKind, mapping: Mapping[str, str], headers: Sequence[str]) -> dict[str, str]:
    """The mapping without empty choices; a field error for a header not in the file, a header chosen twice or
    a required field left out."""
    keys = {f.key for f in kind.fields}
    present = set(headers)
    clean = {k: h for k, h in mapping.items() if h}
    errors: dict[str, list[str]] = {}
    for key, header in clean.items():
        if key not in keys:
            errors.setdefault(key, []).append(_("Unknown field."))
        elif header not in present:
            errors.setdefault(key, []).append(_("The file has no column “%(header)s”.") % {"header": header})
    seen: dict[str, str] = {}
    for key, header in clean.items():
        if header in seen:
            errors.setdefault(key, []).append(_("The column “%(header)s” is already chosen.") % {"header": header})
        seen.setdefault(header, key)
    for field in kind.fields:
        if field.required and field.key not in clean:
            errors.setdefault(field.key, []).append(_("Choose the column of this field."))
    if errors:
        raise ValidationError(errors)
    return clean


def mapping_save(*, organisation: Organisation, kind: ImportKind, mapping: Mapping[str, str], by: StaffMember | None):
    row = ImportMapping.objects.filter(organisation=organisation, kind=kind.key).first()
    if row is None:
        row = ImportMapping(organisation=organisation, kind=kind.key)
    if row.mapping != dict(mapping) or row.pk is None:
        row.mapping, row.updated_by = dict(mapping), by
        row.save()
    return row


# --- a run -----------------------------------------------------------------------------------------------------


def run_create(
    *,
    organisation: Organisation,
    kind_key: str,
    by: StaffMember | None,
    filename: str,
    data: bytes,
    dry_run: bool = False,
    source: str = "page",
) -> ImportRun:
    """A run of the uploaded file: read once to know that it is a table and to propose a mapping; the file is
    kept encrypted for the preview and the apply. An unreadable file is a field error on `file`."""
    kind = kind_get(kind_key)
    if by is not None:
        _check_may(kind, by)
    try:
        if b"\x00" in data and data[:4] != b"PK\x03\x04":
            # a binary file under a .csv name: no CSV export holds a NUL, and PostgreSQL could keep none
            raise UnreadableFile(_("Upload a CSV file or an Excel file (xlsx)."))
        table = read_table(data, filename)
    except UnreadableFile as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    headers = [h for h in table.headers if h]
    return ImportRun.objects.create(
        organisation=organisation,
        kind=kind.key,
        uploaded_by=by,
        filename=filename[:255],
        source=source,
        dry_run=dry_run,
        headers=headers,
        mapping=mapping_for(organisation=organisation, kind=kind, headers=headers),
        total=sum(1 for line in table.rows if any(line)),
        file_encrypted=secrets.encrypt_bytes(data),
    )


def run_set_mapping(
    *, run: ImportRun, mapping: Mapping[str, str], by: StaffMember | None, save: bool = True
) -> ImportRun:
    """Choose the run's mapping (and keep it for the organisation's next file of the kind). Only before the
    apply: a run being applied or done keeps the mapping its plans were made with."""
    kind = kind_get(run.kind)
    if run.status not in (Status.UPLOADED, Status.PREVIEWED):
        raise ValidationError(_("This import can no longer be changed."))
    clean = mapping_check(kind=kind, mapping=mapping, headers=run.headers)
    with transaction.atomic():
        # The status as it is now, not as the caller read it: another tab may have started the apply since.
        changeable = (Status.UPLOADED, Status.PREVIEWED)
        if not ImportRun.objects.filter(pk=run.pk, status__in=changeable).update(mapping=clean, plan_digest=""):
            raise ValidationError(_("This import can no longer be changed."))
        if save:
            mapping_save(organisation=run.organisation, kind=kind, mapping=clean, by=by)
    run.mapping, run.plan_digest = clean, ""
    return run


def _progress_key(run: ImportRun | int) -> str:
    pk = run if isinstance(run, int) else run.pk
    return f"imports:progress:{pk}"


def progress_of(run: ImportRun) -> int:
    """Rows done: the database's figure, or the running apply's (its writes are not visible until commit)."""
    return max(run.done, cache.get(_progress_key(run)) or 0)


def preview_start(*, run: ImportRun) -> bool:
    """Queue the preview after commit; False when the run is already previewing or past its preview."""
    kind = kind_get(run.kind)
    mapping_check(kind=kind, mapping=run.mapping, headers=run.headers)
    started = ImportRun.objects.filter(pk=run.pk, status__in=(Status.UPLOADED, Status.PREVIEWED)).update(
        status=Status.PREVIEWING, done=0, plans=[], counts={}, error="", plan_digest=""
    )
    if started:
        run.status = Status.PREVIEWING
        from staff.imports.tasks import import_preview

        org_id, pk = run.organisation_id, run.pk
        transaction.on_commit(lambda: import_preview.delay(organisation_id=org_id, run_id=pk))
    return bool(started)


def apply_start(*, run: ImportRun, by: StaffMember | None) -> None:
    """Queue the apply of a previewed run without errors (a dry run is never applied)."""
    if run.dry_run:
        raise ValidationError(_("A dry run is never applied: upload the file again without “dry run”."))
    if run.status != Status.PREVIEWED:
        raise ValidationError(_("Only a previewed import can be applied."))
    if run.counts.get(Action.ERROR) and not applies_with_errors(kind_get(run.kind)):
        raise ValidationError(_("The file has rows with errors: correct them and upload the file again."))
    if not run.file_encrypted:
        raise ValidationError(_("The uploaded file can no longer be read: upload it again."))
    claimed = ImportRun.objects.filter(pk=run.pk, status=Status.PREVIEWED).update(
        status=Status.APPLYING, applied_by=by, done=0
    )
    if not claimed:
        raise ValidationError(_("Only a previewed import can be applied."))
    run.status = Status.APPLYING
    from staff.imports.tasks import import_apply

    org_id, pk = run.organisation_id, run.pk
    transaction.on_commit(lambda: import_apply.delay(organisation_id=org_id, run_id=pk))


# --- planning --------------------------------------------------------------------------------------------------


def _table(run: ImportRun) -> Table:
    return read_table(secrets.decrypt_bytes(run.file_encrypted), run.filename)


def applies_with_errors(kind: ImportKind) -> bool:
    """A kind may say (optional attribute `applies_with_errors = True`) that its apply writes the rows without
    errors and leaves the others (a case export with a few bad rows); otherwise a row in error stops the apply."""
    return bool(getattr(kind, "applies_with_errors", False))


def reuses_preview(kind: ImportKind) -> bool:
    """A kind may say (optional attribute `reuses_preview = True`) that its preview's plans can be reused by its
    apply: it then has `plan_with_digest(...) -> (plans, digest)` (the digest of every input of the plans, or ""),
    and its `apply` takes the preview's plans with `digest=` and plans again only what it must (when what it reads
    under its locks has another digest: every row). The framework then passes the preview's plans to apply instead
    of planning the file again."""
    return bool(getattr(kind, "reuses_preview", False))


def _screened(kind: ImportKind, table: Table, mapping: Mapping[str, str]) -> tuple[list[tuple[int, dict]], list]:
    """(the rows `screen` lets through, the refused rows' plans): an error with the row's number and reason only,
    none of its values reach the kind or the run."""
    accepted: list[tuple[int, dict]] = []
    refused: list[RowPlan] = []
    for number, row in mapped_rows(table, mapping):
        reason = kind.screen(row)
        if reason:
            refused.append(RowPlan(row=number, action=Action.ERROR, errors=[reason]))
        else:
            accepted.append((number, row))
    return accepted, refused


def _in_file_order(refused: list[RowPlan], plans: list[RowPlan]) -> list[RowPlan]:
    return sorted([*refused, *plans], key=lambda p: p.row)


def _plan(
    kind: ImportKind, organisation: Organisation, table: Table, mapping: Mapping[str, str], progress, by=None
) -> tuple[list[tuple[int, dict]], list[RowPlan], list[RowPlan], str]:
    """(the rows `screen` let through, the kind's plans of those rows, every row's plan in file order, the plans'
    digest for a kind that reuses its preview, else "")."""
    accepted, refused = _screened(kind, table, mapping)
    offset = len(refused)

    def screened_progress(done: int) -> None:
        progress(offset + done)

    # A kind whose plan takes `by` (the case kind: a manager's rows of other units are errors) is told who
    # imports, so that the preview shows what the apply will do.
    extra = {"by": by} if "by" in inspect.signature(kind.plan).parameters else {}
    digest = ""
    if reuses_preview(kind):
        plans, digest = kind.plan_with_digest(
            organisation=organisation, rows=accepted, progress=screened_progress, **extra
        )
    else:
        plans = kind.plan(organisation=organisation, rows=accepted, progress=screened_progress, **extra)
    if len(plans) != len(accepted):
        raise RuntimeError(f"{kind.key}.plan returned {len(plans)} plans for {len(accepted)} rows")
    return accepted, plans, _in_file_order(refused, plans), digest


def _preview_plans(kind: ImportKind, run: ImportRun, table: Table, stored: list[dict], digest: str):
    """The preview's plans of the rows `screen` lets through, as the run keeps them (`stored`, with its `digest`,
    both read under the run's lock): (rows, their plans, every row's plan); None when the run keeps no digest or
    not a plan for each of the rows (then apply plans again)."""
    if not (reuses_preview(kind) and digest):
        return None
    rows, refused = _screened(kind, table, run.mapping)
    kept = {p["row"]: p for p in stored}
    if any(number not in kept for number, _row in rows):
        return None
    plans = [
        RowPlan(
            row=number,
            action=kept[number]["action"],
            key=kept[number]["key"],
            changes={k: (a, b) for k, (a, b) in kept[number]["changes"].items()},
            errors=list(kept[number]["errors"]),
        )
        for number, _row in rows
    ]
    return rows, plans, _in_file_order(refused, plans)


def _as_json(plans: Sequence[RowPlan]) -> list[dict]:
    return [
        {
            "row": p.row,
            "action": str(p.action),
            "key": p.key,
            "changes": {k: [str(a), str(b)] for k, (a, b) in p.changes.items()},
            "errors": [str(e) for e in p.errors],
        }
        for p in plans
    ]


def _progress_writer(run: ImportRun, *, in_database: bool):
    last = [0]

    def progress(done: int) -> None:
        if done - last[0] < PROGRESS_EVERY and done < run.total:
            return
        last[0] = done
        cache.set(_progress_key(run), done, 3600)
        if in_database:
            ImportRun.objects.filter(pk=run.pk).update(done=done)

    return progress


def preview(*, run: ImportRun) -> ImportRun:
    """Plan every row (reads only) and keep the plans and counts on the run."""
    kind = kind_get(run.kind)
    try:
        table = _table(run)
        _rows, _kind_plans, plans, digest = _plan(
            kind, run.organisation, table, run.mapping, _progress_writer(run, in_database=True), run.uploaded_by
        )
    except Exception as exc:
        logger.exception("import preview failed", extra={"organisation_id": run.organisation_id, "run": run.pk})
        run_fail(run, _failure_text(exc))
        return run
    counts = action_counts(plans)
    values = {
        "status": Status.PREVIEWED,
        "plans": _as_json(plans),
        "counts": counts,
        "plan_digest": digest,
        "done": len(plans),
        "total": len(plans),
        "finished_at": timezone.now(),
    }
    if run.dry_run:
        values["file_encrypted"] = ""  # a dry run is never applied: the file has done its work
    updated = ImportRun.objects.filter(pk=run.pk, status=Status.PREVIEWING).update(**values)
    _refresh(run, plans=values["plans"] if updated else None)
    return run


def _failure_text(exc: Exception) -> str:
    if isinstance(exc, ImportRefused | UnreadableFile):
        return str(exc)
    if isinstance(exc, secrets.SecretUnreadable):
        return _("The uploaded file can no longer be read: upload it again.")
    return _("The import failed and nothing was changed. Try again, or ask the system administrator.")


def run_fail(run: ImportRun, text: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        status=Status.FAILED, error=text, file_encrypted="", finished_at=timezone.now()
    )
    cache.delete(_progress_key(run))


def apply(*, run: ImportRun) -> ImportRun:
    """Apply the run in one transaction: re-plan against the data as it is now (a preview can be stale), refuse
    when the new plan has an error, let the kind write. A kind that reuses its preview is given the preview's
    plans and digest instead, and plans again itself what has changed since (under its locks). Any exception undoes
    all of it and marks the run failed. The file is wiped afterwards, applied or failed."""
    kind = kind_get(run.kind)
    by = run.applied_by
    try:
        with transaction.atomic(), change_reason("import"):
            # One import at a time per organisation: two files matching the same new person cannot both create it.
            Organisation.objects.select_for_update().filter(pk=run.organisation_id).first()
            # The preview's plans and digest as they are under the run's lock (not as the caller last read them).
            locked = (
                ImportRun.objects.select_for_update()
                .filter(pk=run.pk, status=Status.APPLYING)
                .values_list("plans", "plan_digest")
                .first()
            )
            if locked is None:
                return run
            stored, digest = locked
            table = _table(run)
            progress = _progress_writer(run, in_database=False)
            reused = _preview_plans(kind, run, table, stored, digest)
            if reused is not None:  # the kind's apply checks them against what it reads under its locks
                (rows, kind_plans, plans), extra = reused, {"digest": digest, "replanned": {}}
                progress(len(plans))
            else:
                rows, kind_plans, plans, _digest = _plan(kind, run.organisation, table, run.mapping, progress, by)
                extra = {}
            errors = sum(1 for p in plans if p.action == Action.ERROR)
            if errors and not applies_with_errors(kind):
                raise ImportRefused(
                    _(
                        "The data changed since the preview: %(count)s rows now have errors. Nothing was changed; "
                        "upload the file again to see the new preview."
                    )
                    % {"count": errors}
                )
            actual = kind.apply(organisation=run.organisation, rows=rows, plans=kind_plans, by=by, **extra)
            plans = _not_written(plans, extra.get("replanned"))
            applied = _as_json(plans)
            values = {
                "status": Status.APPLIED,
                "counts": {**actual, **action_counts(plans)},
                "done": len(plans),
                "total": len(plans),
                "file_encrypted": "",
                "applied_at": timezone.now(),
                "finished_at": timezone.now(),
            }
            # The plans of what was applied; most often the preview's, as the run keeps them: then not written
            # again (10 000 rows' plans are megabytes).
            if applied != stored:
                values["plans"] = applied
            ImportRun.objects.filter(pk=run.pk).update(**values)
        kept = applied
    except Exception as exc:
        if not isinstance(exc, ImportRefused):
            logger.exception("import apply failed", extra={"organisation_id": run.organisation_id, "run": run.pk})
        run_fail(run, _failure_text(exc))
        kept = None
    cache.delete(_progress_key(run))
    _refresh(run, plans=kept)
    return run


def _not_written(plans: list[RowPlan], replanned: dict | None) -> list[RowPlan]:
    """The run's plans with each row the kind's apply skipped (it changed in Stabil since the preview) shown as
    an error that says so, with what the row would do now: not as the preview's plan, which was not written."""
    if not replanned:
        return plans
    message = _("Changed in Stabil since the preview: this row was not written. Upload the file again to import it.")
    return [
        RowPlan(
            row=p.row,
            action=Action.ERROR,
            key=p.key,
            changes=dict(replanned[p.row].changes),
            errors=[message, *replanned[p.row].errors],
        )
        if p.row in replanned
        else p
        for p in plans
    ]


def _refresh(run: ImportRun, *, plans: list[dict] | None) -> None:
    """Read the run back; its plans only when they are not known (they are the largest column by far)."""
    if plans is None:
        run.refresh_from_db()
        return
    run.plans = plans
    run.refresh_from_db(fields=_BUT_PLANS)


_BUT_PLANS = [f.name for f in ImportRun._meta.concrete_fields if f.name not in ("id", "plans")]


def run_preview_now(*, run: ImportRun) -> ImportRun:
    """The preview in this process (the drop folder's task, tests): as the task does."""
    if ImportRun.objects.filter(pk=run.pk, status__in=(Status.UPLOADED, Status.PREVIEWED)).update(
        status=Status.PREVIEWING
    ):
        run.status = Status.PREVIEWING
    return preview(run=run)


def run_apply_now(*, run: ImportRun, by: StaffMember | None) -> ImportRun:
    """The apply in this process (the drop folder's task, tests): as the task does."""
    blocked = run.counts.get(Action.ERROR) and not applies_with_errors(kind_get(run.kind))
    if run.status != Status.PREVIEWED or run.dry_run or blocked:
        raise ValidationError(_("Only a previewed import can be applied."))
    ImportRun.objects.filter(pk=run.pk, status=Status.PREVIEWED).update(status=Status.APPLYING, applied_by=by)
    run.refresh_from_db(fields=_BUT_PLANS)  # apply reads the plans under its lock
    return apply(run=run)


FILE_HOURS = 24  # an uploaded file not applied by then is wiped; the run keeps its plans


def run_files_expire(*, organisation: Organisation, now=None) -> int:
    """Wipe the files of the organisation's runs uploaded more than FILE_HOURS ago and not being applied (a
    preview nobody applied, an abandoned upload). Returns how many were wiped."""
    import datetime as dt

    cutoff = (now or timezone.now()) - dt.timedelta(hours=FILE_HOURS)
    return (
        ImportRun.objects.filter(organisation=organisation, created_at__lt=cutoff)
        .exclude(file_encrypted="")
        .exclude(status__in=(Status.PREVIEWING, Status.APPLYING))
        .update(file_encrypted="")
    )
