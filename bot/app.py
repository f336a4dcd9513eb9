"""build_app(settings, services) -> AsyncApp: middleware, one error handler, every handler."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.errors import UserError
from bot.i18n import translator
from bot.services import deliveries, people
from bot.services.context import Services
from bot.services.directory import Actor
from bot.views.blocks import ephemeral
from bot.views.errors import failure_text, notice_modal, user_error_text

log = logging.getLogger(__name__)

# After Slack's users.info fails for a user, leave their profile alone for this long.
PROFILE_RETRY_AFTER = 3600.0
# How long a request waits for users.info before its listener runs: the listener must still ack
# within Slack's 3 s. A slower answer is kept when it comes, for the user's next request.
PROFILE_WAIT = 1.0


def web_client(services: Services) -> AsyncWebClient:
    settings = services.settings
    return AsyncWebClient(token=settings.slack_bot_token or None, base_url=settings.slack_api_url, timeout=10)


def build_app(services: Services, client: AsyncWebClient | None = None) -> AsyncApp:
    settings = services.settings
    app = AsyncApp(
        client=client or web_client(services),
        signing_secret=settings.slack_signing_secret or None,
        request_verification_enabled=bool(settings.slack_signing_secret),
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("slack_bolt"),
    )
    profile_failures: dict[str, float] = {}
    profile_fetches: dict[str, asyncio.Task] = {}
    processed = deliveries.Deliveries(services)

    @app.middleware
    async def once_per_delivery(request: AsyncBoltRequest, body: dict, next):
        """Slack retries a delivery it thinks failed; process each one once (domain of Slack's contract)."""
        key = delivery_key(body)
        if key is not None and not await processed.first(key):
            log.info("delivery %s was processed before (retry %s)", key, retry_number(request))
            return BoltResponse(status=200, body="")
        return await next()

    @app.middleware
    async def who_is_asking(context: AsyncBoltContext, next):
        context["services"] = services
        if context.user_id:
            actor = await people.actor(services, context.user_id)
            if people.needs_profile(actor, services.now()) and _may_fetch(profile_failures, context.user_id):
                actor = await _with_profile(services, context, actor, profile_failures, profile_fetches)
            context["actor"] = actor
        return await next()

    @app.error
    async def answer_the_user(error: Exception, body: dict, context: AsyncBoltContext, response, respond):
        actor = context.get("actor")
        t = translator(actor.locale if actor else settings.locale)
        if isinstance(error, UserError):
            text = user_error_text(t, error)
        else:
            reference = uuid.uuid4().hex[:8]
            log.error("request failed (reference %s)", reference, exc_info=error)
            text = failure_text(t, reference)
        # Slack shows the body of a command's or a modal's ack, but ignores a button's: a button is
        # answered through its response_url, and acknowledged as handled.
        if response is not None and body.get("type") != "block_actions":
            return _answer_in_ack(t, body, text)
        if body.get("response_url"):
            await respond(text=text, response_type="ephemeral", replace_original=False)
        if response is not None:  # not acknowledged yet: this is the acknowledgement
            return BoltResponse(status=200, body="")
        _keep_acknowledgement(context)  # last: nothing may await between this and Bolt's reset
        return None

    handlers.register_all(app)
    return app


def delivery_key(body: dict) -> str | None:
    """What identifies one delivery across Slack's retries: the event's id or the trigger's."""
    if body.get("event_id"):
        return f"{deliveries.EVENT}{body['event_id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    return None


def retry_number(request: AsyncBoltRequest) -> int:
    values = request.headers.get("x-slack-retry-num") or ["0"]
    return int(values[0]) if str(values[0]).isdigit() else 0


def _answer_in_ack(t, body: dict, text: str) -> BoltResponse:
    payload = notice_modal(t, text) if body.get("type") == "view_submission" else ephemeral(text)
    return BoltResponse(
        status=200, body=json.dumps(payload), headers={"content-type": "application/json;charset=utf-8"}
    )


def _keep_acknowledgement(context: AsyncBoltContext) -> None:
    """The listener failed after its ack(). Once this handler returns, Bolt (1.30) sets the ack's
    response to None; when that happens before Bolt sent the ack (a listener that fails within its
    10 ms poll), the request goes unanswered and Slack gets a 404 after 3 s. Put the ack back."""
    acked = context.ack.response
    if acked is not None:
        asyncio.get_running_loop().call_soon(setattr, context.ack, "response", acked)


def _may_fetch(failures: dict[str, float], user_id: str) -> bool:
    failed_at = failures.get(user_id)
    return failed_at is None or time.monotonic() - failed_at > PROFILE_RETRY_AFTER


async def _with_profile(
    services, context: AsyncBoltContext, actor, failures: dict[str, float], fetches: dict[str, asyncio.Task]
):
    """The actor with the language Slack's profile gives them, if Slack answers within PROFILE_WAIT;
    else the actor as the fallbacks (their team's language) serve them, while the one fetch per user
    goes on and keeps what it learns."""
    fetch = fetches.get(actor.user_id)
    if fetch is None:
        fetch = fetches[actor.user_id] = asyncio.create_task(
            _fetch_profile(services, context.client, actor.user_id, failures)
        )
        fetch.add_done_callback(lambda _: fetches.pop(actor.user_id, None))
    try:
        fetched, locale = await asyncio.wait_for(asyncio.shield(fetch), PROFILE_WAIT)
    except TimeoutError:
        log.info("users.info for %s is slow: answering in the fallback language meanwhile", actor.user_id)
        return actor
    if not fetched:
        return actor
    return Actor(actor.user_id, locale or actor.locale, actor.memberships, services.now())


async def _fetch_profile(
    services, client: AsyncWebClient, user_id: str, failures: dict[str, float]
) -> tuple[bool, str | None]:
    """Learn the user's language and zone from Slack (users.info, include_locale) and keep them.
    Returns whether that worked, and our locale for them if we have one."""
    try:
        reply = await client.users_info(user=user_id, include_locale=True)
        user = reply.get("user") or {}
        locale = await people.remember_profile(
            services, user_id, slack_locale=user.get("locale"), timezone=user.get("tz")
        )
    except Exception as exc:  # Slack unreachable or refusing: the fallbacks serve meanwhile
        failures[user_id] = time.monotonic()
        log.warning("users.info for %s failed: %s", user_id, exc)
        return False, None
    failures.pop(user_id, None)
    return True, locale
