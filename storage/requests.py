"""Keys of the deliveries already processed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_conflict
from storage.models import ProcessedRequest


async def record(session: AsyncSession, key: str, at: datetime) -> bool:
    """Record a delivery's key. False when it was recorded before: a repeat."""
    return await insert_ignoring_conflict(session, ProcessedRequest, key=key, received_at=at)


async def forget_before(
    session: AsyncSession, cutoff: datetime, *, prefix: str, matching: bool = True
) -> int:
    """Forget the keys received before `cutoff` that start with `prefix` (matching=False: that do not)."""
    starts = ProcessedRequest.key.startswith(prefix, autoescape=True)
    result = await session.execute(
        delete(ProcessedRequest).where(ProcessedRequest.received_at < cutoff, starts if matching else ~starts)
    )
    return result.rowcount
