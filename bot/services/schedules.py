"""What the clock needs to know of each team: its key, zone, kind and settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.services.context import Services
from storage import teams as repo
from storage.models import Team


@dataclass(frozen=True)
class TeamClock:
    key: str
    timezone: str
    kind: str
    settings: dict


def team_date(team: Team | TeamClock, at: datetime) -> date:
    """The date in the team's time zone at `at`."""
    return at.astimezone(ZoneInfo(team.timezone)).date()


async def team_clocks(services: Services) -> list[TeamClock]:
    async with services.db.reader() as session:
        teams = await repo.all_teams(session)
        return [TeamClock(t.key, t.timezone, t.kind, dict(t.settings or {})) for t in teams]
