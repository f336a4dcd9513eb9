"""Queries over the daily stand-up: each team's day and each person's answer. They take a session and
never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.dialect import insert_ignoring_conflict
from storage.models import Person, StandupAnswer, StandupDay, Team


async def day_of(session: AsyncSession, team_id: int, day: date, *, lock: bool = False) -> StandupDay | None:
    """The team's stand-up of `day` with its answers (locked for the transaction when `lock`)."""
    query = (
        select(StandupDay)
        .where(StandupDay.team_id == team_id, StandupDay.day == day)
        .options(selectinload(StandupDay.answers))
    )
    if lock:
        query = query.with_for_update()
    return await session.scalar(query.execution_options(populate_existing=True))


async def open_day(
    session: AsyncSession,
    team_id: int,
    day: date,
    *,
    questions: list[dict],
    at: datetime,
    asked: Sequence[str],
    away: Sequence[str],
) -> bool:
    """Record the day as asked of `asked` (and `away` as away), unless it was already: True when this
    call recorded it. Whoever else tries the same day at the same time inserts nothing."""
    created = await insert_ignoring_conflict(
        session,
        StandupDay,
        team_id=team_id,
        day=day,
        questions=questions,
        asked_at=at,
        summary_messages=0,
        late_answers=0,
    )
    if not created:
        return False
    standup_id = await session.scalar(
        select(StandupDay.id).where(StandupDay.team_id == team_id, StandupDay.day == day)
    )
    rows = [
        {
            "standup_id": standup_id,
            "user_id": user,
            "away": user in away,
            "late": False,
            "reminded": False,
            "revision": 0,
        }
        for user in [*asked, *away]
    ]
    if rows:
        await session.execute(insert(StandupAnswer), rows)
    return True


async def open_days_of(session: AsyncSession, user_id: str, day: date) -> Sequence[Row]:
    """`day`'s stand-ups that asked `user_id`: (day, their answer, team), in team-key order."""
    query = (
        select(StandupDay, StandupAnswer, Team)
        .join(StandupAnswer, StandupAnswer.standup_id == StandupDay.id)
        .join(Team, Team.id == StandupDay.team_id)
        .where(StandupDay.day == day, StandupAnswer.user_id == user_id, StandupAnswer.away.is_(False))
        .order_by(Team.key)
    )
    return (await session.execute(query)).all()


async def attendance_rows(session: AsyncSession, team_id: int, start: date, end: date) -> Sequence[Row]:
    """(user, away, answered, late) for every place in the team's stand-ups from `start` to `end`."""
    query = (
        select(
            StandupAnswer.user_id,
            StandupAnswer.away,
            StandupAnswer.answered_at.is_not(None),
            StandupAnswer.late,
        )
        .join(StandupDay, StandupDay.id == StandupAnswer.standup_id)
        .where(StandupDay.team_id == team_id, StandupDay.day >= start, StandupDay.day <= end)
    )
    return (await session.execute(query)).all()


async def days_counted(session: AsyncSession, team_id: int, start: date, end: date) -> int:
    found = await session.scalars(
        select(StandupDay.id).where(
            StandupDay.team_id == team_id, StandupDay.day >= start, StandupDay.day <= end
        )
    )
    return len(found.all())


async def names(session: AsyncSession, user_ids: Sequence[str]) -> dict[str, str]:
    """The names Slack showed for these people, where the bot has seen them."""
    if not user_ids:
        return {}
    rows = await session.execute(select(Person.user_id, Person.name).where(Person.user_id.in_(user_ids)))
    return {user: name for user, name in rows.all() if name}
