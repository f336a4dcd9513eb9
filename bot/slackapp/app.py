"""build_app(settings, services) -> AsyncApp: middleware, one error handler, every handler."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.errors import UserError
from bot.i18n import translator
from bot.services.context import Services
from bot.slackapp.middleware import BeforeEveryListener
from bot.slackapp.routing import InFlight
from bot.views.blocks import ephemeral
from bot.views.errors import failure_text, notice_modal, user_error_text

log = logging.getLogger(__name__)


def web_client(services: Services) -> AsyncWebClient:
    settings = services.settings
    return AsyncWebClient(token=settings.slack_bot_token or None, base_url=settings.slack_api_url, timeout=10)


def build_app(
    services: Services, client: AsyncWebClient | None = None, in_flight: InFlight | None = None
) -> AsyncApp:
    """The app; `in_flight` counts its listeners still running after their ack (for stopping)."""
    settings = services.settings
    app = AsyncApp(
        client=client or web_client(services),
        # bot.slackapp.server verifies HTTP requests on their raw bytes before Bolt parses them; Socket Mode
        # envelopes come over an authenticated connection.
        request_verification_enabled=False,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("slack_bolt"),
    )
    app.use(BeforeEveryListener(services))

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

    handlers.register_all(app, in_flight)
    return app


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
