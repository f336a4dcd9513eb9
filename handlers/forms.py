"""What every form's submission listener does with the service's answer (no listeners here)."""

from __future__ import annotations

from collections.abc import Awaitable

from slack_bolt.async_app import AsyncAck

from bot.errors import InvalidForm
from bot.i18n import translator
from bot.services.directory import Actor
from bot.views.forms import field_errors


async def answer(ack: AsyncAck, actor: Actor, submit: Awaitable[object], blocks: dict[str, str]) -> None:
    """The service checks and applies the submission, then Slack gets the ack; or the fields that
    are wrong, shown inline under their inputs (`blocks`: which block holds each field), and nothing
    was stored."""
    try:
        await submit
    except InvalidForm as invalid:
        t = translator(actor.locale)
        await ack(response_action="errors", errors=field_errors(t, invalid.fields, blocks))
        return
    await ack()
