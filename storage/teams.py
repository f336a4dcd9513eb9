"""Queries over workspaces, teams, people and members. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.dialect import insert_for, insert_ignoring_conflict
from storage.models import CURRENT_ROSTER_VERSION, Member, Person, Team, Workspace


async def installation_workspace(session: AsyncSession) -> Workspace:
    """The workspace this installation serves, created on first use."""
    workspace = await session.scalar(select(Workspace).order_by(Workspace.id).limit(1))
    if workspace is None:
        workspace = Workspace(name="")
        session.add(workspace)
        await session.flush()
    return workspace


_EVERYONE = select(Person.user_id, Person.locale, Person.profile_fetched_at)
_MEMBERSHIPS = (
    select(
        Team.id.label("team_id"),
        Team.key.label("team_key"),
        Team.name.label("team_name"),
        Team.kind.label("team_kind"),
        Team.locale.label("team_locale"),
        Member.user_id,
        Member.role,
        Member.title,
        Person.away_until,
    )
    .join(Member, Member.team_id == Team.id)
    .join(Person, Person.user_id == Member.user_id)
    .order_by(Team.key, Member.user_id)
)


async def roster_snapshot(session: AsyncSession) -> tuple[int | None, Sequence[Row], Sequence[Row]]:
    """The roster's version, everyone the bot knows, and every membership (teams in key order).

    The version is read first: on PostgreSQL each statement sees what had committed when it began,
    so the rows are at least as new as the version they are labelled with, never older."""
    version = await session.scalar(CURRENT_ROSTER_VERSION)
    people = (await session.execute(_EVERYONE)).all()
    memberships = (await session.execute(_MEMBERSHIPS)).all()
    return version, people, memberships


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


# The bulk writes of a roster import: each one statement whatever the number of rows (executemany),
# so that the import holds SQLite's write lock for a moment, not a flush per person.


async def ensure_people(session: AsyncSession, user_ids: Collection[str]) -> None:
    """Everyone in `user_ids` known to the bot, those already known left as they are."""
    if user_ids:
        statement = insert_for(session, Person).on_conflict_do_nothing()
        await session.execute(statement, [{"user_id": user_id} for user_id in sorted(user_ids)])


async def team_ids(session: AsyncSession, keys: Collection[str]) -> dict[str, int]:
    """The id of each of these teams that exists, by key."""
    rows = await session.execute(select(Team.key, Team.id).where(Team.key.in_(keys)))
    return dict(rows.all())


async def member_ids(session: AsyncSession, team_ids: Collection[int]) -> dict[tuple[int, str], int]:
    """The id of every member of these teams, by (team id, user)."""
    rows = await session.execute(
        select(Member.team_id, Member.user_id, Member.id).where(Member.team_id.in_(team_ids))
    )
    return {(team_id, user_id): member_id for team_id, user_id, member_id in rows}


async def insert_rows(session: AsyncSession, model: type[Team] | type[Member], rows: list[dict]) -> None:
    if rows:
        # render_nulls: rows with a None (a lead's supervisor) go in the same batch as the others,
        # instead of the ORM splitting the rows into one executemany per set of non-null keys.
        await session.execute(insert(model).execution_options(render_nulls=True), rows)


async def update_rows(session: AsyncSession, model: type[Team] | type[Member], rows: list[dict]) -> None:
    """Update each row by its "id" with the rest of its values."""
    if rows:
        await session.execute(update(model), rows)


async def delete_rows(session: AsyncSession, model: type[Member], ids: Collection[int]) -> None:
    if ids:
        await session.execute(delete(model).where(model.id.in_(ids)))


async def remember_profile(
    session: AsyncSession,
    user_id: str,
    *,
    locale: str | None,
    timezone: str | None,
    at: datetime,
    name: str | None = None,
) -> None:
    found = await ensure_person(session, user_id)
    found.locale = locale
    found.timezone = timezone
    found.name = name[:200] if name else found.name
    found.profile_fetched_at = at


async def all_teams(session: AsyncSession) -> Sequence[Team]:
    return (await session.scalars(select(Team).order_by(Team.key))).all()
