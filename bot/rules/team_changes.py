"""What a roster looks like to its members, and the changes leads make to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


@dataclass(frozen=True)
class RosterEntry:
    user_id: str
    role: str
    title: str
    away_until: date | None


@dataclass(frozen=True)
class TeamRoster:
    key: str
    name: str
    kind: str
    entries: tuple[RosterEntry, ...]


class Action(StrEnum):
    ADD = "add"
    REMOVE = "remove"
    ROLE = "role"
    AWAY = "away"
    BACK = "back"


@dataclass(frozen=True)
class RosterChange:
    action: Action
    team_name: str
    user_id: str
    role: str | None = None
    away_until: date | None = None
