"""Reading an uploaded table (issue 19): a CSV file from the standard library's csv module, an xlsx file from
openpyxl in read-only mode; both become a header row and rows of stripped cell texts.

The HR and case-management systems export CSV with a semicolon or a comma, in UTF-8 (often with a byte-order
mark) or in Windows-1252; the reader takes either. Cells are text: a date cell of an xlsx file becomes its
ISO date, a whole number stays whole ("1234", never "1234.0"), so a kind parses one form only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024  # 20 MB: far above 50 000 case rows as CSV (about 5 MB)
MAX_ROWS = 100_000


class UnreadableFile(ValueError):
    """A message for the person who uploaded the file, in their language."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # data rows only; rows[0] is the file's row 2


def read_table(data: bytes, filename: str) -> Table:
    if len(data) > MAX_BYTES:
        raise UnreadableFile(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not data.strip():
        raise UnreadableFile(_("The file is empty."))
    name = filename.lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name.rpartition(".")[1]:
        table = _read_csv(data)
    else:
        raise UnreadableFile(_("Upload a CSV file or an Excel file (xlsx)."))
    if not any(table.headers):
        raise UnreadableFile(_("The first row of the file must name the columns."))
    if len(table.rows) > MAX_ROWS:
        raise UnreadableFile(_("The file has more than %(rows)s rows.") % {"rows": f"{MAX_ROWS:,}".replace(",", " ")})
    return table


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = [[cell.strip() for cell in line] for line in reader]
    except csv.Error as exc:
        raise UnreadableFile(_("The file could not be read as CSV: %(error)s") % {"error": exc}) from exc
    lines = _without_empty_tail(lines)
    if not lines:
        raise UnreadableFile(_("The file is empty."))
    return Table(headers=lines[0], rows=lines[1:])


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors alike for a damaged file
        raise UnreadableFile(_("The file could not be read as an Excel file (xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        lines = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    lines = _without_empty_tail(lines)
    if not lines:
        raise UnreadableFile(_("The file is empty."))
    return Table(headers=lines[0], rows=lines[1:])


def _without_empty_tail(lines: list[list[str]]) -> list[list[str]]:
    while lines and not any(lines[-1]):
        lines.pop()
    return lines


def normalised(header: str) -> str:
    """A header as it is compared with a field's aliases: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-zåäöéü]", "", header.lower())


def proposed_mapping(headers: Sequence[str], fields: Sequence) -> dict[str, str]:
    """field key -> header, for each field whose key, label or alias matches a header of the file."""
    by_normal = {normalised(h): h for h in headers if h}
    mapping: dict[str, str] = {}
    for field in fields:
        for candidate in (field.key, str(field.label), *field.aliases):
            header = by_normal.get(normalised(candidate))
            if header is not None and header not in mapping.values():
                mapping[field.key] = header
                break
    return mapping


def mapped_rows(table: Table, mapping: Mapping[str, str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number in the file, field key -> cell text) for each non-empty row; only mapped columns are kept.
    The header is row 1, so the first data row is row 2, as a spreadsheet shows it."""
    index = {h: i for i, h in enumerate(table.headers) if h}
    columns = [(key, index[header]) for key, header in mapping.items() if header in index]
    for number, line in enumerate(table.rows, start=2):
        if not any(line):
            continue
        yield number, {key: (line[i] if i < len(line) else "") for key, i in columns}
