"""Slack's deliveries: each one processed once, however often Slack retries it."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.context import Services
from storage import requests as repo

# Slack retries a delivery three times within about an hour; keys are kept well past that.
KEEP_KEYS_FOR = timedelta(days=2)


async def first_delivery(services: Services, key: str) -> bool:
    """Record a delivery's key; False when it was processed before."""
    async with services.unit_of_work() as session:
        return await repo.record(session, key, services.now())


async def forget_old(services: Services, at: datetime) -> int:
    async with services.unit_of_work() as session:
        return await repo.forget_before(session, at - KEEP_KEYS_FOR)
