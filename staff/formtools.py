"""Small helpers shared by the apps' views: map service errors onto forms, paginate and sort lists,
escape CSV cells."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

# The years a date in this product can mean: anything outside is a typing error, and far-off dates overflow
# date arithmetic (9999-12-31 + one day), which would be a 500 instead of a message at the field.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def sane_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def parse_month(value: str | None) -> datetime.date | None:
    """'2026-03' -> date(2026, 3, 1); anything else, a year outside FIRST_YEAR..LAST_YEAR too, -> None."""
    if not value or len(value) != 7 or value[4] != "-":
        return None
    try:
        month = datetime.date(int(value[:4]), int(value[5:]), 1)
    except ValueError:
        return None
    return month if sane_year(month.year) else None


def validate_sane_date(value: datetime.date | datetime.datetime) -> None:
    """A form field validator (dates and datetimes): the year must lie in FIRST_YEAR..LAST_YEAR."""
    if value is not None and not sane_year(value.year):
        raise ValidationError(
            _("Enter a date between the years %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: at the field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def paginate(request, queryset, per_page: int = 25):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def sort_param(request, allowed: dict[str, str], default: str) -> tuple[str, str]:
    """Return (key, order_by) for ?sort=key or ?sort=-key, limited to `allowed` (key -> field)."""
    raw = request.GET.get("sort", default)
    key = raw.lstrip("-")
    if key not in allowed:
        raw, key = default, default.lstrip("-")
    field = allowed[key]
    return raw, (f"-{field}" if raw.startswith("-") else field)


_NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def csv_cell(value, *, decimal: str = ",") -> str:
    """One cell of a CSV export. Spreadsheet formulas cannot start a cell: prefix = + - @ tab and CR with a
    quote, except a leading - of a number (-0,22 stays a number). None is empty. Decimal numbers get a
    decimal comma by default: the web exports are for a Swedish spreadsheet (semicolon-separated), which
    reads 3.45 as text or a date; the API's CSV passes ".".
    """
    if isinstance(value, Decimal | float):
        text = str(value).replace(".", decimal)
    else:
        text = "" if value is None else str(value)
    if text[:1] == "-" and _NEGATIVE_NUMBER.fullmatch(text):
        return text
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
