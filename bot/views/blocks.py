"""Small Block Kit pieces that keep within Slack's limits."""

from __future__ import annotations

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


def divider() -> dict:
    return {"type": "divider"}


def ephemeral(text: str, blocks: list[dict] | None = None) -> dict:
    """A reply only the person who asked sees (the body of a slash command's ack)."""
    message: dict = {"response_type": "ephemeral", "text": cut(text, SECTION_TEXT_LIMIT)}
    if blocks:
        message["blocks"] = blocks
    return message
