"""The finder of personal identity numbers and coordination numbers in text, at its edges and over generated ones."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from staff.identity_numbers import contains_identity_number, luhn_valid, validate_no_identity_number


def check_digit(nine: str) -> str:
    """The Luhn check digit of YYMMDDNNN, computed here independently of the module."""
    total = 0
    for i, char in enumerate(nine):
        product = int(char) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def number(day: datetime.date, serial: str = "121", *, coordination: bool = False, shift: int = 0) -> str:
    """The ten digits YYMMDDNNNC of a day; shift moves the check digit off by that much."""
    dd = day.day + (60 if coordination else 0)
    nine = f"{day:%y%m}{dd:02d}{serial}"
    return nine + str((int(check_digit(nine)) + shift) % 10)


@pytest.mark.parametrize(
    "text",
    [
        "19121212-1212",
        "121212-1212",
        "1212121212",
        "201212121212",
        "191212121212",
        "121212+1212",
        "121212 1212",
        "121212 - 1212",
        "121212\u20131212",  # an en dash, as a word processor writes it
        "Barnet 121212-1212 bor hos modern.",
        "MOT121212-1212",
        "Ärende BoU-W-001, pnr:121212-1212.",
    ],
)
def test_the_issue_numbers_are_found_in_every_shape(text):
    assert contains_identity_number(text)
    with pytest.raises(ValidationError) as exc:
        validate_no_identity_number(text)
    assert exc.value.error_list[0].code == "identity_number"
    assert "samordningsnummer" in str(exc.value.messages[0]) or "coordination" in str(exc.value.messages[0])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "BoU-W-001",
        "MOT-2026-0101",
        "Anna Svensson",  # a name is refused by the case-number pattern, not by this finder
        "121212-1213",  # check digit off by one
        "121212-1211",
        "19121212-1213",
        "1121212-1212",  # a longer run of digits before
        "121212-12123",  # and after
        "12121212121212",  # 14 digits
        "991212121212",  # century 99 does not exist
        "2026-12-12 1212",  # a date with hyphens and a number
        "121312-1212",  # month 13
    ],
)
def test_not_an_identity_number(text):
    assert not contains_identity_number(text)
    validate_no_identity_number(text)


def test_the_luhn_check_itself():
    assert luhn_valid("1212121212")
    assert not luhn_valid("1212121213")
    assert luhn_valid("8112189876")  # Skatteverket's example
    assert not luhn_valid("8112189875")


@pytest.mark.parametrize(
    ("day", "found"),
    [(60, False), (61, True), (91, True), (92, False)],
)
def test_coordination_numbers_at_the_day_edges(day, found):
    nine = f"1201{day}121"  # January: 31 days, so day 91 is the 31st
    assert contains_identity_number(nine + check_digit(nine)) is found


def test_a_coordination_number_on_the_31st_of_a_30_day_month_is_no_number():
    nine = "120491121"  # April 31 + 60
    assert not contains_identity_number(nine + check_digit(nine))
    nine = "120490121"  # April 30 + 60
    assert contains_identity_number(nine + check_digit(nine))


def test_29_february_in_leap_and_other_years():
    assert contains_identity_number(number(datetime.date(2000, 2, 29)))  # 000229: 2000 is a leap year
    assert contains_identity_number("2000" + number(datetime.date(2000, 2, 29))[2:])
    assert contains_identity_number(number(datetime.date(2024, 2, 29), coordination=True))  # day 89
    nine = "010229121"  # 29 February 01: neither 1801, 1901 nor 2001 is a leap year
    assert not contains_identity_number(nine + check_digit(nine))
    nine = "000229121"  # with the century 1900: no leap year
    assert not contains_identity_number("19" + nine + check_digit(nine))
    nine = "010228121"
    assert contains_identity_number(nine + check_digit(nine))


days = st.dates(min_value=datetime.date(1850, 1, 1), max_value=datetime.date(2030, 12, 31))
serials = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")
separators = st.sampled_from(["", "-", "+", " ", " - ", "\u2013"])
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäö .,:", max_size=12)


@given(day=days, serial=serials, coordination=st.booleans(), century=st.booleans(), sep=separators, before=words)
def test_every_generated_number_is_found_and_an_off_check_digit_is_not(day, serial, coordination, century, sep, before):
    def shape(ten: str) -> str:
        return f"{before}{f'{day.year // 100}' if century else ''}{ten[:6]}{sep}{ten[6:]}{' och' if before else ''}"

    assert contains_identity_number(shape(number(day, serial, coordination=coordination)))
    for shift in range(1, 10):
        assert not contains_identity_number(shape(number(day, serial, coordination=coordination, shift=shift)))


@given(day=days, serial=serials, digit=st.sampled_from("0123456789"), after=st.booleans())
def test_a_longer_run_of_digits_holds_no_number(day, serial, digit, after):
    ten = number(day, serial)
    assert not contains_identity_number(ten + digit if after else digit + ten + digit)
