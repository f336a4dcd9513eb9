"""Every job the clock runs. A job is a thin call into bot.services, run as of an instant `at`.

A job is either global or per team; a per-team job's schedule comes from the team's settings and
runs in the team's time zone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger

from bot.services.context import Services
from bot.services.schedules import TeamClock
from scheduler.jobs import housekeeping

JobRun = Callable[[Services, datetime, TeamClock | None], Awaitable[str]]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobRun
    # For a global job: its trigger. For a per-team job: the team's trigger, or None (not for that team).
    schedule: Callable[[TeamClock | None], BaseTrigger | None]
    per_team: bool = False
    help: str = ""


JOBS: tuple[Job, ...] = (
    Job(
        "housekeeping",
        housekeeping.run,
        housekeeping.schedule,
        help="forget delivery keys older than Slack's retry window",
    ),
)


def by_name(jobs: tuple[Job, ...], name: str) -> Job:
    for job in jobs:
        if job.name == name:
            return job
    raise KeyError(name)
