"""The finder of personal identity numbers and coordination numbers in text, at its edges and over generated ones."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from staff.platform.identity_numbers import contains_identity_number, luhn_valid, validate_no_identity_number


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
    run = ten + digit if after else digit + ten + digit
    # Twelve digits can be a number of their own in the full form (century, date, serial, check digit), e.g.
    # "2" + "0011063146" + "2" = 20011063-1462, a coordination number of 3 October 2001: that one is found.
    assume(len(run) != 12 or not _full_form_valid(run))
    assert not contains_identity_number(run)


def _full_form_valid(run: str) -> bool:
    century, month, day = int(run[:2]), int(run[4:6]), int(run[6:8])
    day -= 60 if day > 60 else 0
    try:
        datetime.date(int(run[:4]), month, day)
    except ValueError:
        return False
    return century in (18, 19, 20) and luhn_valid(run[2:])


# Issue 15 review: shapes the finder missed, and ordinary text it must still leave alone.


@pytest.mark.parametrize(
    "text",
    [
        "\uff11\uff12\uff11\uff12\uff11\uff12-\uff11\uff12\uff11\uff12",  # full-width digits
        "\uff11\uff12\uff11\uff12\uff11\uff12\uff0d\uff11\uff12\uff11\uff12",  # and a full-width hyphen
        "121212\t1212",
        "121212\n1212",
        "121212  1212",
        "121212\u20091212",  # thin space
        "121212\u202f1212",  # narrow no-break space
        "121212\u00a01212",  # no-break space
        "121212--1212",
        "121212 -- 1212",
        "121212\t-\t1212",
        "12 12 12-1212",
        "12 12 12 1212",
        "12\u200912\u200912-1212",
        "1912 12 12-1212",
        "121212 1212",
        "Pnr: 12 12 12 - 1212, bor hos modern.",
    ],
)
def test_the_review_shapes_are_found(text):
    assert contains_identity_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "\uff11\uff12\uff11\uff12\uff11\uff12-\uff11\uff12\uff11\uff13",  # full-width, check digit off
        "121212   1212",  # three spaces: no longer one number
        "121212---1212",
        "121212\t\t\t1212",
        "12 12 12-1213",
        "12 1212-1212",  # grouped unevenly
        "1212 12-1212",
        "12-12-12-1212",  # dashes inside the date are a date, not a grouped number
        "2026-01-15",
        "2026-01-15 1212",
        "15/1 2026",
        "58 147,58 kr",
        "1 212 121 212 kr",
        "070-123 45 67",  # a mobile number in the usual groups
        "08-121 212 12",
        "0701-21 12 12",
        "\u0661121212-1212",  # an Arabic-Indic digit before: a longer run of digits
        "121212-1212\u0967",  # a Devanagari digit after
        "\uff11121212-1212",  # a full-width digit before
        "12121212121\uff12",  # eleven digits and a full-width one: twelve digits, no valid century
    ],
)
def test_ordinary_text_and_near_misses_are_not_found(text):
    assert not contains_identity_number(text)


def test_a_luhn_valid_phone_number_with_a_valid_date_is_refused_by_design():
    # 070121-1212 as a number: 7 January 2001 (or 1901/1801), and the Luhn digit fits. The finder cannot tell it
    # from an identity number, and refusing it is intended: a phone number is personal data too.
    nine = "070121121"
    assert contains_identity_number(f"Ring {nine[:6]}-{nine[6:]}{check_digit(nine)}")
    assert contains_identity_number(f"Ring {nine}{check_digit(nine)}")


def test_full_width_and_spaced_numbers_report_their_spans_in_the_original_text():
    from staff.platform.identity_numbers import identity_number_spans

    text = "Ärende: \uff11\uff12\uff11\uff12\uff11\uff12-\uff11\uff12\uff11\uff12 och 19 12 12 12\u2009-\u20091212."
    spans = identity_number_spans(text)
    assert [text[start:end] for start, end in spans] == [
        "\uff11\uff12\uff11\uff12\uff11\uff12-\uff11\uff12\uff11\uff12",
        "12 12 12\u2009-\u20091212",
    ]
    assert identity_number_spans("BoU-W-001 121212-1213") == []


review_separators = st.sampled_from(
    ["", "-", "+", " ", "  ", "\t", "\n", "--", " - ", " -- ", "\u2013", "\u2009", "\u202f", "\u00a0", "\t-\t"]
)
groupings = st.sampled_from(["", " ", "\u2009"])


def _full_width(text: str) -> str:
    return "".join(chr(ord(char) - ord("0") + 0xFF10) if char.isdigit() else char for char in text)


@given(
    day=days,
    serial=serials,
    coordination=st.booleans(),
    century=st.booleans(),
    sep=review_separators,
    group=groupings,
    wide=st.booleans(),
    before=words,
)
def test_every_accepted_shape_is_found_and_an_off_check_digit_is_not(
    day, serial, coordination, century, sep, group, wide, before
):
    def shape(ten: str) -> str:
        date = group.join((ten[0:2], ten[2:4], ten[4:6]))
        text = f"{day.year // 100 if century else ''}{date}{sep}{ten[6:]}"
        return f"{before}{_full_width(text) if wide else text}{' och' if before else ''}"

    assert contains_identity_number(shape(number(day, serial, coordination=coordination)))
    for shift in range(1, 10):
        assert not contains_identity_number(shape(number(day, serial, coordination=coordination, shift=shift)))
