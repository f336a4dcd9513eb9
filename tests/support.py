"""Helpers shared by the tests: a running outbox sender, and waiting for something to become true."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager

from bot.app import web_client
from bot.notify import Sender


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
