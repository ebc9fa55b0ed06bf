"""Reading an xlsx download back, and holding it against the CSV of the same report (issue 19: every table
report exports to xlsx with the same rows)."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet(response):
    """The first sheet's cells (openpyxl's Cell objects, so a test can look at a cell's type)."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.worksheets[0].iter_rows()]


def csv_rows(response, *, delimiter=";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))


def _same(text: str, cell, decimal: str) -> bool:
    value = cell.value
    if value is None:
        return text == ""
    if cell.data_type == "f":
        return False  # a formula in an export is a defect, whatever it computes
    if isinstance(value, bool):
        return text == str(value)
    if isinstance(value, int | float):
        return Decimal(text.replace(decimal, ".")) == Decimal(str(value))
    if isinstance(value, datetime.datetime):
        return text == value.date().isoformat() and value.time() == datetime.time(0)
    # a text the CSV escaped against formulas ("'=…") is the plain text in the workbook
    return text in (value, f"'{value}")


def assert_same_rows(csv_table: list[list[str]], cells, *, decimal: str = ","):
    assert len(csv_table) == len(cells), (len(csv_table), len(cells))
    for number, (line, row) in enumerate(zip(csv_table, cells, strict=True), start=1):
        padded = line + [""] * (len(row) - len(line))
        assert len(padded) == len(row), (number, line, [c.value for c in row])
        for text, cell in zip(padded, row, strict=True):
            assert _same(text, cell, decimal), (number, text, cell.value, cell.data_type)
