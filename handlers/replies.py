"""What a command's listener does with an answer of several messages (no listeners here)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncRespond


async def in_order(ack: AsyncAck, respond: AsyncRespond, messages: list[dict]) -> None:
    """The first message in the ack, the rest (a long answer) through the response_url, in order."""
    await ack(messages[0])
    for message in messages[1:]:
        await respond(**message)
