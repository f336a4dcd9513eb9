"""Working time: deadlines that skip nights, weekends and holidays in the team's own time zone.

Shared by every feature that counts "within N hours / days" (complaints' SLA, stand-ups,
appraisals), so that all of them agree on what a working day is. A team has one set of
`WorkingDays` (its roster's `calendar` block: working weekdays, holidays, make-up working days 调休);
a `Calendar` adds the business hours a feature counts in.

How a duration is counted:

- No business hours and no holidays: calendar time, plain arithmetic on UTC instants, so a day is
  24 real hours even across a DST change.
- A whole number of days ("3d") with business hours: that many *working days* - the same wall-clock
  time on the Nth working day after the start (moved forward into working time first). People read
  "resolve within 3 days" as days; 3 x 24 working hours would be about 8 working days.
- Anything else (with business hours: "2h", "30m", "36h"; without business hours but with
  holidays: any duration) is *working time*: real elapsed time inside the working periods, whose
  boundaries are the team's wall-clock times converted with zoneinfo. Without business hours every
  non-holiday day is one period 00:00-24:00, so with no holiday in the way this gives exactly the
  calendar-time answer, and adding a holiday elsewhere in the year moves no other deadline.

Periods are half-open [start, end): a start at 18:00 with hours 09:00-18:00 is after hours, while a
duration that uses up the day exactly ends at 18:00, not at 09:00 the next working day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkingHours:
    days: frozenset[int]  # 0 = Monday ... 6 = Sunday
    start: time
    end: time

    def __post_init__(self) -> None:
        # An empty week would make every deadline unreachable: refuse it here rather than loop.
        if not self.days:
            raise ValueError("business hours need at least one working day")
        if not set(self.days) <= set(range(7)):
            raise ValueError("working days are 0 (Monday) to 6 (Sunday)")
        if self.start >= self.end:
            raise ValueError("business hours must start before they end")


MON_FRI = frozenset(range(5))


@dataclass(frozen=True)
class WorkingDays:
    """The team's days (domain.md section 1): a holiday is off even on a working weekday, a make-up
    working day (调休) is worked even on a weekend."""

    weekdays: frozenset[int] = MON_FRI  # 0 = Monday ... 6 = Sunday
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not self.weekdays and not self.workdays:
            raise ValueError("a calendar needs at least one working day")
        if not set(self.weekdays) <= set(range(7)):
            raise ValueError("working days are 0 (Monday) to 6 (Sunday)")
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"{min(both).isoformat()} is both a holiday and a working day")

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.workdays or day.weekday() in self.weekdays

    def on_or_after(self, day: date) -> date:
        """`day` if it is a working day, else the next one (a date that is not a working day moves on)."""
        while not self.is_working_day(day):
            day += DAY
        return day

    def days_off(self, year: int) -> list[date]:
        """Every day of `year` that is not a working day, in order."""
        day, days = date(year, 1, 1), []
        while day.year == year:
            if not self.is_working_day(day):
                days.append(day)
            day += DAY
        return days


@dataclass(frozen=True)
class Calendar:
    timezone: str  # IANA zone; business hours are in this zone
    hours: WorkingHours | None = None  # None: calendar time, around the clock
    holidays: frozenset[date] = frozenset()  # whole days that do not count (in the team's zone)
    workdays: frozenset[date] = frozenset()  # make-up working days (调休), worked whatever the weekday

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # zoneinfo caches instances by key

    @property
    def around_the_clock(self) -> bool:
        """True when working time is plain calendar time."""
        return self.hours is None and not self.holidays

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return self.hours is None or day in self.workdays or day.weekday() in self.hours.days

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """`start` plus `duration` of working time, as an aware UTC datetime (see the module doc)."""
        start = _utc(start)
        if duration < timedelta(0):
            raise ValueError("a duration to add cannot be negative")
        if self.around_the_clock:
            return start + duration
        if self.hours is not None and duration % DAY == timedelta(0):
            return self.add_working_days(start, duration // DAY)
        return self.add_working_time(start, duration)

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """Counts `duration` as elapsed working time, even a whole number of days.

        The SLA ladder measures fractions of a window with it ("75% of 3 working days").
        """
        start = _utc(start)
        if duration < timedelta(0):
            raise ValueError("a duration to add cannot be negative")
        if self.around_the_clock:
            return start + duration
        remaining = duration
        for begin, end in self._periods(start):
            begin = max(begin, start)
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("unreachable: working periods never run out")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same wall-clock time `days` working days after `start` moved into working time."""
        start = self.next_working_instant(start)
        if days == 0:
            return start
        local = start.astimezone(self.zone)
        day = local.date()
        for _ in range(days):
            day = self.next_working_day(day)
        wall = datetime.combine(day, local.time(), self.zone)
        return wall.astimezone(UTC)

    def next_working_instant(self, moment: datetime) -> datetime:
        """`moment` itself if it is in working time, else the start of the next working period."""
        moment = _utc(moment)
        if self.around_the_clock:
            return moment
        begin, _ = next(self._periods(moment))
        return max(begin, moment)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += DAY
        while not self.is_working_day(day):
            day += DAY
        return day

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """How much working time lies between two instants (zero if `end` is not after `start`)."""
        start, end = _utc(start), _utc(end)
        if end <= start:
            return timedelta(0)
        if self.around_the_clock:
            return end - start
        total = timedelta(0)
        for begin, finish in self._periods(start):
            if begin >= end:
                break
            total += min(finish, end) - max(begin, start)
        return total

    def _periods(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods as UTC instants, in order, from the one containing or following `since`."""
        day = since.astimezone(self.zone).date() - DAY  # one day back: a period may straddle UTC days
        while True:
            period = self._period(day)
            if period is not None and period[1] > since:
                yield period
            day += DAY

    def _period(self, day: date) -> tuple[datetime, datetime] | None:
        if not self.is_working_day(day):
            return None
        zone = self.zone
        if self.hours is None:
            begin = datetime.combine(day, time(0), zone)
            end = datetime.combine(day + DAY, time(0), zone)
        else:
            begin = datetime.combine(day, self.hours.start, zone)
            end = datetime.combine(day, self.hours.end, zone)
        return begin.astimezone(UTC), end.astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    # A naive datetime has no instant: guessing its zone is how deadlines end up hours off.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC)


def clock(days: WorkingDays, timezone: str, hours: tuple[time, time] | None) -> Calendar:
    """The calendar a feature counts time in: the team's days, inside business hours if it has any.

    Without business hours the clock runs around the clock on every day but the holidays: a
    complaint logged on a Saturday is still answered within "2h".
    """
    if hours is None:
        return Calendar(timezone, holidays=days.holidays)
    return Calendar(timezone, WorkingHours(days.weekdays, hours[0], hours[1]), days.holidays, days.workdays)


__all__ = ["MON_FRI", "Calendar", "WorkingDays", "WorkingHours", "clock"]
