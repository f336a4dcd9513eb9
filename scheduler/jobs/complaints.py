"""Complaints on the clock: the SLA sweep every minute, and the leads' weekly summary."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.services import complaints
from bot.services.schedules import TeamClock
from scheduler.job import Job


def sweep_schedule(team: TeamClock | None) -> IntervalTrigger:
    return IntervalTrigger(minutes=1, timezone="UTC")


def summary_schedule(team: TeamClock | None) -> CronTrigger:
    return CronTrigger(day_of_week="mon", hour=9, minute=0, timezone=team.timezone if team else "UTC")


JOBS = (
    Job(
        "complaint-sla",
        complaints.sweep,
        sweep_schedule,
        per_team=True,
        help="escalate the complaints whose SLA step is due (each step once)",
    ),
    Job(
        "complaint-summary",
        complaints.summary,
        summary_schedule,
        per_team=True,
        help="the leads' weekly complaint summary (counts, SLA met, satisfaction)",
    ),
)
