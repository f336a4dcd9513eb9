"""Who is who: everyone the bot knows, their teams and their role in each, held in memory.

Every request begins by asking who is asking (their teams, their roles, their language), and /team
asks for whole teams. Read from the database each time, through SQLAlchemy's async engine, those two
reads cost more than all the rest of a request. The directory keeps one snapshot of the roster
instead, and on every request checks it against the roster's version in the database (raised by
triggers on every change to teams, members and people, whichever process makes it: see
storage.models.RosterVersion), loading a new snapshot when the version has moved. So a role is still
checked on every request, against the roster as it stands, not as this process last saw it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.rules.roles import RANK
from bot.rules.team_changes import RosterEntry, TeamRoster
from storage import teams as repo
from storage.database import Database


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
    # The teams of `memberships`, each with everyone in it (leads first), as of the same roster.
    teams: tuple[TeamRoster, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """The roster at one version (None: the database could not say which)."""

    version: int | None
    actors: Mapping[str, Actor]
    default_locale: str

    def actor(self, user_id: str) -> Actor:
        """The person behind a Slack user; someone the bot has never seen is in no team."""
        return self.actors.get(user_id) or Actor(user_id, self.default_locale)


class Directory:
    def __init__(self, db: Database, default_locale: str) -> None:
        self._db = db
        self._default_locale = default_locale
        self._snapshot: Snapshot | None = None
        # One load at a time: the requests that find the version moved while one is loading wait
        # for it, and then most find it new enough.
        self._loading = asyncio.Lock()

    async def current(self) -> Snapshot:
        """The roster as the database holds it now."""
        version = await self._db.roster_version()
        if self._is_current(version):
            return self._snapshot  # type: ignore[return-value]
        async with self._loading:
            if self._is_current(version):
                return self._snapshot  # type: ignore[return-value]
            async with self._db.reader() as session:
                loaded_version, people, memberships = await repo.roster_snapshot(session)
            snapshot = build_snapshot(loaded_version, people, memberships, self._default_locale)
            if snapshot.version is not None:
                self._snapshot = snapshot
            return snapshot

    def _is_current(self, version: int | None) -> bool:
        return version is not None and self._snapshot is not None and self._snapshot.version == version


def build_snapshot(
    version: int | None, people: Sequence, memberships: Sequence, default_locale: str
) -> Snapshot:
    """The snapshot from storage.teams.roster_snapshot's rows (memberships in team key order).

    The rows are unpacked in the order that query selects their columns: reading a column of a
    SQLAlchemy row by name costs a microsecond, and a workspace has thousands of rows."""
    teams_of: dict[str, list[Membership]] = {}
    members_of: dict[int, list[RosterEntry]] = {}
    team_of: dict[int, tuple[str, str, str]] = {}
    for team_id, team_key, team_name, team_kind, team_locale, user_id, role, title, away_until in memberships:
        teams_of.setdefault(user_id, []).append(Membership(team_id, team_key, team_name, role, team_locale))
        members_of.setdefault(team_id, []).append(RosterEntry(user_id, role, title, away_until))
        team_of[team_id] = (team_key, team_name, team_kind)
    rosters = {
        team_id: TeamRoster(*team_of[team_id], tuple(sorted(entries, key=_leads_first)))
        for team_id, entries in members_of.items()
    }
    actors = {}
    for user_id, own_locale, profile_fetched_at in people:
        mine = tuple(teams_of.get(user_id, ()))
        # The member's own language (from their Slack profile), else their first team's, else the default.
        locale = own_locale or (mine[0].team_locale if mine else None) or default_locale
        teams = tuple(rosters[m.team_id] for m in mine)
        actors[user_id] = Actor(user_id, locale, mine, profile_fetched_at, teams)
    return Snapshot(version, actors, default_locale)


def _leads_first(entry: RosterEntry) -> tuple[int, str]:
    return -RANK[entry.role], entry.user_id
