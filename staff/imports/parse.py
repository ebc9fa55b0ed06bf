"""Reading one cell of an import: dates, shares and percentages as the HR systems write them.

Each returns the value or raises ValueError with a message for the person (a field label and the cell's text
at most), so a kind turns it into the row's error.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from staff.platform.formtools import sane_year

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def date(text: str, label: str) -> dt.date:
    """2026-12-04, 20261204 or an xlsx date (the reader makes it ISO); a time after the date is ignored."""
    value = text.strip().split(" ")[0].split("T")[0]
    match = _ISO.match(value) or _COMPACT.match(value)
    try:
        if not match:
            raise ValueError
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(
            _("%(field)s: “%(value)s” is not a date (write it as YYYY-MM-DD).") % {"field": label, "value": text[:40]}
        ) from None
    if not sane_year(day.year):
        raise ValueError(
            _("%(field)s: “%(value)s” is not a date between 1900 and 2100.") % {"field": label, "value": text[:40]}
        )
    return day


def _number(text: str) -> tuple[Decimal, bool]:
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    percent = value.endswith("%")
    value = value.rstrip("%").replace(",", ".")
    return Decimal(value), percent


def share(text: str, label: str) -> Decimal:
    """An FTE: 0,75, 0.75, 75 % or 75 (a number above 1 is a percentage) -> Decimal("0.75"), in 0.01..1.00."""
    try:
        number, percent = _number(text)
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValueError(_("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": text[:40]}) from None
    if percent or number > 1:
        number = number / 100
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if not Decimal("0.01") <= number <= Decimal("1.00"):
        raise ValueError(
            _("%(field)s: “%(value)s” is outside 1–100 %% (0,01–1,00).") % {"field": label, "value": text[:40]}
        )
    return number


def percent(text: str, label: str) -> int:
    """An extent: 50, 50 %, 50,0 -> 50; a number with decimals of at most 1 without % is a share (0,5 -> 50);
    a whole number is a percentage. In 1..100."""
    try:
        number, has_percent = _number(text)
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValueError(_("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": text[:40]}) from None
    written_as_share = not has_percent and number <= 1 and any(sep in text for sep in ",.")
    if written_as_share:
        number = number * 100
    whole = int(number.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if not 1 <= whole <= 100:
        raise ValueError(_("%(field)s: “%(value)s” is outside 1–100 %%.") % {"field": label, "value": text[:40]})
    return whole
