"""Who stands above a team's leads (domain.md section 1): the people that escalations, level-3
alerts and the complaint summary go to. Kept in one place so that the one supervisor rule can take
it over."""

from __future__ import annotations

from collections.abc import Iterable

from bot.rules.roles import RANK, Role
from storage.models import Member, Team


def chain_of(members: Iterable[Member]) -> list[tuple[str, str]]:
    """The team's people as the supervisor rule reads them: (user, role), in roster order."""
    return [(m.user_id, m.role) for m in members]


def above_the_leads(team: Team) -> list[str]:
    """Everyone ranked above lead in the team (deputies, managers and whatever ranks above them),
    highest first."""
    above = [m for m in team.members if RANK[m.role] > RANK[Role.LEAD]]
    return [m.user_id for m in sorted(above, key=lambda m: (-RANK[m.role], m.id))]
