"""The month's supplements as payroll transactions (issue 19, part 5): the lines a payroll system imports,
and the file in the organisation's layout (competence.models.PayrollLayout).

A line is one person, one pay code (lönart), one period and one amount, booked on the cost centre of the unit
the amount was earned in: the month's supplement rows of a person in one unit add up to one line, and each
correction of an earlier, frozen month is a line of its own with the correction pay code and the corrected
month as its period (paid in this month's file). Consultants are not on the payroll. A line of 0 kr is left
out. A person without an employee number cannot be paid by file: the file is refused and names them (HR sees
the names of staff; cases never reach this module).

Reads only: preparing, approving and releasing the file are competence.services.payroll.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.models import Organisation

from .models import PayrollLayout, UnitCostCentre
from .selectors.supplements import supplement_report

COLUMNS = {
    "employee_number": gettext_lazy("employee number"),
    "pay_code": gettext_lazy("pay code (lönart)"),
    "period": gettext_lazy("period"),
    "amount": gettext_lazy("amount"),
    "cost_centre": gettext_lazy("cost centre"),
    "days": gettext_lazy("days"),
}
NUMERIC = frozenset({"amount", "days"})  # right-aligned in a fixed-width file

# The presets offered on the settings page. Only "stabil_csv" and "stabil_fixed" are layouts we document
# ourselves (docs/integrations.md); no payroll supplier's import format is shipped as fact: each municipality
# checks its payroll system's description of transaction import and adjusts columns, widths and formats.
PRESETS = {
    "stabil_csv": {
        "label": gettext_lazy("Stabil CSV: semicolon, a header line, decimal comma (documented)"),
        "file_format": "csv",
        "columns": "employee_number,pay_code,period,amount,cost_centre",
        "widths": "",
        "delimiter": ";",
        "header": True,
        "period_format": "YYYYMM",
        "amount_format": "comma",
        "encoding": "utf-8",
        "crlf": True,
    },
    "stabil_fixed": {
        "label": gettext_lazy(
            "Fixed width: employee number 10, pay code 6, period 6, amount in öre 12, cost centre 10 "
            "(documented by us; an assumption about your payroll system: check its import description)"
        ),
        "file_format": "fixed",
        "columns": "employee_number,pay_code,period,amount,cost_centre",
        "widths": "10,6,6,12,10",
        "delimiter": "",
        "header": False,
        "period_format": "YYYYMM",
        "amount_format": "ore",
        "encoding": "cp1252",
        "crlf": True,
    },
    "semicolon_plain": {
        "label": gettext_lazy(
            "Semicolon without a header, date of the month's first day (an assumption: check your payroll "
            "system's import description)"
        ),
        "file_format": "csv",
        "columns": "employee_number,pay_code,period,days,amount,cost_centre",
        "widths": "",
        "delimiter": ";",
        "header": False,
        "period_format": "YYYY-MM-DD",
        "amount_format": "comma",
        "encoding": "cp1252",
        "crlf": True,
    },
}


@dataclass(frozen=True)
class Line:
    employee_number: str
    pay_code: str
    period: datetime.date
    amount: Decimal
    cost_centre: str
    days: int | None  # days of the month on a level; none on a correction


def layout_for(organisation: Organisation) -> PayrollLayout:
    """The organisation's layout, or the documented default (not saved) until someone saves one."""
    found = PayrollLayout.objects.filter(organisation=organisation).first()
    return found or PayrollLayout(organisation=organisation, **_preset_fields("stabil_csv"))


def _preset_fields(key: str) -> dict:
    return {k: v for k, v in PRESETS[key].items() if k != "label"} | {"preset": key}


def preset_fields(key: str) -> dict:
    if key not in PRESETS:
        raise ValidationError({"preset": _("Choose one of the presets.")})
    return _preset_fields(key)


def layout_errors(*, file_format: str, columns: str, widths: str, delimiter: str) -> dict[str, str]:
    """What is wrong with a layout, per field (the settings form and the service both ask)."""
    errors = {}
    keys = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [k for k in keys if k not in COLUMNS]
    if not keys or unknown:
        errors["columns"] = _("Use the columns %(columns)s, separated by commas.") % {"columns": ", ".join(COLUMNS)}
    elif len(set(keys)) != len(keys):
        errors["columns"] = _("A column can only be given once.")
    elif "employee_number" not in keys or "amount" not in keys:
        errors["columns"] = _("The employee number and the amount must be columns.")
    if file_format == PayrollLayout.FileFormat.FIXED:
        parts = [w.strip() for w in widths.split(",") if w.strip()]
        if not all(p.isdigit() and 0 < int(p) <= 100 for p in parts) or len(parts) != len(keys):
            errors["widths"] = _("Give one width between 1 and 100 for each column, separated by commas.")
    elif len(delimiter) != 1 or delimiter in '\r\n"':
        errors["delimiter"] = _("Give one character as the delimiter, for example ; or a comma.")
    return errors


