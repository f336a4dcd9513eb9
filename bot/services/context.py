"""What every request and job gets: settings, the database, the outbox and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.config import Settings
from storage.database import Database


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    now: Callable[[], datetime] = field(default=utcnow)
    # Called after a unit of work that enqueued notices commits, so the sender wakes at once.
    wake_sender: Callable[[], None] = field(default=lambda: None)


@dataclass(frozen=True)
class Membership:
    team_id: int
    team_key: str
    team_name: str
    role: str
    team_locale: str


@dataclass(frozen=True)
class Actor:
    """The Slack user behind a request, as the roster knows them."""

    user_id: str
    locale: str
    memberships: tuple[Membership, ...] = ()
    profile_fetched_at: datetime | None = None
