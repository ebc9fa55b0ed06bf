"""Links of a table's rows: reverse() once per table instead of a {% url %} per row.

    case_link = link_format("caseload:case_detail")
    rows = [(row, case_link(row.case.pk)) for row in page]

The URL is reversed once with a placeholder id and each row's link is made by putting its id in the
placeholder's place: the same text as reverse(viewname, args=[id]) for an integer id (the path converter
of such a URL is <int:...>), with the request's script prefix.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

PLACEHOLDER = 9_876_543_210_123


def link_format(viewname: str, *args) -> Callable[[int], str]:
    """A function of an id giving reverse(viewname, args=[*args, id]); for URLs whose last argument is an int."""
    url = reverse(viewname, args=[*args, PLACEHOLDER])
    head, found, tail = url.rpartition(str(PLACEHOLDER))
    if not found or str(PLACEHOLDER) in head:
        raise ValueError(f"{viewname}: its last argument is not shown once in the URL ({url})")

    def link(pk: int) -> str:
        return f"{head}{int(pk)}{tail}"

    return link
