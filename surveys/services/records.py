"""What is recorded from outside a round: the 2014 baseline (CSV upload) and exit interviews."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember, Unit
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org

from ..models import EXIT_QUESTIONS, Baseline, ExitInterview

BASELINE_COLUMNS = ("unit", "q1", "q2", "q3")


@transaction.atomic
def baseline_import(*, organisation: Organisation, content: str, year: int = 2014) -> int:
    """Import `unit;q1;q2;q3` (comma or semicolon, decimal comma allowed). All lines or none."""
    units = {u.name.casefold(): u for u in Unit.objects.filter(organisation=organisation)}
    try:
        dialect = csv.Sniffer().sniff(content.splitlines()[0] if content.strip() else "a;b", delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(content), dialect))
    except csv.Error as exc:  # a field over csv's 128 kB limit, a stray NUL byte
        raise ValidationError(
            _("The file cannot be read as CSV (a field is too long or it holds binary data).")
        ) from exc
    errors: list[str] = []
    parsed: list[tuple[Unit, list[Decimal]]] = []
    if not rows:
        raise ValidationError(_("The file is empty."))
    start = 1 if rows[0] and rows[0][0].strip().casefold() in {"unit", "enhet"} else 0
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 4:
            errors.append(_("Line %(line)s: expected 4 columns (unit, q1, q2, q3).") % {"line": number})
            continue
        unit = units.get(row[0].strip().casefold())
        if unit is None:
            errors.append(_("Line %(line)s: unknown unit “%(unit)s”.") % {"line": number, "unit": row[0].strip()})
            continue
        values = []
        for cell in row[1:]:
            try:
                value = Decimal(cell.strip().replace(",", "."))
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or not Decimal(1) <= value <= Decimal(5):
                errors.append(
                    _("Line %(line)s: “%(value)s” is not a value from 1 to 5.")
                    % {"line": number, "value": cell.strip()}
                )
                break
            values.append(value.quantize(Decimal("0.01"), ROUND_HALF_UP))
        else:
            parsed.append((unit, values))
    if errors:
        raise ValidationError(errors)
    if not parsed:
        raise ValidationError(_("The file has no lines with values."))
    for unit, (q1, q2, q3) in parsed:
        Baseline.objects.update_or_create(
            organisation=organisation, unit=unit, defaults={"year": year, "q1": q1, "q2": q2, "q3": q3}
        )
    return len(parsed)


@transaction.atomic
def exit_interview_record(
    *,
    organisation: Organisation,
    staff: StaffMember,
    interviewer: StaffMember,
    held_on: datetime.date,
    main_reason: str,
    answers: dict[str, str],
) -> ExitInterview:
    check_same_org(organisation, staff, interviewer)
    if staff.pk == interviewer.pk:
        raise ValidationError({"staff": _("Choose the person who is leaving, not yourself.")})
    if ExitInterview.objects.filter(organisation=organisation, staff=staff).exists():
        raise ValidationError({"staff": _("An exit interview with this person is already recorded.")})
    clean = {str(i): (answers.get(str(i)) or "").strip() for i in range(1, len(EXIT_QUESTIONS) + 1)}
    refuse_identity_numbers(**{f"a{number}": text for number, text in clean.items()})
    interview = ExitInterview(
        organisation=organisation,
        staff=staff,
        unit=staff.unit,
        held_on=held_on,
        main_reason=main_reason,
        answers=clean,
        interviewer=interviewer,
    )
    interview.full_clean()
    interview.save()
    return interview
