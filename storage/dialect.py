"""What differs between SQLite and PostgreSQL: connecting, and the few statements whose SQL differs."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

# How long to wait for PostgreSQL to answer a new connection (asyncpg waits 60 s by default): a
# host that accepts and never answers is reported within seconds, by the CLI and at start.
CONNECT_TIMEOUT = 5.0


def new_engine(url: str, **kwargs) -> AsyncEngine:
    """The one way an engine is made: the bot's, the CLI's and the migrations'."""
    if make_url(url).get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"timeout": CONNECT_TIMEOUT, **kwargs.get("connect_args", {})}
    return create_async_engine(url, **kwargs)


def insert_for(session: AsyncSession, model):
    """An INSERT that supports ON CONFLICT on the session's dialect."""
    if session.bind.dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


async def insert_ignoring_conflict(session: AsyncSession, model, **values) -> bool:
    """Insert a row unless one with the same key exists. True when this call inserted it."""
    result = await session.execute(insert_for(session, model).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1
