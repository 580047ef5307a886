"""Availability windows as RRULE text: a weekly window (a weekday, a start and an end time) or a
date-specific one (a date, start, end) becomes ``DTSTART:<local time>\\nDURATION:PT<m>M\\nRRULE:...``
in the subject's timezone; windows of one request must not overlap."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crmgraph.errors import ValidationFailed, issue

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ANCHOR = date(2024, 1, 1)  # a Monday: weekly rules start on the anchor week
CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
RRULE = re.compile(r"^(DTSTART[:;][^\n]+\n)?(DURATION:[^\n]+\n)?RRULE:[A-Z0-9=;,:+-]+$")


def fail(path: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([issue(path, message, code)], message)


def timezone_name(value: str, path: str = "timezone") -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(path, "Unknown timezone") from None
    return value


def clock(value: str, path: str) -> time:
    match = CLOCK.match(value or "")
    if match is None and value != "24:00":
        raise fail(path, "Time must be HH:MM")
    return time(23, 59) if value == "24:00" else time(int(match[1]), int(match[2]))


def minutes(start: time, end: time, path: str) -> int:
    span = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if span <= 0:
        raise fail(path, "A window must end after it starts", "invalid_range")
    return span


def weekly_rule(weekday: int, start: time, end: time, path: str) -> str:
    day = ANCHOR + timedelta(days=weekday)
    first = datetime.combine(day, start)
    return (
        f"DTSTART:{first:%Y%m%dT%H%M%S}\nDURATION:PT{minutes(start, end, path)}M\n"
        f"RRULE:FREQ=WEEKLY;BYDAY={WEEKDAYS[weekday]}"
    )


def dated_rule(day: date, start: time, end: time, path: str) -> str:
    first = datetime.combine(day, start)
    return f"DTSTART:{first:%Y%m%dT%H%M%S}\nDURATION:PT{minutes(start, end, path)}M\nRRULE:FREQ=DAILY;COUNT=1"


def is_weekly(rrule: str) -> bool:
    return "FREQ=WEEKLY" in rrule


def rule_date(rrule: str) -> date | None:
    """The date of a date-specific rule (``COUNT=1``), else None."""
    if "COUNT=1" not in rrule or not rrule.startswith("DTSTART:"):
        return None
    try:
        return datetime.strptime(rrule[8:16], "%Y%m%d").date()
    except ValueError:
        return None


def check_rrule(value: str) -> str:
    if not RRULE.match(value.strip()):
        raise fail("rrule", "rrule must be RFC 5545 text: [DTSTART:...\\n][DURATION:...\\n]RRULE:...")
    return value.strip()


def no_overlap(windows: list[tuple[object, time, time]], path: str = "windows") -> None:
    """Windows on one day (weekday or date) must not overlap."""
    ordered = sorted(windows, key=lambda w: (str(w[0]), w[1]))
    for (day_a, _, end_a), (day_b, start_b, _) in itertools.pairwise(ordered):
        if day_a == day_b and start_b < end_a:
            raise fail(path, f"Windows overlap on {day_a}", "overlap")
