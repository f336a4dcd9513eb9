"""Keys of the deliveries already processed."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_for
from storage.models import ProcessedRequest


async def record_all(session: AsyncSession, keys: Collection[str], at: datetime) -> set[str]:
    """Record deliveries' keys, in one statement. Returns those not recorded before (the others are
    repeats)."""
    statement = (
        insert_for(session, ProcessedRequest)
        .values([{"key": key, "received_at": at} for key in keys])
        .on_conflict_do_nothing()
        .returning(ProcessedRequest.key)
    )
    return set((await session.scalars(statement)).all())


async def record(session: AsyncSession, key: str, at: datetime) -> bool:
    """Record one delivery's key. False when it was recorded before: a repeat."""
    return key in await record_all(session, [key], at)


async def forget_before(
    session: AsyncSession, cutoff: datetime, *, prefix: str, matching: bool = True
) -> int:
    """Forget the keys received before `cutoff` that start with `prefix` (matching=False: that do not)."""
    starts = ProcessedRequest.key.startswith(prefix, autoescape=True)
    result = await session.execute(
        delete(ProcessedRequest).where(ProcessedRequest.received_at < cutoff, starts if matching else ~starts)
    )
    return result.rowcount
