"""One running teamops process: the database, the Slack app, the outbox sender and the clock."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import logs, outbox_admin
from bot.config import Settings, SettingsError
from bot.notify import Sender
from bot.services.context import Services
from bot.slackapp.app import build_app, web_client
from bot.slackapp.routing import InFlight
from scheduler.runner import Clock
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
    """Services over an open database (the CLI's commands and the tests)."""
    db = Database(settings.database_url)
    try:
        yield Services(settings=settings, db=db)
    finally:
        await db.dispose()


@dataclass
class Background:
    """The outbox sender and (unless TEAMOPS_SCHEDULER=off) the clock, running beside the server."""

    services: Services
    sender: Sender
    clock: Clock | None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task] = field(default_factory=list)

    def start(self) -> None:
        self.services.wake_sender = self.sender.wake
        self.tasks.append(asyncio.create_task(self.sender.run(self.stop), name="outbox-sender"))
        if self.clock is not None:
            self.tasks.append(asyncio.create_task(self.clock.run(self.stop), name="clock"))

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)


@asynccontextmanager
async def background(services: Services) -> AsyncIterator[Background]:
    settings = services.settings
    sender = Sender(services.db, web_client(services), now=services.now)
    clock = Clock(services) if settings.scheduler == "on" else None
    work = Background(services, sender, clock)
    work.start()
    try:
        yield work
    finally:
        await work.close()


async def health(services: Services, revision: str | None, clock: Clock | None = None) -> tuple[bool, dict]:
    """Healthy while the database answers and, in the process that runs the clock, no due job is
    more than a minute late."""
    reachable = await services.db.ping()
    status = clock.status() if clock else {"leading": False, "last_run": None, "late": []}
    ok = reachable and not status["late"]
    return ok, {
        "ok": ok,
        "database": reachable,
        "schema": revision,
        "scheduler": status["leading"],
        "clock": {"last_run": status["last_run"], "late": status["late"]},
    }


async def metrics(services: Services, clock: Clock | None = None) -> bytes:
    """GET /metrics: the counters kept as things happen, and the outbox and the clock as they are now."""
    found = await outbox_admin.status(services)
    services.metrics.outbox_pending.set(found.pending)
    services.metrics.outbox_dead.set(found.dead)
    age = found.oldest_pending_age
    services.metrics.outbox_oldest_pending.set(max(0.0, age.total_seconds()) if age else 0.0)
    if clock is not None:
        clock.observe()
    return services.metrics.exposition()


# Slack's answers that mean the token itself is wrong: no retry will change them.
REFUSED_TOKEN = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
    }
)


async def check_tokens(settings: Settings, *, socket_mode: bool) -> None:
    """Refuse to start on a token Slack refuses (a typo, a revoked app), naming its variable. When
    Slack cannot be reached the bot starts anyway: its connection and the outbox retry."""
    client = AsyncWebClient(base_url=settings.slack_api_url, timeout=10)
    checks = [("SLACK_BOT_TOKEN", client.auth_test, {"token": settings.slack_bot_token})]
    if socket_mode:
        checks.append(
            ("SLACK_APP_TOKEN", client.apps_connections_open, {"app_token": settings.slack_app_token})
        )
    for variable, call, token in checks:
        try:
            await call(**token)
        except SlackApiError as exc:
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            if error in REFUSED_TOKEN:
                raise SettingsError(f"{variable}: Slack refused it ({error})") from None
            log.warning("checking %s: Slack answered %s; starting anyway", variable, error or "an error")
        except Exception as exc:
            log.warning("checking %s: Slack could not be reached (%s); starting anyway", variable, exc)


def settle_heap() -> None:
    """Everything made so far (modules, the app, its listeners) lives as long as the process. Keep
    it out of the garbage collector's full passes: walking it costs 40 to 50 ms, a pause every
    request in flight waits out."""
    gc.collect()
    gc.freeze()


async def serve(settings: Settings, *, http: bool, host: str, port: int, apply_migrations: bool) -> None:
    from bot.slackapp import server

    logs.quiet_libraries()
    stop = server.stop_signals()
    listening = server.listen(host, port) if http else None
    revision = await prepare_schema(settings, apply=apply_migrations)
    await check_tokens(settings, socket_mode=not http)
    in_flight = InFlight()
    async with running(settings) as services, background(services) as work:
        app = build_app(services, in_flight=in_flight)
        settle_heap()
        if stop.is_set():
            log.info("stopping: a stop signal came while starting")
        elif http:
            log.info("serving Slack over HTTP on http://%s:%s/slack/events", host, port)
            await server.serve_http(
                app,
                lambda: health(services, revision, work.clock),
                settings,
                services.metrics,
                lambda: metrics(services, work.clock),
                listening=listening,
            )
        else:
            await server.serve_socket_mode(app, settings, stop)
        # Slack has its answers; what listeners do after their ack (open a modal, write the notices
        # an answer causes) is finished too, before the database closes under them.
        still_running = await in_flight.finish(server.GRACEFUL_TIMEOUT)
        if still_running:
            log.warning(
                "stopping: %d listener(s) still running after %s s", still_running, server.GRACEFUL_TIMEOUT
            )
        log.info("stopping: the sender and the clock finish their current step")
