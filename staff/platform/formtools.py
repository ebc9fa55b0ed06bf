"""Small helpers shared by the apps' views: map service errors onto forms, paginate and sort lists,
escape CSV cells."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
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


# Query-string parameters are parsed here, with form fields, and nowhere else: an id is ASCII digits within
# the database's bigint ("²" and "١٢" pass str.isdigit() but not a bigint), a page number is capped (a page
# past the end shows the last one), a year lies in FIRST_YEAR..LAST_YEAR. A bad value is None: the view
# shows what it shows without the parameter; an API turns it into a 400 with the field's message.
ID_MAX = 2**63 - 1
PAGE_MAX = 100_000


class QueryIntField(forms.IntegerField):
    """A whole number written in ASCII digits (no sign, no decimals), within min_value..max_value."""

    def to_python(self, value):
        value = (value or "").strip()
        if value and not (value.isascii() and value.isdigit() and len(value) <= 19):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def query_value(query, name: str, field: forms.Field):
    """The cleaned value of `name` in a QueryDict (request.GET, DRF's query_params), None when absent or
    bad; query_errors() says why."""
    return _query_form(query, name, field).cleaned_data.get(name)


def query_errors(query, name: str, field: forms.Field) -> list[str]:
    return _query_form(query, name, field).errors.get(name, [])


def _query_form(query, name: str, field: forms.Field) -> forms.Form:
    field.required = False
    form = type("QueryForm", (forms.Form,), {name: field})(query)
    form.is_valid()
    return form


def id_field() -> QueryIntField:
    return QueryIntField(min_value=1, max_value=ID_MAX)


def query_id(request, name: str) -> int | None:
    return query_value(request.GET, name, id_field())


def query_page(request, name: str = "page") -> int:
    """A page number from 1 to PAGE_MAX; 1 for anything else (Paginator.get_page then caps at the end)."""
    return query_value(request.GET, name, QueryIntField(min_value=1, max_value=PAGE_MAX)) or 1


def year_field() -> QueryIntField:
    return QueryIntField(min_value=FIRST_YEAR, max_value=LAST_YEAR)


def year_or_none(raw: str | None) -> int | None:
    """A year FIRST_YEAR..LAST_YEAR in ASCII digits, else None."""
    try:
        return year_field().clean(raw)
    except ValidationError:
        return None


def paginate(request, queryset, per_page: int = 25):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(query_page(request))


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


def confirm_page(request, *, title: str, question: str, label: str, cancel_url: str, danger: bool = True):
    """The second step of an action a click does not undo (templates/confirm.html): the button posts again
    with confirm=1, and only then the view acts."""
    context = {
        "title": title,
        "question": question,
        "confirm_label": label,
        "button_class": "danger" if danger else "primary",
        "cancel_url": cancel_url,
    }
    return render(request, "confirm.html", context)
