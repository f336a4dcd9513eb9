"""A fake Slack Web API on 127.0.0.1, spoken to by the real slack-sdk client through SLACK_API_URL.

It records every call, validates every message and view with slack_sdk.models (as Slack would refuse
them), and can be told to fail: answer 429 with Retry-After, or 5xx, or drop the connection, for the
next calls of a method; to be slow: answer a method only after a delay; or to hold a method's calls
until the test releases them (a request kept in flight).

It is also Slack's side of Socket Mode: apps.connections.open hands out a websocket URL on the same
server, the test sends envelopes down the newest connection, and the app's acknowledgements (with
any response payload) are collected by envelope id.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update"}
VIEW_METHODS = {"views.open", "views.push", "views.update", "views.publish"}


@dataclass
class Call:
    method: str
    args: dict
    at: float
    answer: dict = field(default_factory=dict)


@dataclass
class Failure:
    status: int
    retry_after: float | None
    times: int
    channel: str | None = None


def validate_message(message: dict) -> None:
    """Raise if Slack would refuse this message's text or blocks."""
    blocks = message.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not message.get("text") and not blocks:
        raise ValueError("a message needs text or blocks")
    if blocks:
        if len(blocks) > 50:
            raise ValueError(f"{len(blocks)} blocks: a message holds at most 50")
        for block in Block.parse_all(blocks):
            block.validate_json()


def validate_view(view: dict | str) -> None:
    if isinstance(view, str):
        view = json.loads(view)
    View(**view).validate_json()


