"""What runs before every listener: Slack's retries of what was processed are dropped, and the
context gets the services and who is asking (their teams, roles and language)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import deliveries, people
from bot.services.context import Services, on_the_request_path
from bot.services.directory import Actor

log = logging.getLogger(__name__)

# After Slack's users.info fails for a user, leave their profile alone for this long.
PROFILE_RETRY_AFTER = 3600.0
# How long a request waits for users.info before its listener runs: the listener must still ack
# within Slack's 3 s. A slower answer is kept when it comes, for the user's next request.
PROFILE_WAIT = 1.0


class BeforeEveryListener(AsyncMiddleware):
    """A class, as Bolt's own middleware are: Bolt calls it as it is, where for a middleware function
    it first builds every argument a listener could ask for, on every request."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.processed = deliveries.Deliveries(services)
        self.profile_failures: dict[str, float] = {}
        self.profile_fetches: dict[str, asyncio.Task] = {}

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        # From here on, what this request writes (its delivery key first) waits briefly for the lock;
        # the listeners' tasks inherit it.
        on_the_request_path()
        if await self.is_a_repeat(req):
            return BoltResponse(status=200, body="")
        context = req.context
        context["services"] = self.services
        if context.user_id:
            context["actor"] = await self.who_is_asking(context.user_id, context.client)
        return await next()

    async def is_a_repeat(self, req: AsyncBoltRequest) -> bool:
        """Slack retries a delivery it thinks failed; each is processed once (Slack's contract)."""
        key = deliveries.key_of(req.body)
        if key is None or await self.processed.first(key):
            return False
        log.info("delivery %s was processed before (retry %s)", key, retry_number(req))
        return True

    async def who_is_asking(self, user_id: str, client: AsyncWebClient) -> Actor:
        actor = await people.actor(self.services, user_id)
        if people.needs_profile(actor, self.services.now()) and self._may_fetch(user_id):
            actor = await self._with_profile(actor, client)
        return actor

    def _may_fetch(self, user_id: str) -> bool:
        failed_at = self.profile_failures.get(user_id)
        return failed_at is None or time.monotonic() - failed_at > PROFILE_RETRY_AFTER

    async def _with_profile(self, actor: Actor, client: AsyncWebClient) -> Actor:
        """The actor with the language Slack's profile gives them, if Slack answers within PROFILE_WAIT;
        else the actor as the fallbacks (their team's language) serve them, while the one fetch per
        user goes on and keeps what it learns."""
        user_id = actor.user_id
        fetch = self.profile_fetches.get(user_id)
        if fetch is None:
            fetch = self.profile_fetches[user_id] = asyncio.create_task(self._fetch_profile(client, user_id))
            fetch.add_done_callback(lambda _: self.profile_fetches.pop(user_id, None))
        try:
            fetched, locale = await asyncio.wait_for(asyncio.shield(fetch), PROFILE_WAIT)
        except TimeoutError:
            log.info("users.info for %s is slow: answering in the fallback language meanwhile", user_id)
            return actor
        if not fetched:
            return actor
        return replace(actor, locale=locale or actor.locale, profile_fetched_at=self.services.now())

    async def _fetch_profile(self, client: AsyncWebClient, user_id: str) -> tuple[bool, str | None]:
        """Learn the user's language and zone from Slack (users.info, include_locale) and keep them.
        Returns whether that worked, and our locale for them if we have one."""
        try:
            reply = await client.users_info(user=user_id, include_locale=True)
            user = reply.get("user") or {}
            locale = await people.remember_profile(
                self.services,
                user_id,
                slack_locale=user.get("locale"),
                timezone=user.get("tz"),
                name=(user.get("profile") or {}).get("display_name")
                or user.get("real_name")
                or user.get("name"),
            )
        except Exception as exc:  # Slack unreachable or refusing: the fallbacks serve meanwhile
            self.profile_failures[user_id] = time.monotonic()
            log.warning("users.info for %s failed: %s", user_id, exc)
            return False, None
        self.profile_failures.pop(user_id, None)
        return True, locale


def retry_number(request: AsyncBoltRequest) -> int:
    values = request.headers.get("x-slack-retry-num") or ["0"]
    return int(values[0]) if str(values[0]).isdigit() else 0
