"""Working time: the due time a person would read on a card, in the team's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.rules.calendar import Calendar, WorkingDays, WorkingHours, clock
from bot.rules.clock import parse_duration

# Week of 2026-11-16: Mon 16, Tue 17, Wed 18, Thu 19, Fri 20, Sat 21, Sun 22, Mon 23, Tue 24 ...
OFFICE = WorkingHours(days=frozenset(range(5)), start=time(9), end=time(18))


def local(text: str, zone: str = "UTC") -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def shown(moment: datetime, zone: str = "UTC") -> str:
    """As the card shows it: weekday and wall-clock time in the team's zone."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M")


def days(*texts: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(text) for text in texts)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
@pytest.mark.parametrize(
    ("start", "duration", "holidays", "due"),
    [
        pytest.param("2026-11-20 17:50", "2h", (), "Mon 2026-11-23 10:50", id="the-issue-friday-17:50"),
        pytest.param(
            "2026-11-20 17:50", "2h", ("2026-11-23",), "Tue 2026-11-24 10:50", id="monday-a-holiday"
        ),
        pytest.param("2026-11-21 10:00", "2h", (), "Mon 2026-11-23 11:00", id="logged-on-saturday"),
        pytest.param("2026-11-22 23:59", "30m", (), "Mon 2026-11-23 09:30", id="logged-sunday-night"),
        pytest.param("2026-11-18 20:00", "2h", (), "Thu 2026-11-19 11:00", id="logged-after-hours"),
        pytest.param("2026-11-18 07:30", "30m", (), "Wed 2026-11-18 09:30", id="logged-before-opening"),
        pytest.param("2026-11-18 18:00", "30m", (), "Thu 2026-11-19 09:30", id="logged-at-closing"),
        pytest.param("2026-11-18 10:00", "2h", (), "Wed 2026-11-18 12:00", id="within-the-day"),
        pytest.param("2026-11-18 16:00", "2h", (), "Wed 2026-11-18 18:00", id="ends-at-closing-not-next-day"),
        pytest.param("2026-11-18 10:00", "9h", (), "Thu 2026-11-19 10:00", id="9h-is-one-working-day"),
        pytest.param("2026-11-16 09:00", "36h", (), "Thu 2026-11-19 18:00", id="36h-is-36-working-hours"),
        pytest.param(
            "2026-11-23 11:00", "2h", ("2026-11-23",), "Tue 2026-11-24 11:00", id="logged-on-a-holiday"
        ),
    ],
)
def test_business_hours(zone, start, duration, holidays, due):
    calendar = Calendar(zone, OFFICE, days(*holidays))

    result = calendar.add(local(start, zone), parse_duration(duration))

    assert shown(result, zone) == due
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "duration", "holidays", "due"),
    [
        pytest.param("2026-11-18 10:00", "1d", (), "Thu 2026-11-19 10:00", id="next-day-same-time"),
        pytest.param("2026-11-20 17:50", "1d", (), "Mon 2026-11-23 17:50", id="over-the-weekend"),
        pytest.param("2026-11-18 10:00", "3d", (), "Mon 2026-11-23 10:00", id="3d-from-wednesday"),
        pytest.param("2026-11-20 20:00", "3d", (), "Thu 2026-11-26 09:00", id="after-hours-moves-to-monday"),
        pytest.param("2026-11-21 15:00", "1d", (), "Tue 2026-11-24 09:00", id="logged-on-saturday"),
        pytest.param(
            "2026-11-19 10:00",
            "3d",
            ("2026-11-20", "2026-11-23"),
            "Thu 2026-11-26 10:00",
            id="friday-and-monday-holidays",
        ),
        pytest.param("2026-11-18 10:00", "10d", (), "Wed 2026-12-02 10:00", id="10d-is-two-weeks"),
        pytest.param("2026-11-18 10:00", "24h", (), "Thu 2026-11-19 10:00", id="24h-is-the-same-as-1d"),
    ],
)
def test_whole_days_count_working_days(start, duration, holidays, due):
    calendar = Calendar("Asia/Shanghai", OFFICE, days(*holidays))

    result = calendar.add(local(start, "Asia/Shanghai"), parse_duration(duration))

    assert shown(result, "Asia/Shanghai") == due


def test_a_sunday_to_thursday_week():
    calendar = Calendar("Asia/Dubai", WorkingHours(frozenset({6, 0, 1, 2, 3}), time(8), time(17)))

    result = calendar.add(local("2026-11-19 16:50", "Asia/Dubai"), timedelta(hours=2))

    assert shown(result, "Asia/Dubai") == "Sun 2026-11-22 09:50"


