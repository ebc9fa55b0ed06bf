"""The allocation cycle as an iCalendar feed (RFC 5545) that people subscribe to from their calendar.

Per cycle: the review week (an all-day event Monday-Friday), the allocation meeting "Fördelningsmöte"
(Monday 08:30 Europe/Stockholm) and the Friday wrap-up. Times carry TZID=Europe/Stockholm with a
VTIMEZONE that states the EU daylight-saving rules, so a calendar shows 08:30 all year round. UIDs are
built from the feed's scope and the date, so a refreshed feed updates events instead of duplicating them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .cycle import STOCKHOLM, Cycle

# The unit's own names for its events (seed 000); the feed is for a Swedish unit.
MEETING_TITLE = "Fördelningsmöte"
REVIEW_TITLE = "Ärendegenomgång inför fördelning"
WRAP_UP_TITLE = "Avslut av fördelningsveckan"

STOCKHOLM_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{STOCKHOLM}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


@dataclass(frozen=True)
class EventTitles:
    meeting: str = MEETING_TITLE
    review: str = REVIEW_TITLE
    wrap_up: str = WRAP_UP_TITLE


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a UTF-8 character (3.1)."""
    out, current, size, limit = [], "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _local(moment: datetime.datetime) -> str:
    return moment.astimezone(ZoneInfo(STOCKHOLM)).strftime("%Y%m%dT%H%M%S")


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def render_cycles(
    cycles: Iterable[Cycle],
    *,
    scope: str,
    calendar_name: str,
    stamp: datetime.datetime,
    domain: str = "stabil",
    titles: EventTitles | None = None,
    description: str = "",
) -> str:
    """The VCALENDAR text (CRLF line ends). ``scope`` (e.g. "org-3-unit-7") keeps UIDs unique per feed;
    ``stamp`` (aware) is the DTSTAMP, e.g. when the cycle settings last changed, so output is stable."""
    titles = titles or EventTitles()
    if stamp.tzinfo is None:
        raise ValueError("stamp must be timezone-aware")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Stabil//Allocation cycle//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(calendar_name)}",
        f"X-WR-TIMEZONE:{STOCKHOLM}",
        *STOCKHOLM_VTIMEZONE,
    ]
    dtstamp = _utc(stamp)
    for cycle in cycles:
        if cycle.rules.timezone != STOCKHOLM:
            raise ValueError("the feed states the Europe/Stockholm rules only")
        day = cycle.allocation_monday.strftime("%Y%m%d")
        review = cycle.review_week
        events = [
            (
                "review",
                titles.review,
                [
                    f"DTSTART;VALUE=DATE:{review.monday:%Y%m%d}",
                    f"DTEND;VALUE=DATE:{review.friday + datetime.timedelta(days=1):%Y%m%d}",
                    "TRANSP:TRANSPARENT",
                ],
            ),
            (
                "meeting",
                titles.meeting,
                [
                    f"DTSTART;TZID={STOCKHOLM}:{_local(cycle.meeting_start)}",
                    f"DTEND;TZID={STOCKHOLM}:{_local(cycle.meeting_end)}",
                ],
            ),
            (
                "wrap-up",
                titles.wrap_up,
                [
                    f"DTSTART;TZID={STOCKHOLM}:{_local(cycle.wrap_up_start)}",
                    f"DTEND;TZID={STOCKHOLM}:{_local(cycle.wrap_up_end)}",
                ],
            ),
        ]
        for kind, title, times in events:
            lines += [
                "BEGIN:VEVENT",
                f"UID:{scope}-{day}-{kind}@{domain}",
                f"DTSTAMP:{dtstamp}",
                *times,
                f"SUMMARY:{escape_text(title)}",
            ]
            if description:
                lines.append(f"DESCRIPTION:{escape_text(description)}")
            lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
