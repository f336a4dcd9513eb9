"""Serving Slack: HTTP (ASGI under uvicorn) or Socket Mode, plus GET /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from collections.abc import Awaitable, Callable

import uvicorn
from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.metrics import CONTENT_TYPE

log = logging.getLogger(__name__)

# How long stopping waits for requests in flight, in either mode.
GRACEFUL_TIMEOUT = 20

Health = Callable[[], Awaitable[tuple[bool, dict]]]
Exposition = Callable[[], Awaitable[bytes]]


class HttpApp(AsyncSlackRequestHandler):
    """Bolt's ASGI handler at POST /slack/events, and GET /healthz and GET /metrics beside it."""

    def __init__(self, app: AsyncApp, health: Health, metrics: Exposition | None = None) -> None:
        super().__init__(app, path="/slack/events")
        self.health = health
        self.metrics = metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            if scope["path"] == "/healthz":
                ok, report = await self.health()
                await _answer(send, 200 if ok else 503, b"application/json", json.dumps(report).encode())
                return
            if scope["path"] == "/metrics" and self.metrics is not None:
                await _answer(send, 200, CONTENT_TYPE.encode(), await self.metrics())
                return
        await super().__call__(scope, receive, send)


async def _answer(send, status: int, content_type: bytes, body: bytes) -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", content_type)]}
    )
    await send({"type": "http.response.body", "body": body})


async def serve_http(
    app: AsyncApp, health: Health, metrics: Exposition, *, host: str, port: int, log_level: str
) -> None:
    """Serve until SIGINT/SIGTERM; uvicorn then stops accepting and finishes requests in flight."""
    config = uvicorn.Config(
        HttpApp(app, health, metrics),
        host=host,
        port=port,
        log_level=log_level.lower(),
        http="httptools",
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_TIMEOUT,
    )
    # uvicorn re-raises the stop signal once it has shut down, under whatever handler was there
    # before it: a no-op, so that the process then closes the sender and the clock and exits 0.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stopping)
    await uvicorn.Server(config).serve()


def _stopping(_signum, _frame) -> None:
    log.info("stop signal received again while stopping")


class SocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, counting the envelopes in flight so that stopping can wait for them."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        super().__init__(app, app_token)
        self.stopping = False
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        if self.stopping:
            # Left unacknowledged, so that Slack redelivers it to another connection.
            log.info("stopping: envelope %s (%s) left for Slack to redeliver", req.envelope_id, req.type)
            return
        self.in_flight += 1
        self.idle.clear()
        try:
            await super().handle(client, req)
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self.idle.set()

    async def stop(self, grace: float) -> None:
        """Take no new envelopes and open no new connection; answer those in flight; then close."""
        self.stopping = True
        # The connection stays open until then: the answers go back over it.
        self.client.default_auto_reconnect_enabled = self.client.auto_reconnect_enabled = False
        try:
            async with asyncio.timeout(grace):
                await self.idle.wait()
        except TimeoutError:
            log.warning("stopping: %d request(s) still in flight after %s s", self.in_flight, grace)
        await self.close_async()


async def serve_socket_mode(app: AsyncApp, app_token: str) -> None:
    """Hold a Socket Mode connection until SIGINT/SIGTERM, then let requests in flight finish."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    handler = SocketModeHandler(app, app_token)
    connecting = asyncio.create_task(handler.connect_async())
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({connecting, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if connecting.done():
        connecting.result()
        log.info("connected to Slack in Socket Mode")
        await stopped
    else:  # the client retries until Slack answers; a stop signal ends that too
        connecting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await connecting
    log.info("stopping: no new requests; finishing those in flight")
    await handler.stop(GRACEFUL_TIMEOUT)
