"""What a job is: a name, what it runs (as of an instant), and when."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger

from bot.services.context import Services
from bot.services.schedules import TeamClock

JobRun = Callable[[Services, datetime, TeamClock | None], Awaitable[str]]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobRun
    # For a global job: its trigger. For a per-team job: the team's trigger, or None (not for that team).
    schedule: Callable[[TeamClock | None], BaseTrigger | None]
    per_team: bool = False
    help: str = ""
