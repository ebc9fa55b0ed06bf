"""One way to hand a table report to a spreadsheet: the same rows as CSV or as xlsx (issue 19).

Every table export of the site builds its rows once (header first) and answers through `table_response`,
so the two formats cannot differ: the view chooses with `?format=csv` (the default) or `?format=xlsx` on
the same URL, and the access log records the request as it always did (same URL name, channel export).

- CSV: semicolon-separated, UTF-8 with a byte-order mark, decimal comma, each cell through
  `formtools.csv_cell` (a cell that could start a formula is prefixed with a quote).
- xlsx: openpyxl's write-only workbook, one sheet. Numbers (int, Decimal, float) are numbers, dates are
  dates, and every other value is a text cell: a text that starts with "=" stays text, never a formula, so
  no quote is needed. Characters an xlsx file cannot hold (control characters) are left out.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

from .formtools import csv_cell

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_format(request) -> str | None:
    """The format asked for with ?format= (csv when absent); None for any other value."""
    value = request.GET.get("format", "csv") or "csv"
    return value if value in FORMATS else None


def bad_format_response() -> HttpResponse:
    return HttpResponse(_("Choose the format csv or xlsx."), status=400, content_type="text/plain; charset=utf-8")


def csv_bytes(rows: Iterable[Sequence], *, delimiter: str = ";", decimal: str = ",", bom: bool = True) -> bytes:
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow([csv_cell(value, decimal=decimal) for value in row])
    return buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float | Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Decimal) and value.as_tuple().exponent < 0:
            cell.number_format = "0." + "0" * -value.as_tuple().exponent
        return cell
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"  # "=…" is text, never a formula
    return cell


def xlsx_bytes(rows: Iterable[Sequence], *, sheet_title: str = "") -> bytes:
    return xlsx_book_bytes([(sheet_title, rows)])


def xlsx_book_bytes(sheets: Iterable[tuple[str, Iterable[Sequence]]]) -> bytes:
    """A workbook of several sheets, (title, rows) each, cells as in `xlsx_bytes`."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=(title or "Stabil")[:31])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_response(
    rows: Iterable[Sequence], *, filename: str, fmt: str = "csv", sheet_title: str = "", decimal: str = ","
) -> HttpResponse:
    """The rows (header first) as a download named `filename` + .csv or .xlsx."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(rows, sheet_title=sheet_title), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(csv_bytes(rows, decimal=decimal), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
