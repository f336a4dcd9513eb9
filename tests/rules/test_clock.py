"""Durations and times as a roster writes them."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.rules.clock import parse_duration, parse_time, parse_weekday, parse_weekly


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("10d", timedelta(days=10)),
        ("90m", timedelta(minutes=90)),
        (" 24h ", timedelta(hours=24)),
        ("8 h", timedelta(hours=8)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["2x", "0m", "0d", "", "h", "30", "1.5h", "-1h", "2w", "1h30m", "2H", "two h"]
)
def test_parse_duration_refuses(text):
    with pytest.raises(ValueError, match="like 30m, 2h or 1d"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:30", time(9, 30)),
        ("9:30", time(9, 30)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("17:00", time(17, 0)),
        (" 10:00 ", time(10, 0)),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text", ["24:00", "12:60", "0930", "9", "9:5", "ab:cd", "", "9.30", "-1:00", "9:30pm"]
)
def test_parse_time_refuses(text):
    with pytest.raises(ValueError, match="time of day like 09:30"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fri 17:00", (4, time(17, 0))),
        ("mon 10:00", (0, time(10, 0))),
        ("Sun 08:15", (6, time(8, 15))),
        ("FRIDAY 17:00", (4, time(17, 0))),
        ("wed  9:05", (2, time(9, 5))),
    ],
)
def test_parse_weekly(text, expected):
    assert parse_weekly(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fri", "a day and a time"),
        ("17:00", "a day and a time"),
        ("fri 17:00 utc", "a day and a time"),
        ("", "a day and a time"),
        ("xyz 17:00", "day of the week"),
        ("fri 25:00", "time of day"),
        ("fri 5pm", "time of day"),
    ],
)
def test_parse_weekly_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        parse_weekly(text)


def test_weekdays_run_monday_to_sunday():
    assert [parse_weekday(d) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")] == list(range(7))
