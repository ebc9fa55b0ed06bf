"""Helpers of the import tests: a CSV from rows, a run through its preview and apply in this process."""

from __future__ import annotations

from staff.imports import services
from staff.imports.models import ImportRun

STAFF_HEADER = "Anst.nr;Förnamn;Efternamn;E-post;Enhet;Befattning;Syss.grad;Anställningsdatum;Slutdatum"
STAFF_MAPPING = {
    "employee_number": "Anst.nr",
    "first_name": "Förnamn",
    "last_name": "Efternamn",
    "email": "E-post",
    "unit": "Enhet",
    "title": "Befattning",
    "fte": "Syss.grad",
    "employment_start": "Anställningsdatum",
    "employment_end": "Slutdatum",
}


def csv(header: str, *lines: str) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def staff_line(
    number="1001",
    first="Åsa",
    last="Berg",
    email="asa@alfa.se",
    unit="Utredning",
    title="Socialsekreterare",
    fte="1",
    start="2024-01-01",
    end="",
) -> str:
    return ";".join([number, first, last, email, unit, title, fte, start, end])


def previewed(org, by, data: bytes, *, kind="staff", mapping=None, dry_run=False) -> ImportRun:
    run = services.run_create(organisation=org, kind_key=kind, by=by, filename="export.csv", data=data, dry_run=dry_run)
    if mapping is not None:
        services.run_set_mapping(run=run, mapping=mapping, by=by)
    return services.run_preview_now(run=run)


def applied(org, by, data: bytes, **kwargs) -> ImportRun:
    run = previewed(org, by, data, **kwargs)
    return services.run_apply_now(run=run, by=by)


def plans_by_row(run: ImportRun) -> dict[int, dict]:
    return {p["row"]: p for p in run.plans}