@pytest.mark.parametrize(
    ("start", "duration", "holidays", "due"),
    [
        pytest.param("2026-11-20 17:50", "2h", (), "Fri 2026-11-20 19:50", id="nights-count"),
        pytest.param("2026-11-20 17:50", "1d", (), "Sat 2026-11-21 17:50", id="weekends-count"),
        pytest.param(
            "2026-11-18 22:00", "4h", ("2026-11-19",), "Fri 2026-11-20 02:00", id="a-holiday-is-skipped"
        ),
        pytest.param(
            "2026-11-19 10:00", "2h", ("2026-11-19",), "Fri 2026-11-20 02:00", id="logged-on-a-holiday"
        ),
        pytest.param(
            "2026-11-18 10:00", "3d", ("2026-11-19",), "Sun 2026-11-22 10:00", id="3d-around-a-holiday"
        ),
    ],
)
def test_calendar_time(start, duration, holidays, due):
    calendar = Calendar("Asia/Shanghai", holidays=days(*holidays))

    result = calendar.add(local(start, "Asia/Shanghai"), parse_duration(duration))

    assert shown(result, "Asia/Shanghai") == due


NEW_YORK = "America/New_York"  # DST starts Sun 2026-03-08 02:00, ends Sun 2026-11-01 02:00


@pytest.mark.parametrize(
    ("hours", "holidays", "start", "duration", "due", "due_utc"),
    [
        pytest.param(
            None, (), "2026-03-07 12:00", "1d", "Sun 2026-03-08 13:00", "2026-03-08 17:00", id="spring-24h"
        ),
        pytest.param(
            None, (), "2026-10-31 12:00", "1d", "Sun 2026-11-01 11:00", "2026-11-01 16:00", id="fall-24h"
        ),
        pytest.param(
            None,
            ("2026-03-08",),
            "2026-03-07 12:00",
            "1d",
            "Mon 2026-03-09 12:00",
            "2026-03-09 16:00",
            id="spring-a-23h-holiday-is-skipped-whole",
        ),
        pytest.param(
            OFFICE, (), "2026-03-06 17:50", "2h", "Mon 2026-03-09 10:50", "2026-03-09 14:50", id="spring-2h"
        ),
        pytest.param(
            OFFICE, (), "2026-10-30 17:50", "2h", "Mon 2026-11-02 10:50", "2026-11-02 15:50", id="fall-2h"
        ),
        pytest.param(
            OFFICE, (), "2026-03-06 10:00", "1d", "Mon 2026-03-09 10:00", "2026-03-09 14:00", id="spring-1d"
        ),
        pytest.param(
            OFFICE, (), "2026-10-30 10:00", "1d", "Mon 2026-11-02 10:00", "2026-11-02 15:00", id="fall-1d"
        ),
    ],
)
def test_daylight_saving_changes(hours, holidays, start, duration, due, due_utc):
    calendar = Calendar(NEW_YORK, hours, days(*holidays))

    result = calendar.add(local(start, NEW_YORK), parse_duration(duration))

    assert shown(result, NEW_YORK) == due
    assert result == local(due_utc)


def test_business_hours_over_a_dst_night_keep_the_working_day_9_hours():
    calendar = Calendar(NEW_YORK, WorkingHours(frozenset(range(7)), time(9), time(18)))
    saturday = local("2026-03-07 10:00", NEW_YORK)

    assert shown(calendar.add(saturday, timedelta(hours=9)), NEW_YORK) == "Sun 2026-03-08 10:00"
    assert calendar.working_time(saturday, calendar.add(saturday, timedelta(hours=9))) == timedelta(hours=9)


def test_a_start_in_another_zone_is_the_same_instant():
    calendar = Calendar("Asia/Shanghai", OFFICE)

    in_utc = local("2026-11-20 09:50")  # Fri 17:50 in Shanghai
    assert shown(calendar.add(in_utc, timedelta(hours=2)), "Asia/Shanghai") == "Mon 2026-11-23 10:50"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-11-20 17:50", "2026-11-23 10:50", timedelta(hours=2)),
        ("2026-11-21 00:00", "2026-11-23 00:00", timedelta(0)),
        ("2026-11-18 10:00", "2026-11-18 09:00", timedelta(0)),
        ("2026-11-16 08:00", "2026-11-20 20:00", timedelta(hours=45)),
    ],
)
def test_working_time_between(start, end, expected):
    assert Calendar("UTC", OFFICE).working_time(local(start), local(end)) == expected


