"""The over-capacity warning, worded alike on the board and on "allocate now"."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def over_capacity_warning(*, number: str, acute: bool, name: str, load: Decimal, capacity: Decimal) -> str:
    """The warning naming the weighted load someone gets with the case, against their capacity."""
    values = {"number": number, "name": name, "load": number_format(load, 1), "capacity": number_format(capacity, 1)}
    if acute:
        return (
            _(
                "The acute case %(number)s is allocated over capacity: with the proposal %(name)s gets a weighted"
                " load of %(load)s, capacity %(capacity)s."
            )
            % values
        )
    return _("Note: with the proposal %(name)s gets a weighted load of %(load)s, capacity %(capacity)s.") % values
