"""A client that sends requests to the app exactly as Slack signs them (v0 HMAC-SHA256 over
`v0:{timestamp}:{body}` with the signing secret, in X-Slack-Signature and X-Slack-Request-Timestamp)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from urllib.parse import urlencode

import httpx

_ids = itertools.count(1)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SignedSlack:
    """Slack's side of the HTTP conversation with the app."""

    def __init__(
        self, base_url: str, secret: str, *, team_id: str = "T0TEAM001", response_url_base: str = ""
    ):
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)
        self.secret = secret
        self.team_id = team_id
        self.response_url_base = response_url_base

    async def aclose(self) -> None:
        await self.http.aclose()

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: float | None = None,
        secret: str | None = None,
        headers: dict | None = None,
    ) -> httpx.Response:
        ts = str(int(timestamp if timestamp is not None else time.time()))
        signed = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(secret or self.secret, ts, body),
            **(headers or {}),
        }
        return await self.http.post("/slack/events", content=body, headers=signed)

    def command_body(
        self, user: str, command: str, text: str = "", *, trigger_id: str | None = None
    ) -> bytes:
        n = next(_ids)
        form = {
            "token": "legacy-unused",
            "team_id": self.team_id,
            "team_domain": "example",
            "channel_id": "C0CHAN001",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0APP0001",
            "is_enterprise_install": "false",
            "response_url": f"{self.response_url_base}{n}",
            "trigger_id": trigger_id or f"{n}.{n}.trigger{n:06d}",
        }
        return urlencode(form).encode()

    async def command(self, user: str, command: str, text: str = "", **kwargs) -> httpx.Response:
        return await self.post(
            self.command_body(user, command, text), "application/x-www-form-urlencoded", **kwargs
        )

    async def interaction(self, payload: dict, **kwargs) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def event_body(self, event: dict, *, event_id: str | None = None) -> bytes:
        n = next(_ids)
        envelope = {
            "token": "legacy-unused",
            "team_id": self.team_id,
            "api_app_id": "A0APP0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{n:08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "UBOT0001", "is_bot": True}],
        }
        return json.dumps(envelope).encode()

    async def event(self, event: dict, **kwargs) -> httpx.Response:
        return await self.post(self.event_body(event), "application/json", **kwargs)


def direct_message(user: str, text: str = "hi", *, channel: str = "D01BBB", ts: str = "1.2") -> dict:
    """A message.im event: someone writing to the bot in its Messages tab, as Slack sends it."""
    return {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text, "ts": ts}