def lines(*, organisation: Organisation, month: datetime.date, layout: PayrollLayout) -> list[Line]:
    """The month's transactions in a stable order (employee number, period, pay code, cost centre). Raises a
    ValidationError naming the people without an employee number."""
    report = supplement_report(organisation=organisation, month=month)
    centres = dict(UnitCostCentre.objects.filter(organisation=organisation).values_list("unit_id", "code"))
    missing = sorted({r.staff.full_name for r in [*report.rows, *report.corrections] if not r.staff.employee_number})
    if missing:
        raise ValidationError(
            _("These people have no employee number, so payroll cannot pay them from the file: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    pay, corrections = defaultdict(lambda: [Decimal("0"), 0]), defaultdict(lambda: Decimal("0"))
    for row in report.rows:
        key = (row.staff.employee_number, centres.get(row.unit_id, ""))
        pay[key][0] += row.amount
        pay[key][1] += row.days
    for c in report.corrections:
        corrections[(c.staff.employee_number, c.corrects, centres.get(c.unit_id, ""))] += c.amount
    correction_code = layout.correction_pay_code or layout.pay_code
    result = [
        Line(number, layout.pay_code, report.month, amount, centre, days)
        for (number, centre), (amount, days) in pay.items()
        if amount
    ]
    result += [
        Line(number, correction_code, corrects, amount, centre, None)
        for (number, corrects, centre), amount in corrections.items()
        if amount
    ]
    return sorted(result, key=lambda line: (line.employee_number, line.period, line.pay_code, line.cost_centre))


def fingerprint(month_lines: list[Line]) -> str:
    """What two people approve: the lines, whatever the file's layout makes of them."""
    text = "\n".join(
        f"{x.employee_number}|{x.pay_code}|{x.period:%Y-%m}|{x.amount:.2f}|{x.cost_centre}|{x.days}"
        for x in month_lines
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _period(layout: PayrollLayout, day: datetime.date) -> str:
    return day.strftime(
        {"YYYYMM": "%Y%m", "YYYY-MM": "%Y-%m", "YYYY-MM-DD": "%Y-%m-%d", "YYYYMMDD": "%Y%m%d"}[layout.period_format]
    )


def _amount(layout: PayrollLayout, amount: Decimal) -> str:
    if layout.amount_format == PayrollLayout.AmountFormat.ORE:
        return str(int((amount * 100).to_integral_value()))
    text = f"{amount:.2f}"
    return text.replace(".", ",") if layout.amount_format == PayrollLayout.AmountFormat.COMMA else text


def _cells(layout: PayrollLayout, line: Line) -> dict[str, str]:
    return {
        "employee_number": line.employee_number,
        "pay_code": line.pay_code,
        "period": _period(layout, line.period),
        "amount": _amount(layout, line.amount),
        "cost_centre": line.cost_centre,
        "days": "" if line.days is None else str(line.days),
    }


def render(layout: PayrollLayout, month_lines: list[Line]) -> bytes:
    """The file's bytes. A value wider than its fixed-width column, or a character the encoding lacks, is a
    ValidationError naming the line and the column: payroll never gets a cut-off amount."""
    keys = [c.strip() for c in layout.columns.split(",") if c.strip()]
    newline = "\r\n" if layout.crlf else "\n"
    if layout.file_format == PayrollLayout.FileFormat.FIXED:
        widths = [int(w) for w in layout.widths.split(",")]
        out = []
        for number, line in enumerate(month_lines, start=1):
            cells = _cells(layout, line)
            parts = []
            for key, width in zip(keys, widths, strict=True):
                value = cells[key]
                if len(value) > width:
                    raise ValidationError(
                        _("Line %(line)s: the %(column)s %(value)s is wider than its %(width)s characters.")
                        % {"line": number, "column": COLUMNS[key], "value": value, "width": width}
                    )
                parts.append(value.rjust(width) if key in NUMERIC else value.ljust(width))
            out.append("".join(parts) + newline)
        text = "".join(out)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator=newline)
        if layout.header:
            writer.writerow(keys)
        for line in month_lines:
            cells = _cells(layout, line)
            writer.writerow([cells[key] for key in keys])
        text = buffer.getvalue()
    try:
        return text.encode(layout.encoding)
    except UnicodeEncodeError as exc:
        raise ValidationError(
            _("The file holds a character that %(encoding)s cannot write: %(text)s.")
            % {"encoding": layout.get_encoding_display(), "text": exc.object[exc.start : exc.end]}
        ) from None


def filename(layout: PayrollLayout, month: datetime.date) -> str:
    return f"lonetransaktioner-{month:%Y-%m}.{'csv' if layout.file_format == 'csv' else 'txt'}"
