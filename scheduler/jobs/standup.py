"""The daily stand-up on the clock, per team that holds one: the ask (default 09:30 team time), the
reminder (the summary time minus remind_before) and the summary (default 10:00). They run every day:
the service skips the days the team calendar does not work (a make-up Saturday works)."""

from __future__ import annotations

from datetime import date

from apscheduler.triggers.cron import CronTrigger

from bot.rules import standup as rules
from bot.services import standup
from bot.services.schedules import TeamClock
from scheduler.job import Job


def _daily(team: TeamClock | None, moment: str) -> CronTrigger | None:
    settings = rules.settings_of(team.settings)
    if not rules.is_on(team.kind, settings):
        return None
    # Any day gives the time of day: the moments are the same wall-clock time every day.
    at = getattr(rules.moments(date(2026, 1, 5), settings, team.timezone), moment)
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=team.timezone)


def ask_schedule(team: TeamClock | None) -> CronTrigger | None:
    return _daily(team, "ask")


def remind_schedule(team: TeamClock | None) -> CronTrigger | None:
    return _daily(team, "remind")


def summary_schedule(team: TeamClock | None) -> CronTrigger | None:
    return _daily(team, "summary")


JOBS = (
    Job(
        "standup-ask",
        standup.ask,
        ask_schedule,
        per_team=True,
        help="DM the stand-up questions to everyone not away",
    ),
    Job(
        "standup-remind",
        standup.remind,
        remind_schedule,
        per_team=True,
        help="remind, once, those who have not answered the stand-up",
    ),
    Job(
        "standup-summary",
        standup.summarise,
        summary_schedule,
        per_team=True,
        help="the stand-up summary in the team channel, once per day",
    ),
)
