"""CSV formula escaping keeps negative numbers numbers (issue 16): only a cell that is not a number is escaped."""

from decimal import Decimal

import pytest

from staff.platform.formtools import csv_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (Decimal("-0.22"), "-0,22"),  # was '-0,22: text in the spreadsheet
        (-3, "-3"),
        (-1.5, "-1,5"),
        ("-0,22", "-0,22"),  # an already formatted number
        ("-12", "-12"),
        (Decimal("0.22"), "0,22"),
    ],
)
def test_negative_numbers_are_not_escaped(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("-2+3", "'-2+3"),
        ("-HYPERLINK(1)", "'-HYPERLINK(1)"),
        ("-", "'-"),
        ("- 5", "'- 5"),
        ("=1+1", "'=1+1"),
        ("+46", "'+46"),
        ("@SUM(A1)", "'@SUM(A1)"),
    ],
)
def test_formulas_are_still_escaped(value, cell):
    assert csv_cell(value) == cell


def test_the_api_decimal_point_is_kept_for_negative_numbers():
    assert csv_cell(Decimal("-0.22"), decimal=".") == "-0.22"
