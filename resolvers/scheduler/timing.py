"""When a schedule is due: cron expressions (``croniter``, in the schedule's timezone, DST included)
and intervals (``<number><unit>``, units s/m/h/d, at least a minute: the worker evaluates schedules
once a minute)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from croniter import CroniterBadDateError, CroniterError, croniter

from crmgraph.errors import ValidationFailed, issue

SCHEDULE_TYPES = ("cron", "interval")
INTERVAL = re.compile(r"^\s*(\d{1,7})\s*([smhd])\s*$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL = timedelta(minutes=1)
MAX_INTERVAL = timedelta(days=3660)
CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


@cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def zone(name: str) -> ZoneInfo:
    """The IANA timezone ``name``; 400 for anything else (including paths smuggled as names)."""
    if name not in known_zones():
        raise ValidationFailed([issue("timezone", f"Unknown timezone {name!r}", "invalid_enum_value")])
    return ZoneInfo(name)


def interval(value: str) -> timedelta:
    """``15m``, ``2h``, ``1d``... as a duration between one minute and ten years (else 400)."""
    match = INTERVAL.match(value)
    if match is None:
        raise _invalid("An interval is <number><unit> with unit s, m, h or d (e.g. 15m, 2h, 1d)")
    every = timedelta(seconds=int(match.group(1)) * UNITS[match.group(2)])
    if not MIN_INTERVAL <= every <= MAX_INTERVAL:
        raise _invalid("An interval is at least 1m and at most 3660d")
    return every


def check_cron(expression: str) -> None:
    """Five fields (minute hour day month weekday) or a macro such as ``@daily``; else 400."""
    text = expression.strip()
    fields = text.split()
    five = len(fields) == 5 or (len(fields) == 1 and text.lower() in CRON_MACROS)
    if not five or not croniter.is_valid(text):
        raise _invalid("A cron expression has five fields (minute hour day month weekday), e.g. 0 2 * * *")


def next_run(schedule_type: str, value: str, timezone: str, after: datetime) -> datetime:
    """The first due time strictly after ``after`` (UTC), for a schedule that has never run."""
    if schedule_type == "interval":
        return after + interval(value)
    return _next_cron(value, zone(timezone), after)


def following_run(schedule_type: str, value: str, timezone: str, due: datetime, now: datetime) -> datetime:
    """The due time after the run due at ``due``, and after ``now``: runs missed while no worker
    evaluated the schedule are not caught up one by one (the run due at ``due`` stands for them).
    Intervals keep their phase (``due`` + k × interval)."""
    if schedule_type == "interval":
        every = interval(value)
        steps = max(1, (now - due) // every + 1)
        return due + steps * every
    return _next_cron(value, zone(timezone), max(due, now))


def check_schedule(schedule_type: str | None, value: str | None, timezone: str | None) -> datetime:
    """Validate a schedule (400 with the offending field) and return its first due time from now."""
    if schedule_type not in SCHEDULE_TYPES:
        raise ValidationFailed(
            [issue("scheduleType", "One of cron, interval", "invalid_enum_value")], "Validation failed"
        )
    if not value:
        raise _invalid("A schedule value is required")
    if schedule_type == "cron":
        check_cron(value)
    zone(timezone or "UTC")
    return next_run(schedule_type, value, timezone or "UTC", datetime.now(UTC))


def _next_cron(expression: str, tz: ZoneInfo, after: datetime) -> datetime:
    check_cron(expression)
    try:
        found = croniter(expression.strip(), after.astimezone(tz)).get_next(datetime)
    except (CroniterBadDateError, CroniterError, ValueError, OverflowError):
        raise _invalid("The cron expression never comes due") from None
    return found.astimezone(UTC)


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed([issue("scheduleValue", message, "invalid_string")])
