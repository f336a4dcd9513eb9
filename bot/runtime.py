"""One running teamops process: the database, the Slack app, and (later) the outbox sender and clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import build_app
from bot.config import Settings, SettingsError
from bot.services.context import Services
from storage import migrate
from storage.database import Database

log = logging.getLogger(__name__)


async def prepare_schema(settings: Settings, *, apply: bool) -> str | None:
    """Bring the schema to the code's revision, or refuse to start on one that is behind."""
    if apply:
        # Alembic's environment runs its own event loop, so it runs in a thread of its own.
        await asyncio.to_thread(migrate.upgrade, settings.database_url)
    current = await migrate.current_revision(settings.database_url)
    if current != migrate.head_revision():
        raise SettingsError(
            f"DATABASE_URL: the schema is at revision {current or 'none'} and this version needs "
            f"{migrate.head_revision()}: run `teamops db upgrade`"
        )
    return current


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Services]:
    db = Database(settings.database_url)
    services = Services(settings=settings, db=db)
    try:
        yield services
    finally:
        await db.dispose()


async def health(services: Services, revision: str | None) -> tuple[bool, dict]:
    reachable = await services.db.ping()
    return reachable, {
        "ok": reachable,
        "database": reachable,
        "schema": revision,
        "scheduler": False,
    }


async def serve(settings: Settings, *, http: bool, host: str, port: int, apply_migrations: bool) -> None:
    from bot import server

    revision = await prepare_schema(settings, apply=apply_migrations)
    async with running(settings) as services:
        app = build_app(services)
        if http:
            log.info("serving Slack over HTTP on http://%s:%s/slack/events", host, port)
            await server.serve_http(
                app, lambda: health(services, revision), host=host, port=port, log_level=settings.log_level
            )
        else:
            await server.serve_socket_mode(app, settings.slack_app_token)
