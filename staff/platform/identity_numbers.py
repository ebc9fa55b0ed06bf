"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer) in text.

Stabil holds no client names or identity numbers: cases have case numbers. Every text field that can hold
case data refuses a string that contains one. The text is first normalised (Unicode NFKC, character by
character so that positions still point into the original): full-width digits `１２１２１２－１２１２`, thin
and no-break spaces become ASCII. A number is then found when it has
- 10 digits (YYMMDD NNNC) or 12 (CCYYMMDD NNNC, century 18, 19 or 20); the date may be grouped with single
  spaces the same way throughout (`12 12 12-1212`, `1912 12 12-1212`),
- optionally a separator between the date and the last four: `-` or `--`, `+` (100 years or older), a dash
  that word processors put in (en dash, minus sign), each with up to two spaces, tabs or line breaks either
  side, or just one or two of those,
- a valid date: the day may be the day of the month + 60 (a coordination number); without a century, the
  date is valid if it is in any of 18YY, 19YY or 20YY (29 February of YY divisible by 4),
- a correct Luhn check digit over the ten digits YYMMDDNNNC,
and is not part of a longer run of digits (any digits: `٣`, `３` count too). Letters next to it do not hide
it: `MOT121212-1212` holds one. Dates (`2026-01-15 1212`, dashes inside the date), amounts (`58 147,58 kr`)
and phone numbers in the usual groups (`070-123 45 67`) have another shape and pass. A phone number written
as ten digits (`0701211212`, `070121-1212`) whose first six make a date and whose last digit fits the Luhn
check cannot be told from an identity number and is refused too, by design: it is personal data as well.
The module is pure (no database): the apps import `validate_no_identity_number` as a field validator and the
management command `find_identity_numbers` scans stored text with `contains_identity_number`.
"""

from __future__ import annotations

import calendar
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGE = _(
    "Do not write a personal identity number or coordination number here: the system holds no details that"
    " identify a person. Cases have case numbers only."
)
CODE = "identity_number"

_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"
_CANDIDATE = re.compile(
    r"(?<!\d)"  # \d is any Unicode digit: a longer run of digits of any script holds no number
    r"(?P<century>[0-9]{2})?(?P<yy>[0-9]{2})(?P<group> ?)(?P<mm>[0-9]{2})(?P=group)(?P<dd>[0-9]{2})"
    rf"(?:\s{{0,2}}(?:\+|[{_DASHES}]{{1,2}})\s{{0,2}}|\s{{1,2}})?"
    r"(?P<last>[0-9]{4})"
    r"(?!\d)"
)
CENTURIES = (18, 19, 20)
COORDINATION_OFFSET = 60
# Regex prefilter for PostgreSQL (`~`) over the NFKC-normalised text: ten ASCII digits with at most ten other
# characters between each two (a wider net than _CANDIDATE, also over JSON text, where a tab is `\t`); the rows it
# matches are checked with `contains_identity_number`.
SQL_PREFILTER = r"[0-9]([^0-9]{0,10}[0-9]){9}"


def luhn_valid(digits: str) -> bool:
    """The Luhn check of a string of digits (the last one is the check digit)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _date_valid(years: list[int], month: int, day: int) -> bool:
    if day > COORDINATION_OFFSET:
        day -= COORDINATION_OFFSET
    if not 1 <= month <= 12 or day < 1:
        return False
    return any(day <= calendar.monthrange(year, month)[1] for year in years)


def _is_identity_number(match: re.Match) -> bool:
    century, yy, mm, dd, last = (match.group(name) for name in ("century", "yy", "mm", "dd", "last"))
    if century is not None and int(century) not in CENTURIES:
        return False
    years = [int(century + yy)] if century is not None else [c * 100 + int(yy) for c in CENTURIES]
    return _date_valid(years, int(mm), int(dd)) and luhn_valid(yy + mm + dd + last)


def _normalised(text: str) -> tuple[str, list[int]]:
    """NFKC of each character, and for each character of the result the index of the original one."""
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        normal = char if char.isascii() else unicodedata.normalize("NFKC", char)
        parts.append(normal)
        origin.extend([index] * len(normal))
    return "".join(parts), origin


def _matches(text: str):
    position = 0
    while (match := _CANDIDATE.search(text, position)) is not None:
        yield match
        position = match.start() + 1  # a failed candidate ends nothing: the next start is tried too


def identity_number_spans(text: str | None) -> list[tuple[int, int]]:
    """(start, end) in the original text of each identity number or coordination number it holds."""
    if not text:
        return []
    text = str(text)
    normal, origin = _normalised(text)
    origin.append(len(text))
    return [
        (origin[match.start()], origin[match.end() - 1] + 1) for match in _matches(normal) if _is_identity_number(match)
    ]


def contains_identity_number(text: str | None) -> bool:
    """True if the text holds a personal identity number or coordination number anywhere."""
    if not text:
        return False
    text = str(text)
    if text.isascii():  # NFKC leaves ASCII as it is, and a number has ten ASCII digits at least
        if sum(map(text.count, "0123456789")) < 10:
            return False
        normal = text
    else:
        normal = _normalised(text)[0]
    return any(_is_identity_number(match) for match in _matches(normal))


def validate_no_identity_number(value) -> None:
    """Field validator: refuse text that holds a personal identity number or coordination number."""
    if contains_identity_number(value):
        raise ValidationError(MESSAGE, code=CODE)


def refuse_identity_numbers(**texts: str | None) -> None:
    """The services' own check (a form is not the only way in): ValidationError at each field whose text holds one.

    The keys are the fields' names on the form, so that `apply_errors` puts each message at its field.
    """
    errors = {
        field: ValidationError(MESSAGE, code=CODE) for field, text in texts.items() if contains_identity_number(text)
    }
    if errors:
        raise ValidationError(errors)


def guard_fields(form, *names: str) -> None:
    """Add the field validator to the named fields of a form (a ModelForm's generated fields, for one)."""
    for name in names:
        form.fields[name].validators.append(validate_no_identity_number)
