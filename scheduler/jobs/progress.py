"""Progress reports on the clock: the reminder at each team's deadline, the leads' digest an hour later."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.rules.clock import WEEKDAYS, parse_time, parse_weekly
from bot.services import progress
from bot.services.schedules import TeamClock
from scheduler.job import Job

DIGEST_AFTER_DUE = timedelta(hours=1)


def _trigger(team: TeamClock, delay: timedelta) -> CronTrigger:
    settings = progress.cadence(team)
    if settings.cadence == "daily":
        weekday, at = None, parse_time(settings.due)
    else:
        weekday, at = parse_weekly(settings.due)
    # Any Monday will do as a reference (2026-01-05 is one): only the weekday and time of
    # (due + delay) matter.
    monday = date(2026, 1, 5)
    moment = datetime.combine(monday + timedelta(days=weekday or 0), at) + delay
    # Daily reports run every day: the service skips the days the team calendar does not work.
    days = WEEKDAYS[moment.weekday()] if weekday is not None else "*"
    return CronTrigger(day_of_week=days, hour=moment.hour, minute=moment.minute, timezone=team.timezone)


def reminder_schedule(team: TeamClock | None) -> CronTrigger:
    return _trigger(team, timedelta(0))


def digest_schedule(team: TeamClock | None) -> CronTrigger:
    return _trigger(team, DIGEST_AFTER_DUE)


JOBS = (
    Job(
        "progress-reminder",
        progress.remind,
        reminder_schedule,
        per_team=True,
        help="DM the members who have not reported by the deadline",
    ),
    Job(
        "progress-digest",
        progress.digest,
        digest_schedule,
        per_team=True,
        help="the leads' progress digest of the period just due",
    ),
)
