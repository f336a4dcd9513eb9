"""Durations and weekly times as the roster writes them: "30m", "2h", "1d"; "fri 17:00"; "09:30"."""

from __future__ import annotations

import re
from datetime import time, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError("must be a positive number followed by m, h or d, like 30m, 2h or 1d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def parse_time(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError("must be a time of day like 09:30")
    return time(int(match.group(1)), int(match.group(2)))


def parse_weekday(text: str) -> int:
    day = text.strip().lower()[:3]
    if day not in WEEKDAYS:
        raise ValueError(f"must be a day of the week: {', '.join(WEEKDAYS)}")
    return WEEKDAYS.index(day)


def parse_weekly(text: str) -> tuple[int, time]:
    """'fri 17:00' -> (4, 17:00)."""
    parts = text.split()
    if len(parts) != 2:
        raise ValueError("must be a day and a time, like fri 17:00")
    return parse_weekday(parts[0]), parse_time(parts[1])
