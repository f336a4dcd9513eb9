"""What an admin sees of, and does to, the outbox (`teamops outbox ...`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.services.context import Services
from storage import outbox as repo


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    retrying: int
    dead: int
    oldest_pending_age: timedelta | None


async def status(services: Services) -> OutboxStatus:
    async with services.db.reader() as session:
        found = await repo.status(session)
    age = services.now() - found.oldest_pending if found.oldest_pending else None
    return OutboxStatus(found.pending, found.retrying, found.dead, age)


async def retry_dead(services: Services) -> int:
    now = services.now()
    give_up_at = now + timedelta(hours=services.settings.outbox_give_up_hours)
    async with services.unit_of_work() as session:
        return await repo.requeue_dead(session, now=now, give_up_at=give_up_at)
