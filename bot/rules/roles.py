"""Roles in a team (domain.md section 1) and what each may do to the roster."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    DIRECTOR = "director"
    MANAGER = "manager"
    DEPUTY = "deputy"
    LEAD = "lead"
    MEMBER = "member"


# Looked up by a Role or by its value ("lead"): a StrEnum member and its string are the same key.
RANK = {Role.MEMBER: 0, Role.LEAD: 1, Role.DEPUTY: 2, Role.MANAGER: 3, Role.DIRECTOR: 4}


def is_away(away_until: date | None, on: date) -> bool:
    """Someone marked away until a date is away up to and including that date."""
    return away_until is not None and away_until >= on


def is_lead(role: Role | str) -> bool:
    """'Leads' means everyone at lead level or above."""
    return RANK[role] >= RANK[Role.LEAD]


def supervisor_of(user: str, team: Sequence[tuple[str, Role | str]]) -> str | None:
    """The one supervisor rule (domain.md section 1), for import, `/team add`, removal and everyone
    who appraises, escalates or approves: the first person, in roster order, of the lowest rank above
    `user`'s (a member's first lead, else the lowest-ranked above them; a lead's first deputy, else
    manager, else director). None for the top of the team, or for someone not in it."""
    ranks = dict(team)
    if user not in ranks:
        return None
    mine = RANK[ranks[user]]
    above = [(RANK[role], i, who) for i, (who, role) in enumerate(team) if RANK[role] > mine]
    return min(above)[2] if above else None


def may_manage(actor: Role | str, target: Role | str | None, new_role: Role | str | None = None) -> bool:
    """Whether `actor` may add, remove or change a member who holds `target` (None: not yet in the team),
    giving them `new_role` (None: the role is not changing).

    Leads and above manage the roster, but never a member ranked above themselves and never to a rank
    above their own: a lead cannot make someone a manager, nor remove the manager.
    """
    if not is_lead(actor):
        return False
    rank = RANK[actor]
    if target is not None and RANK[target] > rank:
        return False
    return new_role is None or RANK[new_role] <= rank
