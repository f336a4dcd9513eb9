"""What every request and job gets: settings, the database, the outbox and the clock."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.errors import UserError
from bot.metrics import Metrics
from bot.notify import Enqueuer
from bot.services.directory import Directory
from storage.database import Busy, Database, write_deadline

# How long a request's writes together wait for SQLite's write lock before it says it could not
# save: with the rest of a request's work, well inside the 3 s Slack gives it to answer.
REQUEST_WRITE_WAIT = 1.5


def on_the_request_path() -> None:
    """What the current task (and the tasks it starts) writes waits at most REQUEST_WRITE_WAIT from
    now for the write lock, all writes together: a delivery key, a profile, then the record."""
    write_deadline.set(time.monotonic() + REQUEST_WRITE_WAIT)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    now: Callable[[], datetime] = field(default=utcnow)
    # Called after a unit of work that enqueued notices commits, so the sender wakes at once.
    wake_sender: Callable[[], None] = field(default=lambda: None)
    metrics: Metrics = field(default_factory=Metrics)
    directory: Directory = field(init=False)

    def __post_init__(self) -> None:
        self.directory = Directory(self.db, self.settings.locale)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """One transaction for a change and the notices it causes; the sender wakes once it commits.
        When the database is too busy to take it in time, the user is told so and nothing is written."""
        try:
            async with self.db.unit_of_work() as session:
                yield session
                enqueued = session.info.get(Enqueuer.MARK, False)
        except Busy as exc:
            raise UserError("error.busy") from exc
        if enqueued:
            self.wake_sender()

    def notices(self, session: AsyncSession) -> Enqueuer:
        """Write notices into the outbox of `session`'s transaction."""
        return Enqueuer(session, self.now(), timedelta(hours=self.settings.outbox_give_up_hours))
