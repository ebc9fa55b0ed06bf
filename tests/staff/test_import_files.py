"""The table reader of the imports (staff/imports/files.py): CSV in the forms the HR and case systems export,
xlsx through openpyxl, row numbers as a spreadsheet shows them, only mapped columns kept."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from staff.imports.files import MAX_ROWS, UnreadableFile, mapped_rows, proposed_mapping, read_table
from staff.imports.kinds import Field


def _xlsx(*rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_semicolon_csv_in_windows_1252():
    table = read_table("Anst.nr;Förnamn\n1001;Åsa\n".encode("cp1252"), "heroma.csv")
    assert table.headers == ["Anst.nr", "Förnamn"]
    assert table.rows == [["1001", "Åsa"]]


def test_comma_csv_in_utf8_with_byte_order_mark():
    table = read_table("\ufeffAnst.nr,Förnamn\n1001 , Åsa \n".encode(), "export.csv")
    assert table.headers == ["Anst.nr", "Förnamn"]
    assert table.rows == [["1001", "Åsa"]]


def test_quoted_semicolon_stays_in_its_cell():
    table = read_table(b'Nr;Enhet\n1;"Barn; norr"\n', "x.csv")
    assert table.rows == [["1", "Barn; norr"]]


def test_xlsx_dates_and_whole_numbers_become_one_text_form():
    data = _xlsx(["Anst.nr", "Start", "Grad"], [1001, dt.datetime(2020, 1, 31), 0.75], [1002.0, None, 1])
    table = read_table(data, "visma.xlsx")
    assert table.rows == [["1001", "2020-01-31", "0.75"], ["1002", "", "1"]]


def test_row_numbers_count_the_header_and_blank_rows():
    table = read_table(b"Nr;Namn;Start\n1001;A;2020-01-01\n;;\n1002;B;\n\n\n", "x.csv")
    rows = list(mapped_rows(table, {"employee_number": "Nr", "start": "Start"}))
    assert rows == [
        (2, {"employee_number": "1001", "start": "2020-01-01"}),
        (4, {"employee_number": "1002", "start": ""}),
    ]


def test_unmapped_columns_are_never_handed_on():
    table = read_table(b"Nr;Personnummer\n1001;19800101-1234\n", "x.csv")
    [(_, row)] = list(mapped_rows(table, {"employee_number": "Nr"}))
    assert row == {"employee_number": "1001"}


def test_a_short_row_gives_empty_cells():
    table = read_table(b"Nr;Start;Slut\n1001\n", "x.csv")
    [(_, row)] = list(mapped_rows(table, {"employee_number": "Nr", "end": "Slut"}))
    assert row == {"employee_number": "1001", "end": ""}


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "x.csv"),
        (b"  \n\n", "x.csv"),
        (b"PK\x03\x04garbage", "x.xlsx"),
        (b"a;b\n", "x.pdf"),
        (b";;\n1;2\n", "x.csv"),
    ],
)
def test_unreadable_files_get_a_message(data, name):
    with pytest.raises(UnreadableFile):
        read_table(data, name)


def test_rows_at_the_limit_pass_and_one_more_is_refused():
    at_limit = b"Nr\n" + b"1\n" * MAX_ROWS
    assert len(read_table(at_limit, "x.csv").rows) == MAX_ROWS
    with pytest.raises(UnreadableFile):
        read_table(at_limit + b"1\n", "x.csv")


def test_proposed_mapping_matches_headers_without_case_or_punctuation():
    fields = (
        Field("employee_number", "Employee number", aliases=("Anst.nr", "Anställningsnummer")),
        Field("end", "End"),
    )
    assert proposed_mapping(["ANST NR", "Namn", "end"], fields) == {"employee_number": "ANST NR", "end": "end"}
