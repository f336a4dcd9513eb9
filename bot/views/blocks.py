"""Small Block Kit pieces that keep within Slack's limits."""

from __future__ import annotations

from collections.abc import Callable

from bot.views.mrkdwn import cut

SECTION_TEXT_LIMIT = 3000
MESSAGE_BLOCK_LIMIT = 50


def message(text: str) -> dict:
    """A message of mrkdwn text: the text for notifications and the sections that hold it."""
    return {"text": text, "blocks": sections(text)}


def sections(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[dict]:
    """One mrkdwn section, or several when the text is longer than a section may hold.

    Splits at line breaks, then between the items of a list of people (", " or "、"), never inside
    a mention or an entity.
    """
    return [{"type": "section", "text": {"type": "mrkdwn", "text": part}} for part in _split(text, limit)]


def _split(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    for separator in ("\n", ", ", "、", " "):
        pieces = text.split(separator)
        if len(pieces) > 1:
            break
    else:
        return _cuts(text, limit)
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if len(piece) > limit:
            parts.extend(_split(piece, limit))
            current = ""
        else:
            current = piece
    if current:
        parts.append(current)
    return parts


def _cuts(text: str, limit: int) -> list[str]:
    parts = []
    while text:
        part = cut(text, limit) or text[:limit]  # one token longer than a section: cut it anyway
        parts.append(part)
        text = text[len(part) :]
    return parts


def paged(heading: str, body: list[dict], part: Callable[[int, int], str]) -> list[dict]:
    """`body` in messages of at most Slack's 50 blocks, each opening with the heading (and, when there
    are several, `part(number, count)`: which part of how many it is)."""
    per_message = MESSAGE_BLOCK_LIMIT - 1
    chunks = [body[i : i + per_message] for i in range(0, len(body), per_message)] or [[]]
    messages = []
    for number, chunk in enumerate(chunks, start=1):
        text = heading if len(chunks) == 1 else heading + " " + part(number, len(chunks))
        messages.append({"text": text, "blocks": sections(text) + chunk})
    return messages


def divider() -> dict:
    return {"type": "divider"}


def ephemeral(text: str, blocks: list[dict] | None = None) -> dict:
    """A reply only the person who asked sees (the body of a slash command's ack)."""
    message: dict = {"response_type": "ephemeral", "text": cut(text, SECTION_TEXT_LIMIT)}
    if blocks:
        message["blocks"] = blocks
    return message
