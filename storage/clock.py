"""Which occurrences of the scheduled jobs have run."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_conflict
from storage.models import ClockRun


async def ran(session: AsyncSession, job_id: str, occurrence: datetime) -> bool:
    found = await session.scalar(
        select(ClockRun.job_id).where(ClockRun.job_id == job_id, ClockRun.occurrence == occurrence)
    )
    return found is not None


async def last_runs(session: AsyncSession, job_ids: Iterable[str]) -> dict[str, datetime]:
    """The latest occurrence that ran, of each of `job_ids` that ever ran."""
    wanted = list(job_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(ClockRun.job_id, func.max(ClockRun.occurrence))
        .where(ClockRun.job_id.in_(wanted))
        .group_by(ClockRun.job_id)
    )
    return {job_id: last for job_id, last in rows}


async def record(session: AsyncSession, job_id: str, occurrence: datetime, ran_at: datetime) -> bool:
    """Record that an occurrence ran; False when it was recorded before."""
    return await insert_ignoring_conflict(
        session, ClockRun, job_id=job_id, occurrence=occurrence, ran_at=ran_at
    )
