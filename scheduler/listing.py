"""`teamops jobs list`: every planned job with its next run, in team time and UTC."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from bot.services.context import Services
from bot.services.schedules import team_clocks
from scheduler.jobs import JOBS
from scheduler.runner import plan


async def next_runs(services: Services) -> list[str]:
    now = services.now()
    lines = [f"{'JOB':<32} {'TEAM':<16} {'NEXT (TEAM TIME)':<26} NEXT (UTC)"]
    for planned in plan(JOBS, await team_clocks(services)):
        upcoming = planned.trigger.get_next_fire_time(None, now)
        zone = ZoneInfo(planned.team.timezone) if planned.team else UTC
        local = upcoming.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if upcoming else "never"
        utc = upcoming.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if upcoming else "never"
        team = planned.team.key if planned.team else "(all)"
        lines.append(f"{planned.job.name:<32} {team:<16} {local:<26} {utc}")
    return lines
