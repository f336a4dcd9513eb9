"""Serving Slack: HTTP (ASGI under uvicorn) or Socket Mode, plus GET /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import uvicorn
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.config import Settings, SettingsError
from bot.metrics import CONTENT_TYPE, Metrics
from bot.slackapp import inbound

log = logging.getLogger(__name__)

# How long stopping waits for requests in flight, in either mode.
GRACEFUL_TIMEOUT = 20

Health = Callable[[], Awaitable[tuple[bool, dict]]]
Exposition = Callable[[], Awaitable[bytes]]


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()


class HttpApp:
    """POST /slack/events for Bolt, once a request is known to be Slack's, and GET /healthz and
    GET /metrics beside it. The signature is verified on the raw bytes (size-limited) before anything
    parses them; nothing of a request that fails is used, and Bolt sees only bodies of the shape it
    and our listeners read. Every POST /slack/events is counted and timed, by kind and outcome."""

    def __init__(
        self,
        app: AsyncApp,
        health: Health,
        settings: Settings,
        metrics: Metrics,
        exposition: Exposition | None = None,
    ) -> None:
        self.app = app
        self.health = health
        self.metrics = metrics
        self.exposition = exposition
        self.signing_secret = settings.slack_signing_secret
        self.hooks_url = settings.slack_hooks_url

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":  # uvicorn runs with lifespan="off": nothing else comes
            raise TypeError(f"unsupported ASGI scope {scope['type']!r}")
        reply = await self.answer(scope, receive)
        headers = [*reply.headers, (b"content-length", str(len(reply.body)).encode())]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})

    async def answer(self, scope, receive) -> Reply:
        """The one place a request's outcome is known."""
        if scope["method"] == "GET" and scope["path"] == "/healthz":
            ok, report = await self.health()
            return Reply(200 if ok else 503, json.dumps(report).encode(), JSON)
        if scope["method"] == "GET" and scope["path"] == "/metrics" and self.exposition is not None:
            return Reply(200, await self.exposition(), ((b"content-type", CONTENT_TYPE.encode()),))
        if scope["method"] == "POST" and scope["path"] == "/slack/events":
            started = time.perf_counter()
            kind = ["unknown"]  # named once the request is known to be Slack's
            try:
                reply = await self.slack_request(scope, receive, kind)
            except Exception:
                self.metrics.requests.labels(kind[0], "failed").observe(time.perf_counter() - started)
                raise
            outcome = OUTCOMES.get(reply.status, "ok" if reply.status < 400 else "failed")
            self.metrics.requests.labels(kind[0], outcome).observe(time.perf_counter() - started)
            return reply
        return Reply(404, b"Not Found", TEXT)

    async def slack_request(self, scope, receive, kind: list[str]) -> Reply:
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
        }
        try:
            body = await _read_body(headers, receive, inbound.MAX_BODY_BYTES)
        except _Unread as refused:
            return Reply(refused.status)
        timestamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
        if not inbound.signed(self.signing_secret, timestamp, signature, body, now=time.time()):
            return Reply(401)
        try:
            content_type = headers.get("content-type", "").split(";")[0] or None  # as Bolt reads it
            payload = inbound.read_body(body, content_type)
            kind[0] = inbound.label(payload, inbound.check(payload, self.hooks_url))
        except inbound.Malformed as exc:
            log.warning("refused a signed request: %s", exc)
            return Reply(400)
        request = AsyncBoltRequest(
            body=body.decode(), query=scope["query_string"].decode("latin-1"), headers=headers
        )
        response = await self.app.async_dispatch(request)
        return Reply(
            response.status,
            response.body.encode(),
            tuple(
                (name.encode("latin-1"), value.encode("latin-1"))
                for name, values in response.headers.items()
                if name.lower() != "content-length"
                for value in values
            ),
        )


JSON = ((b"content-type", b"application/json"),)
TEXT = ((b"content-type", b"text/plain; charset=utf-8"),)
# The outcome label of a request by its status; any other status of 400 or more is "failed".
OUTCOMES = {401: "refused", 400: "bad_request", 413: "too_large"}


class _Unread(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


async def _read_body(headers: dict[str, str], receive, limit: int) -> bytes:
    """The request's body; _Unread(413) as soon as it is known to exceed `limit` bytes, by its
    Content-Length or (chunked) by counting while it arrives, never holding more than that."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _Unread(413)
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away before the body was whole
            raise _Unread(400)
        body += message.get("body", b"")
        if len(body) > limit:
            raise _Unread(413)
        if not message.get("more_body", False):
            return bytes(body)


async def serve_http(
    app: AsyncApp,
    health: Health,
    settings: Settings,
    metrics: Metrics,
    exposition: Exposition,
    *,
    listening: socket.socket,
) -> None:
    """Serve until SIGINT/SIGTERM; uvicorn then stops accepting and finishes requests in flight."""
    config = uvicorn.Config(
        HttpApp(app, health, settings, metrics, exposition),
        log_level=settings.log_level.lower(),
        http="httptools",
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_TIMEOUT,
    )
    # uvicorn re-raises the stop signal once it has shut down, under whatever handler was there
    # before it: a no-op, so that the process then closes the sender and the clock and exits 0.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stopping)
    await uvicorn.Server(config).serve(sockets=[listening])


def listen(host: str, port: int) -> socket.socket:
    """The HTTP server's socket, bound before anything starts, so that a port in use is one line
    at once (SettingsError), not a traceback after the sender and the clock have started."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        raise SettingsError(f"--host/--port: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _stopping(_signum, _frame) -> None:
    log.info("stop signal received again while stopping")


class SocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, counting the envelopes in flight so that stopping can wait for them."""

    def __init__(self, app: AsyncApp, settings: Settings) -> None:
        super().__init__(app, settings.slack_app_token)
        self.hooks_url = settings.slack_hooks_url
        self.stopping = False
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        if self.stopping:
            # Left unacknowledged, so that Slack redelivers it to another connection.
            log.info("stopping: envelope %s (%s) left for Slack to redeliver", req.envelope_id, req.type)
            return
        try:
            inbound.check(req.payload, self.hooks_url)
        except inbound.Malformed as exc:
            # Acknowledged with nothing, so that Slack does not redeliver what no retry can mend.
            log.warning("refused envelope %s (%s): %s", req.envelope_id, req.type, exc)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
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


def stop_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, from now on: a stop signal while the process is still
    starting (checking its tokens, migrating) ends it once started, instead of being lost."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def serve_socket_mode(app: AsyncApp, settings: Settings, stop: asyncio.Event) -> None:
    """Hold a Socket Mode connection until `stop` is set, then let requests in flight finish."""
    handler = SocketModeHandler(app, settings)
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
