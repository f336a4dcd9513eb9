"""The complaint SLA ladder (domain.md section 3): deadlines per severity and their escalation steps.

Both windows start when the complaint is logged. For each deadline whose step is not done:
at 75% of its window W the owner hears it is due soon, at W (level 1) the owner is reminded, at
W + W/2 (level 2) the leads are alerted, at W + W (level 3) the managers and deputies.

Fractions of a window are taken of the *working time* the window spans, counted by the team's
calendar: for "2h" that is 2 h; for "3d" in business hours 09:00-18:00 it is 27 working hours, so
"due soon" comes after 20h15m of working time and level 3 three working days after the deadline.
Without business hours it is plain elapsed time (minus the team calendar's holidays).

The deadline itself is `Calendar.add(started_at, window)`, computed once when the complaint is logged
(or reopened) and stored with it. The ladder is built from that stored deadline, not from the window:
a roster re-import with new windows then moves neither the deadline the card shows nor the steps the
sweep fires (whose keys hold the deadline, so a moved deadline would fire its steps again).

A step is identified by (deadline, level, due_at): the sweep records what it fired under that key,
so a step fires once whatever the number of sweeps, restarts or processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
from zoneinfo import ZoneInfo

from bot.rules.calendar import Calendar, WorkingDays, clock
from bot.rules.clock import parse_duration, parse_time
from bot.rules.roster import ComplaintSlaSettings


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Deadline(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"
    RETURN_VISIT = "return_visit"


class Level(IntEnum):
    DUE_SOON = 0
    OWNER = 1
    LEADS = 2
    MANAGERS = 3


@dataclass(frozen=True)
class Step:
    deadline: Deadline
    level: Level
    due_at: datetime  # the deadline itself (identifies which deadline instance this step belongs to)
    at: datetime  # when this step fires

    @property
    def key(self) -> tuple[Deadline, Level, datetime]:
        """What the sweep records once the step has fired (the `fired` set holds these)."""
        return (self.deadline, self.level, self.due_at)


def window(settings: ComplaintSlaSettings | None, severity: Severity, deadline: Deadline) -> timedelta:
    settings = settings if settings is not None else ComplaintSlaSettings()
    step = getattr(settings, Severity(severity).value)
    return parse_duration(getattr(step, Deadline(deadline).value))


def calendar_for(settings: ComplaintSlaSettings | None, days: WorkingDays, timezone: str) -> Calendar:
    """The team's complaint clock: its calendar's days, in business hours if the SLA sets them, else
    around the clock but for the holidays."""
    business = settings.business_hours if settings is not None else None
    hours = None if business is None else (parse_time(business.start), parse_time(business.end))
    return clock(days, timezone, hours)


def ladder(started_at: datetime, deadline: Deadline, due_at: datetime, calendar: Calendar) -> list[Step]:
    """The four steps of the deadline `due_at` of a clock started at `started_at`, in level order
    (see the module doc for how W is measured)."""
    if due_at <= started_at:
        raise ValueError("a deadline must come after its clock starts")
    deadline = Deadline(deadline)
    worked = calendar.working_time(started_at, due_at)
    times = {
        Level.DUE_SOON: calendar.add_working_time(started_at, worked * 3 / 4),
        Level.OWNER: due_at,
        Level.LEADS: calendar.add_working_time(due_at, worked / 2),
        Level.MANAGERS: calendar.add_working_time(due_at, worked),
    }
    return [Step(deadline, level, due_at, at) for level, at in times.items()]


def return_visit_due(
    settings: ComplaintSlaSettings | None, days: WorkingDays, timezone: str, start: datetime
) -> datetime:
    """The return visit is due the team's number of working days of its calendar after `start` (the
    resolution), at the same wall-clock time: a visit is a call to the client, who is not called on
    a day off, and a make-up working day counts."""
    settings = settings if settings is not None else ComplaintSlaSettings()
    zone = ZoneInfo(timezone)
    local = start.astimezone(zone)
    day = local.date()
    for _ in range(settings.return_visit_days):
        day = days.on_or_after(day + timedelta(days=1))
    return datetime.combine(day, local.time(), zone).astimezone(UTC)


def return_visit_ladder(started_at: datetime, due_at: datetime, calendar: Calendar) -> list[Step]:
    """An overdue return visit climbs like the other deadlines, but to the leads only: the owner at
    the deadline, the leads at deadline + W/2."""
    steps = ladder(started_at, Deadline.RETURN_VISIT, due_at, calendar)
    return [step for step in steps if step.level in (Level.OWNER, Level.LEADS)]


def _pending(
    steps: Iterable[Step], fired: set[tuple[Deadline, Level, datetime]], done: set[Deadline], now: datetime
) -> list[Step]:
    return [
        step for step in steps if step.deadline not in done and step.key not in fired and not _moot(step, now)
    ]


def _moot(step: Step, now: datetime) -> bool:
    """A "due soon" from its deadline on: after an outage it would come with, or after, the overdue
    step that says more. It is then never sent, and nothing waits for it."""
    return step.level is Level.DUE_SOON and now >= step.due_at


def due_steps(
    steps: Iterable[Step],
    *,
    fired: set[tuple[Deadline, Level, datetime]],
    done: set[Deadline],
    now: datetime,
) -> list[Step]:
    """Every step whose time has come and that has not fired yet, in firing order.

    After an outage several levels may be due at once; all are returned but a "due soon" whose
    deadline has passed (see `_moot`).
    """
    due = [step for step in _pending(steps, fired, done, now) if step.at <= now]
    return sorted(due, key=lambda step: (step.at, step.level))


def next_at(
    steps: Iterable[Step],
    *,
    fired: set[tuple[Deadline, Level, datetime]],
    done: set[Deadline],
    now: datetime,
) -> datetime | None:
    """When the sweep next has something to do for these steps; stored so the sweep reads due rows only.

    Can be in the past (a step due but not fired yet): such a row is due now. A "due soon" that will
    never be sent (see `_moot`) does not count, or the row would stay due for ever.
    """
    return min((step.at for step in _pending(steps, fired, done, now)), default=None)


def met(done_at: datetime | None, due_at: datetime) -> bool:
    """For "SLA met %": a step not done (yet) has not met its deadline."""
    return done_at is not None and done_at <= due_at


__all__ = [
    "Deadline",
    "Level",
    "Severity",
    "Step",
    "calendar_for",
    "due_steps",
    "ladder",
    "met",
    "next_at",
    "return_visit_due",
    "return_visit_ladder",
    "window",
]
