"""What the clock needs to know of each team: its key, zone, kind and settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.context import Services
from storage import teams as repo


@dataclass(frozen=True)
class TeamClock:
    key: str
    timezone: str
    kind: str
    settings: dict


async def team_clocks(services: Services) -> list[TeamClock]:
    async with services.db.reader() as session:
        teams = await repo.all_teams(session)
        return [TeamClock(t.key, t.timezone, t.kind, dict(t.settings or {})) for t in teams]
