"""Risks on the clock: the owners' review reminders at 09:00 team time on working days, and the
leads' weekly risk digest on Monday at 09:30, after them."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

from bot.services import risks
from bot.services.schedules import TeamClock
from scheduler.job import Job


def review_schedule(team: TeamClock | None) -> CronTrigger:
    # Every day: the service skips the days the team calendar does not work (a make-up Saturday works).
    return CronTrigger(hour=9, minute=0, timezone=team.timezone)


def digest_schedule(team: TeamClock | None) -> CronTrigger:
    return CronTrigger(day_of_week="mon", hour=9, minute=30, timezone=team.timezone)


JOBS = (
    Job(
        "risk-review",
        risks.remind_reviews,
        review_schedule,
        per_team=True,
        help="DM each owner the risk reviews due today (once per due date)",
    ),
    Job(
        "risk-digest",
        risks.digest,
        digest_schedule,
        per_team=True,
        help="the leads' weekly risk digest: the week's changes, breaches and reviews, what is due",
    ),
)
