"""What the bot says when a member writes to it directly."""

from __future__ import annotations

from bot.i18n import translator
from bot.services import standup
from bot.services.context import Services
from bot.services.directory import Actor
from bot.views.blocks import sections


async def answer(services: Services, actor: Actor, *, channel: str, message_ts: str, text: str = "") -> None:
    """A reply to today's stand-up when one waits for the person's answer; otherwise what the bot
    can do."""
    if text.strip() and await standup.reply(
        services, actor, text=text, channel=channel, message_ts=message_ts
    ):
        return
    text = translator(actor.locale)("dm.help")
    async with services.unit_of_work() as session:
        await services.notices(session).post(
            f"dm-help:{channel}:{message_ts}", channel=channel, text=text, blocks=sections(text)
        )
