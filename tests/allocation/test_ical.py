"""The iCalendar feed parses (icalendar) and says what a subscriber's calendar must show."""

from __future__ import annotations

import datetime

import icalendar

from caseload.allocation.cycle import CycleRules
from caseload.allocation.ical import escape_text, render_cycles

UTC = datetime.UTC
STAMP = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


ANCHOR = datetime.date(2026, 2, 23)


def feed(anchor=ANCHOR, count=3, **kw):
    r = CycleRules(anchor=anchor)
    return render_cycles(
        [r.cycle(n) for n in range(count)], scope="org-1-unit-2", calendar_name="Utredning", stamp=STAMP, **kw
    )


def test_feed_parses_with_meetings_at_0830_stockholm_across_dst():
    calendar = icalendar.Calendar.from_ical(feed())

    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Stockholm"
    meetings = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Fördelningsmöte"]
    starts = [e.decoded("DTSTART").astimezone(UTC) for e in meetings]
    # 23 Feb (winter), 30 Mar (summer from 29 Mar), 4 May (summer)
    assert starts == [
        datetime.datetime(2026, 2, 23, 7, 30, tzinfo=UTC),
        datetime.datetime(2026, 3, 30, 6, 30, tzinfo=UTC),
        datetime.datetime(2026, 5, 4, 6, 30, tzinfo=UTC),
    ]
    assert all(e.decoded("DTEND") - e.decoded("DTSTART") == datetime.timedelta(minutes=90) for e in meetings)


def test_review_week_and_wrap_up_events():
    events = icalendar.Calendar.from_ical(feed(count=1)).walk("VEVENT")

    review, meeting, wrap_up = events
    assert review.decoded("DTSTART") == datetime.date(2026, 2, 16)
    assert review.decoded("DTEND") == datetime.date(2026, 2, 21)  # exclusive: Monday to Friday
    assert str(meeting["SUMMARY"]) == "Fördelningsmöte"
    assert wrap_up.decoded("DTSTART").astimezone(UTC) == datetime.datetime(2026, 2, 27, 13, 0, tzinfo=UTC)
    assert str(wrap_up["SUMMARY"]) == "Avslut av fördelningsveckan"


def test_uids_are_unique_and_stable():
    first, second = feed(), feed()
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(first).walk("VEVENT")]

    assert first == second
    assert len(uids) == len(set(uids)) == 9
    assert "org-1-unit-2-20260223-meeting@stabil" in uids


def test_lines_are_crlf_and_folded_at_75_octets():
    text = feed(description="Ärendefördelning, med mottagningsenheten; " * 5)

    assert text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")
    assert "\n" not in "".join(lines)
    assert max(len(line.encode("utf-8")) for line in lines) <= 75
    parsed = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(parsed["DESCRIPTION"]).startswith("Ärendefördelning, med mottagningsenheten; ")


def test_text_escaping():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
