"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, model):
    """An INSERT that supports ON CONFLICT on the session's dialect."""
    if session.bind.dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


async def insert_ignoring_conflict(session: AsyncSession, model, **values) -> bool:
    """Insert a row unless one with the same key exists. True when this call inserted it."""
    result = await session.execute(insert_for(session, model).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1
