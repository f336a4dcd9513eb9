"""A fake Slack Web API on 127.0.0.1, spoken to by the real slack-sdk client through SLACK_API_URL.

It records every call, validates every message and view with slack_sdk.models (as Slack would refuse
them), and can be told to fail: answer 429 with Retry-After, or 5xx, for the next calls of a method;
or to be slow: answer a method only after a delay.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import web
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
    url: str = ""
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition | None = None

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/response/{id}", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/api/"
        self._changed = asyncio.Condition()
        return self

    async def stop(self) -> None:
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
        assert self._changed is not None
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)
        return self.calls_to(method)

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
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
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
        assert self._changed is not None
        async with self._changed:
            self.calls.append(Call(method, args, time.monotonic(), answer or {}))
            self._changed.notify_all()

    def _answer(self, method: str, args: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "user_id": self.bot_user_id, "bot_id": "B0BOT0001", "team_id": self.team_id}
        if method == "users.info":
            user = args.get("user", "")
            profile = {"id": user, "locale": "en-US", "tz": "UTC"} | self.profiles.get(user, {})
            return {"ok": True, "user": profile}
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
