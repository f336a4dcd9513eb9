"""The only way out to Slack.

Services write notices into the outbox in the same transaction as the change that causes them
(`post`, `update`, `ephemeral`, `dm`, `publish_home`); the Sender drains the outbox through the Web
API: it honours 429 Retry-After per lane, and per method for the methods called without a channel
(leaving the rows that need such a method in the outbox until Slack lets it through again), retries
5xx and connection errors with exponential backoff and jitter, gives up after a bounded time, and
records where each message landed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserError
from storage import outbox as repo
from storage.database import UNAVAILABLE, Database, one_line
from storage.models import OutboxRow

log = logging.getLogger(__name__)

# Slack's errors that say "try again later"; every other error is an answer no retry will change.
TRANSIENT_ERRORS = frozenset({"fatal_error", "internal_error", "service_unavailable", "request_timeout"})

# The notice kinds that call a Web API method without a channel, which a 429 holds as a whole. A DM
# calls conversations.open too, until its person's IM channel is known.
CHANNELLESS_METHOD = {"home": "views_publish"}
OPEN_IM = "conversations_open"

# A sender claims the rows it sends for this long and renews the claims every third of it while it
# works on them (a Slack call may take its 30 s timeout). A sender that was killed renews nothing:
# the rows it held, and the lanes behind them, are free again within this time.
CLAIM_SECONDS = 10.0


# -- enqueueing: inside the caller's unit of work ---------------------------------------------


@dataclass(frozen=True)
class Enqueuer:
    """Writes notices into the outbox of the caller's session, stamped with the caller's clock."""

    session: AsyncSession
    now: datetime
    give_up_after: timedelta = timedelta(hours=24)

    MARK = "teamops.notices"

    async def _add(self, key: str, kind: str, lane: str, **values) -> bool:
        self.session.info[self.MARK] = True
        return await repo.add(
            self.session,
            key=key,
            kind=kind,
            lane=lane[:64],
            status=repo.PENDING,
            attempts=0,
            created_at=self.now,
            next_attempt_at=self.now,
            give_up_at=self.now + self.give_up_after,
            **values,
        )

    async def post(
        self, key: str, *, channel: str, text: str, blocks: list | None = None, thread_of: str | None = None
    ) -> bool:
        """A message in a channel; in the thread of the notice `thread_of` when given."""
        return await self._add(
            key, "post", channel, channel=channel, payload=_message(text, blocks), ref_key=thread_of
        )

    async def update(self, key: str, *, of: str, text: str, blocks: list | None = None) -> bool:
        """Replace the message that the notice `of` posted. It joins that notice's lane, so it follows it."""
        original = await repo.by_key(self.session, of)
        if original is None:
            raise ValueError(f"no notice {of!r} to update")
        return await self._add(
            key, "update", original.lane, channel=original.channel, payload=_message(text, blocks), ref_key=of
        )

    async def ephemeral(
        self, key: str, *, channel: str, user: str, text: str, blocks: list | None = None
    ) -> bool:
        return await self._add(
            key, "ephemeral", channel, channel=channel, user_id=user, payload=_message(text, blocks)
        )

    async def dm(self, key: str, *, user: str, text: str, blocks: list | None = None) -> bool:
        """A direct message from the bot (the IM is opened once per person and kept)."""
        return await self._add(key, "dm", f"dm:{user}", user_id=user, payload=_message(text, blocks))

    async def respond(
        self, key: str, *, response_url: str, user: str, text: str, blocks: list | None = None
    ) -> bool:
        """An ephemeral answer through a command's or a button's response_url: it reaches the user in
        the channel they typed in, even one the bot is not a member of."""
        message = {**_message(text, blocks), "response_type": "ephemeral", "replace_original": False}
        return await self._add(
            key, "respond", f"respond:{user}", user_id=user, payload={"url": response_url, "message": message}
        )

    async def publish_home(self, key: str, *, user: str, view: dict) -> bool:
        return await self._add(key, "home", f"home:{user}", user_id=user, payload={"view": view})


def _message(text: str, blocks: list | None) -> dict:
    payload: dict = {"text": text}
    if blocks:
        payload["blocks"] = blocks
    return payload


# -- modals: bound to a trigger that lives 3 s, so they go out at once, not through the outbox ----


