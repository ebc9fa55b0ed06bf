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

import datetime
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.models import Organisation

from .models import PayrollLayout, UnitCostCentre
from .selectors.supplements import SupplementReport, supplement_report

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


CODE = re.compile(r"[A-Za-z0-9._/-]{1,30}")  # a cost centre or a pay code: nothing a file could misread
WIDTH = re.compile(r"[0-9]{1,3}")


def _parts(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def layout_errors(
    *, file_format: str, columns: str, widths: str, delimiter: str, amount_format: str = "", pay_codes=()
) -> dict[str, str]:
    """What is wrong with a layout, per field (the settings form and the service both ask)."""
    errors = {}
    keys = _parts(columns)
    unknown = [k for k in keys if k not in COLUMNS]
    if not keys or unknown:
        errors["columns"] = _("Use the columns %(columns)s, separated by commas.") % {"columns": ", ".join(COLUMNS)}
    elif len(set(keys)) != len(keys):
        errors["columns"] = _("A column can only be given once.")
    elif "employee_number" not in keys or "amount" not in keys:
        errors["columns"] = _("The employee number and the amount must be columns.")
    if file_format == PayrollLayout.FileFormat.FIXED:
        parts = _parts(widths)
        if not all(WIDTH.fullmatch(p) and 0 < int(p) <= 100 for p in parts) or len(parts) != len(keys):
            errors["widths"] = _("Give one width between 1 and 100 for each column, separated by commas.")
    elif len(delimiter) != 1 or delimiter in "\r\n\"' " or delimiter.isalnum() or delimiter in "-.=+@":
        errors["delimiter"] = _("Give one character as the delimiter, for example ; or a tab.")
    elif delimiter == "," and amount_format == PayrollLayout.AmountFormat.COMMA:
        errors["delimiter"] = _("A comma cannot be the delimiter when amounts have a decimal comma.")
    for name, code in pay_codes:
        if code and not CODE.fullmatch(code):
            errors[name] = _("Use letters A–Z, digits and . _ / - only, at most 30 characters.")
    return errors


def cost_centre_error(code: str) -> str | None:
    if code and not CODE.fullmatch(code):
        return _("Use letters A–Z, digits and . _ / - only, at most 30 characters.")
    return None


def lines(
    *, organisation: Organisation, month: datetime.date, layout: PayrollLayout, report: SupplementReport | None = None
) -> list[Line]:
    """The month's transactions in a stable order (employee number, period, pay code, cost centre). Raises a
    ValidationError naming the people who have a line but no employee number (someone whose supplement comes
    to 0 kr has no line and needs none). `report` is the whole organisation's report of the month when the
    caller has it already (the supplement page), so that it is not computed twice."""
    if report is None:
        report = supplement_report(organisation=organisation, month=month)
    elif report.month != month.replace(day=1):
        raise ValueError("the report is of another month")
    centres = dict(UnitCostCentre.objects.filter(organisation=organisation).values_list("unit_id", "code"))
    people = {}
    pay, corrections = defaultdict(lambda: [Decimal("0"), 0]), defaultdict(lambda: Decimal("0"))
    for row in report.rows:
        people[row.staff.pk] = row.staff
        key = (row.staff.pk, centres.get(row.unit_id, ""))
        pay[key][0] += row.amount
        pay[key][1] += row.days
    for c in report.corrections:
        people[c.staff.pk] = c.staff
        corrections[(c.staff.pk, c.corrects, centres.get(c.unit_id, ""))] += c.amount
    paid = {key[0] for key, (amount, _days) in pay.items() if amount} | {k[0] for k, a in corrections.items() if a}
    missing = sorted(people[pk].full_name for pk in paid if not people[pk].employee_number.strip())
    if missing:
        raise ValidationError(
            _(
                "These people have no employee number, so their supplement cannot be paid by the payroll file: "
                "%(names)s."
            )
            % {"names": ", ".join(missing)}
        )
    correction_code = layout.correction_pay_code or layout.pay_code
    number = {pk: people[pk].employee_number.strip() for pk in paid}
    result = [
        Line(number[pk], layout.pay_code, report.month, _cents(amount), centre, days)
        for (pk, centre), (amount, days) in pay.items()
        if amount
    ]
    result += [
        Line(number[pk], correction_code, corrects, _cents(amount), centre, None)
        for (pk, corrects, centre), amount in corrections.items()
        if amount
    ]
    return sorted(result, key=lambda line: (line.employee_number, line.period, line.pay_code, line.cost_centre))


def _cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fingerprint(data: bytes) -> str:
    """What two people approve: the file's very bytes, so a change of the lines or of the layout after the
    preparation (or after the approval) is a different file."""
    return hashlib.sha256(data).hexdigest()


def _period(layout: PayrollLayout, day: datetime.date) -> str:
    return day.strftime(
        {"YYYYMM": "%Y%m", "YYYY-MM": "%Y-%m", "YYYY-MM-DD": "%Y-%m-%d", "YYYYMMDD": "%Y%m%d"}[layout.period_format]
    )


def _amount(layout: PayrollLayout, amount: Decimal) -> str:
    if layout.amount_format == PayrollLayout.AmountFormat.ORE:
        return str(int(amount * 100))
    text = f"{amount:.2f}"
    return text.replace(".", ",") if layout.amount_format == PayrollLayout.AmountFormat.COMMA else text


def _named(line: Line) -> dict[str, str]:
    """The line's values as a refusal names them: as held, the period as YYYY-MM."""
    return {
        "employee_number": line.employee_number,
        "pay_code": line.pay_code,
        "period": f"{line.period:%Y-%m}",
        "amount": str(line.amount),
        "cost_centre": line.cost_centre,
        "days": str(line.days),
    }


def _cells(layout: PayrollLayout, line: Line) -> dict[str, str]:
    """The line's values as the file writes them: the text columns as named, the rest in the layout's format."""
    return _named(line) | {
        "period": _period(layout, line.period),
        "amount": _amount(layout, line.amount),
        "days": "" if line.days is None else str(line.days),
    }


def _refuse(line: Line, key: str, message: str):
    raise ValidationError(
        _("The line of employee number %(number)s: the %(column)s %(value)s %(problem)s.")
        % {"number": line.employee_number, "column": COLUMNS[key], "value": _named(line)[key], "problem": message}
    )


def _encoded(layout: PayrollLayout, line: Line, key: str, value: str) -> bytes:
    """A cell's bytes. Refused: a character the encoding lacks, a control character, the delimiter or a quote
    (a payroll system reading lines could be handed a forged line) and a leading = + @ (a formula when HR
    opens the file in a spreadsheet)."""
    if any(ord(ch) < 32 or ch == '"' for ch in value) or (
        layout.file_format == PayrollLayout.FileFormat.CSV and layout.delimiter in value
    ):
        _refuse(line, key, _("holds a character the file cannot carry"))
    if value[:1] in ("=", "+", "@") or (value[:1] == "-" and key not in NUMERIC):
        _refuse(line, key, _("starts like a spreadsheet formula"))
    try:
        return value.encode(layout.encoding)
    except UnicodeEncodeError:
        _refuse(line, key, _("holds a character that %(encoding)s cannot write") % {"encoding": layout.encoding})


def render(layout: PayrollLayout, month_lines: list[Line]) -> bytes:
    """The file's bytes. A value wider than its fixed-width column (in bytes of the file's encoding), or one
    the file cannot carry, is a ValidationError naming the employee number and the column: payroll never
    gets a cut-off amount or a forged line."""
    keys = _parts(layout.columns)
    newline = b"\r\n" if layout.crlf else b"\n"
    out = []
    if layout.file_format == PayrollLayout.FileFormat.FIXED:
        widths = [int(w) for w in _parts(layout.widths)]
        for line in month_lines:
            cells = _cells(layout, line)
            parts = []
            for key, width in zip(keys, widths, strict=True):
                value = _encoded(layout, line, key, cells[key])
                if len(value) > width:
                    _refuse(line, key, _("is wider than its %(width)s characters") % {"width": width})
                parts.append(value.rjust(width) if key in NUMERIC else value.ljust(width))
            out.append(b"".join(parts) + newline)
        return b"".join(out)
    delimiter = layout.delimiter.encode(layout.encoding)
    if layout.header:
        out.append(delimiter.join(key.encode(layout.encoding) for key in keys) + newline)
    for line in month_lines:
        cells = _cells(layout, line)
        out.append(delimiter.join(_encoded(layout, line, key, cells[key]) for key in keys) + newline)
    return b"".join(out)


def filename(layout: PayrollLayout, month: datetime.date) -> str:
    return f"lonetransaktioner-{month:%Y-%m}.{'csv' if layout.file_format == 'csv' else 'txt'}"
