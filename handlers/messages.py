"""Direct messages to the bot (App Home's messages tab)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncBoltContext

from bot.services import direct_messages
from bot.slackapp.routing import Routes


async def direct_message(event: dict, context: AsyncBoltContext) -> None:
    if event.get("subtype") or event.get("bot_id") or "actor" not in context:
        return  # edits, joins and bots' messages are not someone talking to us
    await direct_messages.answer(
        context["services"],
        context["actor"],
        channel=event["channel"],
        message_ts=event["ts"],
        text=event.get("text") or "",
    )


def register(app: Routes) -> None:
    app.event({"type": "message", "channel_type": "im"})(direct_message)