async def open_modal(client: AsyncWebClient, *, trigger_id: str, view: dict) -> str:
    """Open a modal for the user who pressed or typed something; returns the view's id. When Slack
    cannot be reached (a connection error, a timeout, a 5xx) the person is told so plainly rather
    than getting nothing or "something went wrong", and the reason is logged in one line. There is
    no retrying: the trigger lives 3 s."""
    try:
        reply = await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        if exc.response.status_code < 500:
            raise
        reason = f"views.open: HTTP {exc.response.status_code}"
    except Exception as exc:
        if (retry := _transient(exc, "views.open")) is None:
            raise
        reason = str(retry)
    else:
        return reply["view"]["id"]
    log.warning("could not open a form, Slack unreachable: %s", reason)
    raise UserError("error.slack_unreachable")


async def push_modal(client: AsyncWebClient, *, trigger_id: str, view: dict) -> str:
    reply = await client.views_push(trigger_id=trigger_id, view=view)
    return reply["view"]["id"]


async def update_modal(client: AsyncWebClient, *, view_id: str, view: dict) -> None:
    await client.views_update(view_id=view_id, view=view)


# -- sending ------------------------------------------------------------------------------------


class Retry(Exception):
    """Try this row again later: after `after` seconds when Slack said so (429), else by backoff."""

    def __init__(self, reason: str, after: float | None = None):
        super().__init__(reason)
        self.after = after


class Held(Exception):
    """Slack holds the method this row needs for `seconds` more: it goes back to the outbox untried."""

    def __init__(self, method: str, seconds: float):
        super().__init__(f"{method} held by Slack's rate limit")
        self.seconds = seconds


class Dead(Exception):
    """This row can never be sent."""


@dataclass
class SenderStats:
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    # Rows handed back untried, in one write per batch, because Slack held the method they need.
    held: int = 0
    dead: int = 0