@dataclass
class FakeSlack:
    bot_user_id: str = "UBOT0001"
    team_id: str = "T0TEAM001"
    calls: list[Call] = field(default_factory=list)
    profiles: dict[str, dict] = field(default_factory=dict)
    failures: dict[str, list[Failure]] = field(default_factory=lambda: defaultdict(list))
    invalid: list[str] = field(default_factory=list)
    refused: list[Call] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    delays: dict[str, float] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    url: str = ""
    held: dict[str, asyncio.Event] = field(default_factory=dict)
    arrived: list[Call] = field(default_factory=list)
    connections: list[web.WebSocketResponse] = field(default_factory=list)
    acks: dict[str, dict] = field(default_factory=dict)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition | None = None

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_get("/socket-mode/{id}", self._socket_mode)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/api/"
        self._changed = asyncio.Condition()
        return self

    async def stop(self) -> None:
        for connection in self.connections:
            await connection.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def response_url_base(self) -> str:
        return self.url.replace("/api/", "/response/")

    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        channel: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (to `channel`, when given) with `status`:
        429 with Retry-After when `retry_after` is given, or a 5xx."""
        self.failures[method].append(Failure(status, retry_after, times, channel))

    def disconnect(self, method: str, *, times: int = 1) -> None:
        """Drop the connection of the next `times` calls of `method` without an answer, as when Slack
        cannot be reached (the client sees a connection error, and slack-sdk retries once)."""
        self.dropped[method] = self.dropped.get(method, 0) + times

    def refuse(self, method: str, error: str) -> None:
        """Answer the next call of `method` as Slack answers a request it will never accept:
        HTTP 200 with ok false and the error (channel_not_found, is_archived ...)."""
        self.errors[method].append(error)

    def slow(self, method: str, seconds: float | None) -> None:
        """Answer every call of `method` only after `seconds` (None: promptly again). A call is
        recorded once it is answered."""
        if seconds is None:
            self.delays.pop(method, None)
        else:
            self.delays[method] = seconds

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> list[Call]:
        """Wait until `method` was called (successfully) at least `count` times."""
        await self._until(lambda: len(self.calls_to(method)) >= count, within)
        return self.calls_to(method)

    def hold(self, method: str) -> asyncio.Event:
        """Keep calls of `method` waiting, unanswered, until the returned event is set."""
        self.held[method] = asyncio.Event()
        return self.held[method]

    async def wait_for_held(self, method: str, within: float = 10.0) -> Call:
        """Wait until a call of `method` arrived and is being held."""
        await self._until(lambda: any(c.method == method for c in self.arrived), within)
        return next(c for c in self.arrived if c.method == method)

    async def wait_for_connection(self, within: float = 10.0) -> web.WebSocketResponse:
        """Wait until the app holds a Socket Mode connection; the newest one."""
        await self._until(lambda: bool(self.open_connections), within)
        return self.open_connections[-1]

    @property
    def open_connections(self) -> list[web.WebSocketResponse]:
        return [c for c in self.connections if not c.closed]

    async def send_envelope(
        self, kind: str, payload: dict, *, envelope_id: str | None = None, retry_attempt: int = 0, **extra
    ) -> str:
        """Send an envelope (events_api, slash_commands, interactive) down the newest connection."""
        envelope_id = envelope_id or f"envelope-{next(self._ts)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            **({"retry_attempt": retry_attempt, "retry_reason": ""} if kind == "events_api" else {}),
            **extra,
        }
        await (await self.wait_for_connection()).send_json(envelope)
        return envelope_id

    async def wait_for_ack(self, envelope_id: str, within: float = 10.0) -> dict:
        """Wait for the app's acknowledgement of an envelope (with its payload, if any)."""
        await self._until(lambda: envelope_id in self.acks, within)
        return self.acks[envelope_id]

    async def _until(self, condition, within: float) -> None:
        assert self._changed is not None
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(condition)

    async def _changing(self, change) -> None:
        assert self._changed is not None
        async with self._changed:
            change()
            self._changed.notify_all()

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        connection = web.WebSocketResponse()
        await connection.prepare(request)
        await connection.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP0001"}}
        )
        await self._changing(lambda: self.connections.append(connection))
        async for message in connection:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                await self._changing(lambda ack=ack: self.acks.setdefault(ack["envelope_id"], ack))
        await self._changing(lambda: None)  # closed: open_connections changed
        return connection

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        try:
            validate_message(body)
        except Exception as exc:
            self.invalid.append(f"response_url: {exc}")
            return web.Response(status=400, text="invalid_blocks")
        await self._record("response_url", body)
        return web.Response(text="ok")

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = dict(request.query)
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json":
                args.update(json.loads(raw or b"{}"))
            else:
                args.update(parse_qsl(raw.decode()))
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") and "token" not in args:
            return web.json_response({"ok": False, "error": "not_authed"})
        if self.dropped.get(method):
            self.dropped[method] -= 1
            self.refused.append(Call(method, args, time.monotonic()))
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=500)  # never written: the connection is gone
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        if method in self.held:
            await self._changing(lambda: self.arrived.append(Call(method, args, time.monotonic())))
            await self.held[method].wait()
        pending = [f for f in self.failures.get(method, []) if f.channel in (None, args.get("channel"))]
        if pending:
            failure = pending[0]
            failure.times -= 1
            if failure.times <= 0:
                self.failures[method].remove(failure)
            self.refused.append(Call(method, args, time.monotonic()))
            headers = (
                {"Retry-After": str(int(failure.retry_after))} if failure.retry_after is not None else {}
            )
            error = "ratelimited" if failure.status == 429 else "fatal_error"
            return web.json_response({"ok": False, "error": error}, status=failure.status, headers=headers)
        if self.errors.get(method):
            error = self.errors[method].pop(0)
            self.refused.append(Call(method, args, time.monotonic()))
            return web.json_response({"ok": False, "error": error})
        try:
            if method in MESSAGE_METHODS:
                validate_message(args)
            if method in VIEW_METHODS:
                validate_view(args.get("view") or {})
        except Exception as exc:
            self.invalid.append(f"{method}: {exc}")
            return web.json_response({"ok": False, "error": "invalid_blocks", "detail": str(exc)})
        answer = self._answer(method, args)
        await self._record(method, args, answer)
        return web.json_response(answer)

    async def _record(self, method: str, args: dict, answer: dict | None = None) -> None:
        await self._changing(lambda: self.calls.append(Call(method, args, time.monotonic(), answer or {})))

    def _answer(self, method: str, args: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "user_id": self.bot_user_id, "bot_id": "B0BOT0001", "team_id": self.team_id}
        if method == "users.info":
            user = args.get("user", "")
            profile = {"id": user, "locale": "en-US", "tz": "UTC"} | self.profiles.get(user, {})
            return {"ok": True, "user": profile}
        if method == "apps.connections.open":
            return {
                "ok": True,
                "url": self.url.replace("http", "ws", 1).replace("/api/", f"/socket-mode/{next(self._ts)}"),
            }
        if method == "conversations.open":
            users = str(args.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("UW")}}
        if method in ("chat.postMessage", "chat.update"):
            ts = args.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            return {"ok": True, "channel": args.get("channel"), "ts": ts}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if method in VIEW_METHODS:
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}"}}
        return {"ok": True}
