"""Slack's deliveries: each one processed once, however often Slack retries it or anyone replays it,
whichever process it reaches, before or after a restart."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from datetime import datetime, timedelta

from bot.services.context import Services
from storage import requests as repo

log = logging.getLogger(__name__)

EVENT = "event:"
# Slack retries an event three times within about an hour; its keys are kept well past that.
KEEP_EVENT_KEYS_FOR = timedelta(days=2)
# Commands and interactions are signed with their time and a signature older than 5 minutes is
# refused: a replay of one never gets past that, so their keys need not outlive it.
KEEP_OTHER_KEYS_FOR = timedelta(minutes=5)


def key_of(body: dict) -> str | None:
    """What identifies one delivery across Slack's retries and replays; None for what may repeat."""
    if body.get("event_id"):
        return f"{EVENT}{body['event_id']}"
    if body.get("trigger_id"):  # commands, shortcuts, block_actions, view_submission
        return f"trigger:{body['trigger_id']}"
    kind = body.get("type")
    view = body.get("view") or {}
    if kind == "view_closed" and view.get("id"):
        return f"closed:{view['id']}"  # a view is closed once
    actions = body.get("actions") or []
    if kind == "block_actions" and actions and isinstance(actions[0], dict) and actions[0].get("action_ts"):
        # Slack stamps each press with its own instant.
        return f"action:{(body.get('user') or {}).get('id')}:{actions[0]['action_ts']}"
    return None  # block_suggestion: a read, harmless to repeat


async def first_delivery(services: Services, key: str) -> bool:
    """Record a delivery's key; False when it was processed before."""
    async with services.unit_of_work() as session:
        return await repo.record(session, key, services.now())


class Deliveries:
    """Which deliveries have been processed: recorded in the database, so that every process and a
    restart see them.

    The keys of requests that arrive together share one short write: while one is written, the next
    requests' keys gather for the next, so concurrent requests do not queue one by one for SQLite's
    single writer. When the write fails (the database locked by another process, or unreachable),
    this process's own memory of the keys it saw still drops a repeat that reaches it, and the
    request goes on: its own write then says plainly whether it could save. The memory also spares
    a repeat the write.
    """

    def __init__(self, services: Services, remember: int = 10_000) -> None:
        self.services = services
        self.remember = remember
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._waiting: dict[str, asyncio.Future[bool]] = {}
        self._writer: asyncio.Task | None = None

    async def first(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self.remember:
            self._seen.popitem(last=False)
        try:
            return await self._recorded(key)
        except Exception as exc:
            reason = (str(exc).splitlines() or [type(exc).__name__])[0]  # one line, not SQLAlchemy's SQL
            log.warning(
                "delivery %s: its key could not be recorded (%s); only this process knows it", key, reason
            )
            return True

    def _recorded(self, key: str) -> asyncio.Future[bool]:
        """Whether the key was recorded new, once the next write is done."""
        future = asyncio.get_running_loop().create_future()
        self._waiting[key] = future
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return future

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            try:
                async with self.services.unit_of_work() as session:
                    new = await repo.record_all(session, list(batch), self.services.now())
            except Exception as exc:
                for future in batch.values():
                    if not future.done():  # its request may have gone (cancelled)
                        future.set_exception(exc)
            else:
                for key, future in batch.items():
                    if not future.done():
                        future.set_result(key in new)


async def forget_old(services: Services, at: datetime) -> int:
    """Forget the keys too old for a retry or a replay to reach us as of `at`; how many."""
    async with services.unit_of_work() as session:
        events = await repo.forget_before(session, at - KEEP_EVENT_KEYS_FOR, prefix=EVENT)
        others = await repo.forget_before(session, at - KEEP_OTHER_KEYS_FOR, prefix=EVENT, matching=False)
    return events + others