class Sender:
    """Drains the outbox. One per process; on PostgreSQL several processes can drain one outbox."""

    def __init__(
        self,
        db: Database,
        client: AsyncWebClient,
        *,
        now: Callable[[], datetime],
        concurrency: int = 16,
        poll_seconds: float = 1.0,
        base_backoff: float = 1.0,
        max_backoff: float = 300.0,
        claim_seconds: float = CLAIM_SECONDS,
    ) -> None:
        self.db = db
        self.client = client
        self.now = now
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.claim_for = timedelta(seconds=claim_seconds)
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stats = SenderStats()
        self._wake = asyncio.Event()
        # Methods that answered 429 without a channel to blame (conversations.open, views.publish):
        # held until then. On the sender's clock, which also says when the rows they hold are due.
        self._method_held_until: dict[str, datetime] = {}

    def wake(self) -> None:
        """Something was enqueued: drain now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        log.info("outbox sender %s started", self.name)
        while not stop.is_set():
            # Cleared before draining, so that a row enqueued while this drain runs wakes the next.
            self._wake.clear()
            try:
                busy = await self.drain_once()
            except UNAVAILABLE as exc:
                log.warning(
                    "outbox sender: the database is unavailable (%s); trying again shortly", one_line(exc)
                )
                busy = 0
            except Exception:
                log.exception("outbox sender: draining failed; trying again shortly")
                busy = 0
            if busy:
                continue
            # A held method's rows are due the moment the hold ends, not at the next poll.
            idle = min([self.poll_seconds, *self._held().values()])
            waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waits, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waits:
                waiter.cancel()

    async def drain_once(self) -> int:
        """Send every row that is due now, lanes in parallel. Returns how many rows were claimed.

        Whether anything is due is read first: an idle sender never takes SQLite's write lock. The
        rows that need a method Slack holds are not claimed; those claimed before the hold began go
        back to the outbox together once the batch is done."""
        held = self._held()
        due = {
            "now": self.now(),
            "leave_kinds": [kind for kind, method in CHANNELLESS_METHOD.items() if method in held],
            "leave_unopened_dms": OPEN_IM in held,
        }
        async with self.db.reader() as session:
            if not await repo.any_due(session, **due):
                return 0
        async with self.db.unit_of_work() as session:
            rows = await repo.claim(
                session, holder=self.name, hold_for=self.claim_for, limit=self.concurrency * 4, **due
            )
            claimed = [row.id for row in rows]
        if not claimed:
            return 0
        gate = asyncio.Semaphore(self.concurrency)
        untried: dict[int, float] = {}
        in_flight = set(claimed)
        done = asyncio.Event()

        async def one(row_id: int) -> None:
            async with gate:
                try:
                    await self._deliver(row_id)
                except Held as hold:
                    untried[row_id] = hold.seconds
                finally:
                    in_flight.discard(row_id)

        renewing = asyncio.create_task(self._keep_claims(in_flight, done))
        try:
            await asyncio.gather(*(one(row_id) for row_id in claimed))
        finally:
            done.set()
            await renewing
        if untried:
            await self._hand_back(untried)
        return len(claimed)

    async def _keep_claims(self, in_flight: set[int], done: asyncio.Event) -> None:
        """Renew this sender's claims on the rows it still works on until `done`."""
        while True:
            try:
                await asyncio.wait_for(done.wait(), self.claim_for.total_seconds() / 3)
                return
            except TimeoutError:
                pass
            if not in_flight:
                continue
            try:
                async with self.db.unit_of_work() as session:
                    await repo.renew(
                        session, sorted(in_flight), holder=self.name, until=self.now() + self.claim_for
                    )
            except Exception as exc:  # the claims may lapse; the next renewal tries again
                reason = (str(exc).splitlines() or [type(exc).__name__])[0]
                log.warning("outbox sender: renewing its claims failed: %s", reason)

    async def drain(self, *, within: float = 60.0) -> None:
        """Send until nothing is due (tests and the CLI): rows waiting on a retry are left pending."""
        deadline = time.monotonic() + within
        while await self.drain_once() and time.monotonic() < deadline:
            pass

    async def _deliver(self, row_id: int) -> None:
        async with self.db.reader() as session:
            row = await repo.get(session, row_id)
            ref = await repo.by_key(session, row.ref_key) if row and row.ref_key else None
            im = await repo.im_channel(session, row.user_id) if row and row.kind == "dm" else None
        if row is None or row.status != repo.PENDING:
            return
        try:
            channel, ts, opened_im = await self._call(row, ref, im)
        except Retry as retry:
            await self._retry(row, retry)
        except Dead as dead:
            await self._finish(row, status=repo.DEAD, error=str(dead))
        else:
            await self._finish(row, status=repo.SENT, channel=channel, ts=ts, im=opened_im)

    async def _call(self, row: OutboxRow, ref: OutboxRow | None, im: str | None):
        payload = dict(row.payload)
        opened_im = None
        if row.kind == "post":
            if row.ref_key:
                payload["thread_ts"] = _posted(ref, row.ref_key)[1]
            reply = await self._api("chat_postMessage", channel=row.channel, **payload)
        elif row.kind == "update":
            channel, ts = _posted(ref, row.ref_key)
            reply = await self._api("chat_update", channel=channel, ts=ts, **payload)
        elif row.kind == "ephemeral":
            reply = await self._api("chat_postEphemeral", channel=row.channel, user=row.user_id, **payload)
        elif row.kind == "dm":
            if im is None:
                opened = await self._api("conversations_open", users=row.user_id)
                im = opened_im = opened["channel"]["id"]
            reply = await self._api("chat_postMessage", channel=im, **payload)
        elif row.kind == "respond":
            await self._respond(payload["url"], payload["message"])
            return None, None, None
        elif row.kind == "home":
            reply = await self._api("views_publish", user_id=row.user_id, view=payload["view"])
            return None, None, None
        else:
            raise Dead(f"unknown notice kind {row.kind!r}")
        return reply.get("channel") or row.channel, reply.get("ts") or reply.get("message_ts"), opened_im

    def _held(self) -> dict[str, float]:
        """The methods Slack holds now, with the seconds each is held for."""
        now = self.now()
        return {
            method: (until - now).total_seconds()
            for method, until in self._method_held_until.items()
            if until > now
        }

    async def _hand_back(self, untried: dict[int, float]) -> None:
        """Return the rows that met a held method to the outbox in one write, due when it ends."""
        async with self.db.unit_of_work() as session:
            await repo.defer(session, untried, until=self.now() + timedelta(seconds=max(untried.values())))
        self.stats.held += len(untried)

    async def _api(self, method: str, **kwargs):
        held = self._held().get(method)
        if held:
            raise Held(method, held)
        try:
            return await getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            if status == 429:
                after = _retry_after(exc.response.headers)
                if "channel" not in kwargs:  # nothing but the method to blame: hold all of it
                    until = self.now() + timedelta(seconds=after)
                    self._method_held_until[method] = max(until, self._method_held_until.get(method, until))
                raise Retry(f"{method}: rate limited", after) from None
            if status >= 500 or error in TRANSIENT_ERRORS or not error:
                raise Retry(f"{method}: HTTP {status} {error or ''}".strip()) from None
            raise Dead(f"{method}: {error}") from None
        except Exception as exc:
            if (retry := _transient(exc, method)) is not None:
                raise retry from None
            raise

    async def _respond(self, url: str, message: dict) -> None:
        try:
            reply = await AsyncWebhookClient(url, timeout=10).send_dict(message)
        except Exception as exc:
            if (retry := _transient(exc, "response_url")) is not None:
                raise retry from None
            raise
        if reply.status_code == 429:
            raise Retry("response_url: rate limited", _retry_after(reply.headers))
        if reply.status_code >= 500:
            raise Retry(f"response_url: HTTP {reply.status_code}")
        if reply.status_code != 200:
            # 404: the URL expired (they last 30 minutes) or was used up.
            raise Dead(f"response_url: HTTP {reply.status_code} {reply.body}")

    async def _retry(self, row: OutboxRow, retry: Retry) -> None:
        now = self.now()
        if retry.after is not None:
            self.stats.rate_limited += 1
            delay = retry.after
            attempts = row.attempts  # Slack asked us to wait: not a failed attempt
        else:
            self.stats.retried += 1
            attempts = row.attempts + 1
            delay = min(self.max_backoff, self.base_backoff * 2 ** (attempts - 1)) * random.uniform(0.5, 1.0)
        if now + timedelta(seconds=delay) > row.give_up_at:
            await self._finish(row, status=repo.DEAD, error=f"gave up: {retry}")
            return
        async with self.db.unit_of_work() as session:
            current = await repo.get(session, row.id)
            current.attempts = attempts
            current.next_attempt_at = now + timedelta(seconds=delay)
            current.claimed_by = None
            current.claimed_until = None
            current.last_error = str(retry)[:500]

    async def _finish(
        self, row: OutboxRow, *, status: str, error: str | None = None, channel=None, ts=None, im=None
    ) -> None:
        async with self.db.unit_of_work() as session:
            current = await repo.get(session, row.id)
            current.status = status
            current.claimed_by = None
            current.claimed_until = None
            current.last_error = error[:500] if error else None
            if status == repo.SENT:
                current.sent_at = self.now()
                current.posted_channel = channel
                current.posted_ts = ts
            if im:
                await repo.remember_im_channel(session, row.user_id, im)
        if status == repo.SENT:
            self.stats.sent += 1
        else:
            self.stats.dead += 1
            log.warning("outbox: notice %s is dead: %s", row.key, error)


def _posted(ref: OutboxRow | None, key: str | None) -> tuple[str, str]:
    """Where the referenced notice's message landed; it is sent first, being earlier in the lane."""
    if ref is None:
        raise Dead(f"the notice {key} it refers to does not exist")
    if ref.status == repo.DEAD:
        raise Dead(f"the notice {key} it refers to was never posted")
    if ref.status != repo.SENT or not ref.posted_ts:
        raise Retry(f"the notice {key} it refers to is not posted yet")
    return ref.posted_channel or ref.channel or "", ref.posted_ts


def _transient(exc: Exception, what: str) -> Retry | None:
    """A Retry when `exc` is a timeout or a connection error (the OS's or aiohttp's), else None."""
    if isinstance(exc, TimeoutError | OSError) or type(exc).__module__.startswith("aiohttp"):
        return Retry(f"{what}: {type(exc).__name__}: {exc}")
    return None


def _retry_after(headers) -> float:
    """Slack's Retry-After, in seconds (header names' case and list-valued headers vary by client)."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), 1)
    if isinstance(value, list | tuple):
        value = value[0] if value else 1
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return 1.0