@pytest.mark.parametrize(
    ("calendar", "day", "working"),
    [
        (Calendar("UTC", OFFICE), "2026-11-20", True),
        (Calendar("UTC", OFFICE), "2026-11-21", False),
        (Calendar("UTC", OFFICE, days("2026-11-20")), "2026-11-20", False),
        (Calendar("UTC"), "2026-11-21", True),
        (Calendar("UTC", holidays=days("2026-11-21")), "2026-11-21", False),
    ],
)
def test_is_working_day(calendar, day, working):
    assert calendar.is_working_day(date.fromisoformat(day)) is working


def test_zero_duration_moves_into_working_time():
    calendar = Calendar("UTC", OFFICE)
    assert shown(calendar.add(local("2026-11-21 10:00"), timedelta(0))) == "Mon 2026-11-23 09:00"
    assert shown(Calendar("UTC").add(local("2026-11-21 10:00"), timedelta(0))) == "Sat 2026-11-21 10:00"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Calendar("UTC").add(datetime(2026, 11, 20, 17, 50), timedelta(hours=2)), "aware"),
        (lambda: Calendar("UTC").add(local("2026-11-20 17:50"), timedelta(hours=-2)), "negative"),
        (lambda: Calendar("Mars/Olympus"), "unknown time zone"),
        (lambda: WorkingHours(frozenset(), time(9), time(18)), "at least one working day"),
        (lambda: WorkingHours(frozenset({0}), time(18), time(9)), "start before"),
        (lambda: WorkingHours(frozenset({7}), time(9), time(18)), "0 \\(Monday\\) to 6"),
    ],
)
def test_refuses(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# The team's one calendar (domain.md section 1). 2026-10-01 (Thu) a holiday, 2026-10-10 (Sat) a make-up day.
TEAM_DAYS = WorkingDays(holidays=days("2026-10-01"), workdays=days("2026-10-10"))


@pytest.mark.parametrize(
    ("calendar", "day", "working"),
    [
        (WorkingDays(), "2026-10-02", True),
        (WorkingDays(), "2026-10-03", False),
        (TEAM_DAYS, "2026-10-01", False),
        (TEAM_DAYS, "2026-10-10", True),
        (TEAM_DAYS, "2026-10-11", False),
        (WorkingDays(frozenset({6, 0, 1, 2, 3})), "2026-10-04", True),
        (WorkingDays(frozenset({6, 0, 1, 2, 3})), "2026-10-02", False),
        (Calendar("UTC", OFFICE, workdays=days("2026-11-21")), "2026-11-21", True),
    ],
)
def test_the_team_calendar_says_which_days_are_worked(calendar, day, working):
    assert calendar.is_working_day(date.fromisoformat(day)) is working


@pytest.mark.parametrize(
    ("day", "moved"),
    [("2026-09-30", "2026-09-30"), ("2026-10-01", "2026-10-02"), ("2026-10-03", "2026-10-05")],
)
def test_a_day_off_moves_to_the_next_working_day(day, moved):
    assert WorkingDays(holidays=days("2026-10-01")).on_or_after(
        date.fromisoformat(day)
    ) == date.fromisoformat(moved)


def test_days_off_of_a_year_are_the_weekends_and_holidays_less_the_make_up_days():
    off = TEAM_DAYS.days_off(2026)
    assert date(2026, 10, 1) in off and date(2026, 10, 10) not in off and date(2026, 10, 11) in off
    assert len(off) == 104 + 1 - 1, "2026 has 104 weekend days"


@pytest.mark.parametrize(
    ("hours", "start", "duration", "due"),
    [
        # Business hours: Wed 30 Sep 17:00 + 3 h skips the holiday (Thu 1) and lands on Fri 2 11:00.
        ((time(9), time(18)), "2026-09-30 17:00", timedelta(hours=3), "Fri 2026-10-02 11:00"),
        # Fri 9 Oct 17:00 + 2 h: the make-up Saturday is worked, so Sat 10 10:00, not Mon 12.
        ((time(9), time(18)), "2026-10-09 17:00", timedelta(hours=2), "Sat 2026-10-10 10:00"),
        # Around the clock the holiday still does not count (make-up days change nothing there).
        (None, "2026-09-30 23:00", timedelta(hours=2), "Fri 2026-10-02 01:00"),
    ],
)
def test_clock_reads_the_team_calendar(hours, start, duration, due):
    assert shown(clock(TEAM_DAYS, "UTC", hours).add(local(start), duration)) == due


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: WorkingDays(frozenset()), "at least one working day"),
        (lambda: WorkingDays(frozenset({7})), "0 \\(Monday\\) to 6"),
        (lambda: WorkingDays(holidays=days("2026-10-10"), workdays=days("2026-10-10")), "both"),
    ],
)
def test_a_calendar_refuses(make, message):
    with pytest.raises(ValueError, match=message):
        make()
