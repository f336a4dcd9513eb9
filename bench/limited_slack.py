"""The fake Slack Web API with Slack's rate limits: token buckets that answer 429 with Retry-After.

Slack's figures (https://api.slack.com/apis/rate-limits), and the choices where Slack gives none:

- chat.postMessage, per channel: 1 per second, "short bursts >1 allowed" (we allow 3);
- chat.postMessage, per workspace: Slack documents a workspace-wide limit without a figure; we take
  300 per minute with a burst of 20 ("several hundred messages per minute" is the folklore figure);
- conversations.open: Tier 3, "50+ per minute, sporadic bursts are welcome": 50 per minute, burst 5.

A refused call takes no token. Retry-After is what Slack sends: whole seconds, at least 1, rounded up
from the time until the bucket holds a token again.

`speedup` compresses time: every rate is multiplied by it. Retry-After cannot shrink below 1 s, so a
bucket must then hold at least what one Retry-After lets accumulate: a client that waits exactly
Retry-After and then calls at once would otherwise find tokens thrown away, and the fake's rounding,
not Slack, would set its pace. Each bucket therefore holds max(burst, ceil(rate x 1 s) + 1) tokens
(the worst case: just under one token left at the 429, then a whole second of rate). At speedup 1 with
the figures above every bucket keeps Slack's own burst.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from tests.slack.fake_api import Call, FakeSlack


@dataclass(frozen=True)
class Limit:
    """One of Slack's limits, in real time: `per_minute` calls, `burst` of them at once."""

    method: str
    scope: str  # "workspace", or "channel": one bucket per channel
    per_minute: float
    burst: int

    def rate(self, speedup: float) -> float:
        """Tokens per second after compressing time by `speedup`."""
        return self.per_minute / 60 * speedup

    def capacity(self, speedup: float) -> int:
        return max(self.burst, math.ceil(self.rate(speedup)) + 1)

    @property
    def name(self) -> str:
        return f"{self.method} per {self.scope}"


SLACK_LIMITS = (
    Limit("chat.postMessage", "channel", per_minute=60, burst=3),
    Limit("chat.postMessage", "workspace", per_minute=300, burst=20),
    Limit("conversations.open", "workspace", per_minute=50, burst=5),
)


@dataclass
class Bucket:
    rate: float
    capacity: int
    tokens: float
    updated: float
    # Tokens that overflowed a full bucket after its first call: rate the client left unused.
    unused: float = 0.0
    used: int = 0

    def refill(self, now: float) -> None:
        tokens = self.tokens + (now - self.updated) * self.rate
        if tokens > self.capacity:
            if self.used:
                self.unused += tokens - self.capacity
            tokens = self.capacity
        self.tokens, self.updated = tokens, now

    def wait(self, now: float) -> float:
        """Seconds until this bucket holds a token (0: it holds one now)."""
        self.refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1
        self.used += 1


def retry_after(wait: float) -> int:
    """Slack's header: whole seconds, rounded up, at least 1."""
    return max(1, math.ceil(wait))


@dataclass
class LimitedSlack(FakeSlack):
    speedup: float = 1.0
    limits: tuple[Limit, ...] = SLACK_LIMITS
    rate_limited: Counter = field(default_factory=Counter)
    buckets: dict[tuple[Limit, str], Bucket] = field(default_factory=dict)

    def bucket(self, limit: Limit, key: str, now: float) -> Bucket:
        found = self.buckets.get((limit, key))
        if found is None:
            capacity = limit.capacity(self.speedup)
            found = self.buckets[(limit, key)] = Bucket(limit.rate(self.speedup), capacity, capacity, now)
        return found

    def admit(self, method: str, channel: str | None, now: float) -> int:
        """Take a token from every bucket the call passes through; or the Retry-After, taking none."""
        buckets = [
            self.bucket(limit, (channel or "") if limit.scope == "channel" else "", now)
            for limit in self.limits
            if limit.method == method
        ]
        wait = max((b.wait(now) for b in buckets), default=0.0)
        if wait > 0:
            return retry_after(wait)
        for b in buckets:
            b.take()
        return 0

    def unused(self, limit: Limit) -> float:
        """Calls the limit would have let through that nobody made (summed over its buckets)."""
        return sum(b.unused for (lim, _), b in self.buckets.items() if lim == limit)

    def _answer(self, method: str, args: dict) -> dict:
        # The fake calls this once a request is parsed and valid, before recording it as answered.
        wait = self.admit(method, args.get("channel"), time.monotonic())
        if wait:
            self.rate_limited[method] += 1
            self.refused.append(Call(method, args, time.monotonic()))
            raise web.HTTPTooManyRequests(
                text=json.dumps({"ok": False, "error": "ratelimited"}),
                content_type="application/json",
                headers={"Retry-After": str(wait)},
            )
        return super()._answer(method, args)
