"""The shape of an organisation's case numbers: a regular expression on the caseload settings.

A case number is typed in when a case is registered and when intake registers a report; both check it
against the organisation's pattern (the whole number must match), so a name such as `Anna Svensson` is
refused where a case number belongs. The default is the demo's shape (`BoU-W-001`, `MOT-2026-0101`, `bou-9`
typed in lower case): a prefix of one to six letters and digits led by a letter, then parts of one to four
upper-case letters or digits, joined by hyphens, ending in one to ten digits. It refuses hyphenated names
(`Anna-Svensson-1`, `KARL-ERIK-SVENSSON-2`: a part in lower case or longer than four) and a surname with a birth
date (`Svensson-19121212`: a prefix longer than six). A short word and a number (`Anna-1`, `Ärende-1`) has the
shape of a case number and passes: the shape cannot tell a short first name from a prefix.

The organisation admin edits the pattern. It is matched by PostgreSQL (`~`, POSIX advanced regular
expressions), not by Python's `re`: PostgreSQL's engine does not backtrack exponentially on patterns such as
`(a+)+b`, and each match runs under a short statement timeout in a savepoint, so a careless pattern cannot
hold a web worker. Other databases (SQLite in development) fall back to the `regex` module, which takes
the same time limit. A pattern is refused
if it is not a valid expression, longer than MAX_LENGTH, or if it accepts a personal identity number or a
name (REFUSED_SAMPLES): a pattern that lets those through does not describe case numbers.
"""

from __future__ import annotations

import regex
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext_lazy as _

from staff.platform.identity_numbers import validate_no_identity_number

DEFAULT_PATTERN = "[A-Za-zÅÄÖåäö][A-Za-zÅÄÖåäö0-9]{0,5}(-[A-ZÅÄÖ0-9]{1,4})*-[0-9]{1,10}"
# The default until issue 15's review: it accepted hyphenated names. Organisations still on it move to the new one.
OLD_DEFAULT_PATTERN = "[A-Za-zÅÄÖåäö]+(-[A-Za-zÅÄÖåäö0-9]+)*-[0-9]+"
MAX_LENGTH = 200
TIMEOUT_MS = 200
# What no case-number pattern may accept: identity numbers in each shape, a coordination number, names (also
# hyphenated, and a surname with a birth date).
REFUSED_SAMPLES = (
    "19121212-1212",
    "121212-1212",
    "1212121212",
    "201212121212",
    "121212+1212",
    "121272-1219",
    "Anna Svensson",
    "Anna-Svensson-1",
    "Karl-Erik-Svensson-2",
    "Svensson-19121212",
)


class PatternError(Exception):
    """The pattern is not a valid expression, or its match took too long."""


class _Done(Exception):
    """Leaves the savepoint (and its statement timeout) after a match."""


def _match(pattern: str, value: str, *, whole: bool = True) -> bool:
    if connection.vendor != "postgresql":
        try:  # the `regex` module takes a time limit, which Python's `re` does not
            found = (regex.fullmatch if whole else regex.search)(pattern, value, timeout=TIMEOUT_MS / 1000)
        except (regex.error, TimeoutError) as exc:
            raise PatternError from exc
        return found is not None
    result = False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(TIMEOUT_MS)])
            cursor.execute("SELECT %s ~ %s", [value, f"^(?:{pattern})$" if whole else pattern])
            result = cursor.fetchone()[0]
            raise _Done  # rolling the savepoint back ends the local timeout too
    except _Done:
        return result
    except DatabaseError as exc:  # invalid expression, or cancelled by the timeout
        raise PatternError from exc


def matches(pattern: str, value: str) -> bool:
    """Does the whole value match the pattern? An unusable pattern matches nothing."""
    try:
        return _match(pattern, value)
    except PatternError:
        return False


def validate_pattern(pattern: str) -> None:
    """Field validator of the setting: a valid expression of sane length that refuses identity numbers and names."""
    if not pattern or len(pattern) > MAX_LENGTH:
        raise ValidationError(
            _("Write a pattern of at most %(max)s characters.") % {"max": MAX_LENGTH}, code="pattern_length"
        )
    try:
        _match(pattern, "", whole=False)  # valid on its own: `a)|(b` would unbalance the anchors put around it
        accepted = [sample for sample in REFUSED_SAMPLES if _match(pattern, sample)]
    except PatternError:
        raise ValidationError(
            _("This is not a valid regular expression (PostgreSQL syntax), or it is too slow to check."),
            code="pattern_invalid",
        ) from None
    if accepted:
        raise ValidationError(
            _(
                "The pattern accepts %(sample)s, which is a personal identity number or a name: "
                "a case-number pattern must refuse it."
            )
            % {"sample": accepted[0]},
            code="pattern_too_wide",
        )


def case_number_check(*, number: str, pattern: str | None, field: str) -> None:
    """Refuse an identity number, or a case number outside the pattern if one is given (the services call it)."""
    try:
        validate_no_identity_number(number)
    except ValidationError as exc:
        raise ValidationError({field: exc}) from None
    if pattern is not None and not matches(pattern, number):
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "This is not a case number of the shape your organisation uses. Write the case number "
                        "only, never a name."
                    ),
                    code="case_number_shape",
                )
            }
        )
