"""Slack's deliveries: each one processed once, however often Slack retries it."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from bot.services.context import Services
from storage import requests as repo

# Slack retries a delivery three times within about an hour; keys are kept well past that.
KEEP_KEYS_FOR = timedelta(days=2)
EVENT = "event:"


async def first_delivery(services: Services, key: str) -> bool:
    """Record a delivery's key; False when it was processed before."""
    async with services.unit_of_work() as session:
        return await repo.record(session, key, services.now())


class Deliveries:
    """Which deliveries this app has processed.

    Slack retries only Events API deliveries (X-Slack-Retry-Num, Socket Mode's retry_attempt), and
    a retry may reach another process: those keys go to the database. Slash commands and
    interactions are never retried by Slack, so a write per request there would buy nothing; a
    bounded memory of their trigger ids still drops a duplicate that reaches this process.
    """

    def __init__(self, services: Services, remember: int = 10_000) -> None:
        self.services = services
        self.remember = remember
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def first(self, key: str) -> bool:
        if key.startswith(EVENT):
            return await first_delivery(self.services, key)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self.remember:
            self._seen.popitem(last=False)
        return True


async def forget_old(services: Services, at: datetime) -> int:
    async with services.unit_of_work() as session:
        return await repo.forget_before(session, at - KEEP_KEYS_FOR)
