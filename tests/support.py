"""Helpers shared by the tests: the app served over HTTP, a running outbox sender, and waiting for
something to become true."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager

import uvicorn

from bot.notify import Sender
from bot.slackapp.app import build_app, web_client
from bot.slackapp.runtime import health, metrics
from bot.slackapp.server import HttpApp


def sender_for(services, **kwargs) -> Sender:
    """A sender with quick backoff and polling, so that retries happen within a test."""
    kwargs.setdefault("base_backoff", 0.05)
    kwargs.setdefault("poll_seconds", 0.05)
    return Sender(services.db, web_client(services), now=services.now, **kwargs)


@asynccontextmanager
async def sending(services, **kwargs):
    """A sender running as it does in the bot, woken by the services' units of work."""
    sender = sender_for(services, **kwargs)
    stop = asyncio.Event()
    services.wake_sender = sender.wake
    task = asyncio.create_task(sender.run(stop))
    try:
        yield sender
    finally:
        stop.set()
        await task


async def eventually(condition: Callable[[], Awaitable[bool]], within: float, every: float = 0.1) -> float:
    """Wait until `condition()` holds; return how long that took. Fails the test after `within` s."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if await condition():
            return time.monotonic() - started
        await asyncio.sleep(every)
    raise AssertionError(f"not true within {within} s")


@asynccontextmanager
async def serving(services, settings, clock=None):
    """The real app, served over HTTP by uvicorn on 127.0.0.1 (a free port); yields its URL."""
    app = build_app(services)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        HttpApp(
            app,
            lambda: health(services, "test", clock),
            settings,
            services.metrics,
            lambda: metrics(services, clock),
        ),
        lifespan="off",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
