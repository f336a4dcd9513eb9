"""Alembic environment: runs migrations over the app's own async engine."""

import asyncio

from alembic import context
from sqlalchemy import TypeDecorator

from storage.dialect import new_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _render_item(kind, obj, autogen_context):
    # Migrations name plain SQL types: a model's TypeDecorator (UtcDateTime) is written as its impl.
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = new_engine(config.get_main_option("sqlalchemy.url"))
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
