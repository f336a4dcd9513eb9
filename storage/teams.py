"""Queries over workspaces, teams, people and members. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.dialect import insert_ignoring_conflict
from storage.models import Member, Person, Team, Workspace


async def installation_workspace(session: AsyncSession) -> Workspace:
    """The workspace this installation serves, created on first use."""
    workspace = await session.scalar(select(Workspace).order_by(Workspace.id).limit(1))
    if workspace is None:
        workspace = Workspace(name="")
        session.add(workspace)
        await session.flush()
    return workspace


# The two queries every request runs, built once: building a select() costs more than running it.
_WHO = (
    select(
        Person.locale,
        Person.profile_fetched_at,
        Member.role,
        Team.id.label("team_id"),
        Team.key.label("team_key"),
        Team.name.label("team_name"),
        Team.locale.label("team_locale"),
    )
    .select_from(Person)
    .outerjoin(Member, Member.user_id == Person.user_id)
    .outerjoin(Team, Team.id == Member.team_id)
    .where(Person.user_id == bindparam("user_id"))
    .order_by(Team.key)
)
_ROSTERS = (
    select(Team.key, Team.name, Team.kind, Member.user_id, Member.role, Member.title, Person.away_until)
    .join(Member, Member.team_id == Team.id)
    .join(Person, Person.user_id == Member.user_id)
    .where(Team.id.in_(bindparam("team_ids", expanding=True)))
    .order_by(Team.key)
)


async def who(session: AsyncSession, user_id: str) -> Sequence[Row]:
    """A person and their teams: one row per team (its columns None when they are in none); no row
    when the bot has never seen them. Plain rows: loading ORM objects cost several times the query."""
    return (await session.execute(_WHO, {"user_id": user_id})).all()


async def roster_rows(session: AsyncSession, team_ids: Sequence[int]) -> Sequence[Row]:
    """Everyone in these teams with their team, one row per member, teams in key order."""
    return (await session.execute(_ROSTERS, {"team_ids": list(team_ids)})).all()


async def teams_with_members(session: AsyncSession, team_ids: Sequence[int] | None = None) -> Sequence[Team]:
    query = select(Team).options(selectinload(Team.members)).order_by(Team.key)
    if team_ids is not None:
        query = query.where(Team.id.in_(team_ids))
    return (await session.scalars(query)).all()


async def team_by_key(session: AsyncSession, key: str) -> Team | None:
    return await session.scalar(select(Team).where(Team.key == key).options(selectinload(Team.members)))


async def person(session: AsyncSession, user_id: str) -> Person | None:
    return await session.get(Person, user_id)


async def ensure_person(session: AsyncSession, user_id: str) -> Person:
    await insert_ignoring_conflict(session, Person, user_id=user_id)
    found = await session.get(Person, user_id)
    assert found is not None
    return found


async def remember_profile(
    session: AsyncSession, user_id: str, *, locale: str | None, timezone: str | None, at: datetime
) -> None:
    found = await ensure_person(session, user_id)
    found.locale = locale
    found.timezone = timezone
    found.profile_fetched_at = at


async def all_teams(session: AsyncSession) -> Sequence[Team]:
    return (await session.scalars(select(Team).order_by(Team.key))).all()
