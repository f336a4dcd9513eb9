"""Daily housekeeping: forget the keys of deliveries too old for Slack to retry or anyone to replay."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from bot.services import deliveries
from bot.services.context import Services
from bot.services.schedules import TeamClock
from scheduler.job import Job


def schedule(_team: TeamClock | None) -> CronTrigger:
    return CronTrigger(hour=3, minute=17, timezone="UTC")


async def run(services: Services, at: datetime, _team: TeamClock | None) -> str:
    forgotten = await deliveries.forget_old(services, at)
    return (
        f"forgot {forgotten} delivery key(s) received before {at.isoformat()} minus 2 days "
        "(commands and interactions: minus 5 minutes)"
    )


JOBS = (Job("housekeeping", run, schedule, help="forget delivery keys too old for a retry or a replay"),)
