"""Queries over progress reports. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProgressReport, Team


async def find(session: AsyncSession, *, team_id: int, user_id: str, project_key: str, period: str):
    return await session.scalar(
        select(ProgressReport).where(
            ProgressReport.team_id == team_id,
            ProgressReport.user_id == user_id,
            ProgressReport.project_key == project_key,
            ProgressReport.period == period,
        )
    )


async def recent_projects(session: AsyncSession, team_id: int, limit: int = 25) -> list[str]:
    """The team's projects, most recently reported first."""
    latest = func.max(ProgressReport.updated_at)
    rows = await session.execute(
        select(func.min(ProgressReport.project), latest)
        .where(ProgressReport.team_id == team_id)
        .group_by(ProgressReport.project_key)
        .order_by(latest.desc())
        .limit(limit)
    )
    return [name for name, _ in rows]


async def in_period(session: AsyncSession, team_id: int, period: str) -> Sequence[ProgressReport]:
    return (
        await session.scalars(
            select(ProgressReport)
            .where(ProgressReport.team_id == team_id, ProgressReport.period == period)
            .order_by(ProgressReport.updated_at)
        )
    ).all()


async def of_member(
    session: AsyncSession, user_id: str, limit: int, team_ids: Sequence[int] | None = None
) -> Sequence[tuple[ProgressReport, Team]]:
    """The member's latest reports, newest first; only in `team_ids` when given."""
    query = (
        select(ProgressReport, Team)
        .join(Team, Team.id == ProgressReport.team_id)
        .where(ProgressReport.user_id == user_id)
        .order_by(ProgressReport.updated_at.desc(), ProgressReport.id.desc())
        .limit(limit)
    )
    if team_ids is not None:
        query = query.where(ProgressReport.team_id.in_(team_ids))
    return [(report, team) for report, team in await session.execute(query)]


async def by_id(session: AsyncSession, report_id: int) -> ProgressReport | None:
    return await session.get(ProgressReport, report_id)
