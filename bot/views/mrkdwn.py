"""Showing text in Slack's mrkdwn safely."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

# Characters that reorder or hide what is shown (bidirectional embeddings, overrides and isolates,
# zero-width spaces, joiners and marks, the byte order mark): user text could make a line read other
# than it is, or hide a difference between two names.
_INVISIBLE = dict.fromkeys(
    [
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2065),
        *range(0x2066, 0x206A),
        0x061C,
        0xFEFF,
    ]
)
# mrkdwn has no escape for its markers: in a name, each becomes its full-width form (as CJK text
# writes them anyway), which Slack does not read as formatting.
_MARKERS = str.maketrans({"*": "＊", "_": "＿", "~": "～", "`": "｀"})
# What a cut must not fall inside: an entity escape() writes, or a mention, channel or link.
_UNBREAKABLE = re.compile(r"&(?:amp|lt|gt);|<[^<>\s]*(?:\|[^<>]*)?>")


def visible(text: str) -> str:
    """User text without the characters that reorder or hide what is shown."""
    return text.translate(_INVISIBLE)


def escape(text: str) -> str:
    """User text shown back: visible, and `&`, `<` and `>` escaped, so it cannot ping @channel or
    forge a link."""
    return visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def name(text: str) -> str:
    """A name shown inside our own formatting (a team name in a bold heading, a title, a project):
    escaped, and its mrkdwn markers shown as themselves, so `*bold*` cannot end the heading's bold."""
    return escape(text).translate(_MARKERS)


def cut(text: str, limit: int) -> str:
    """The longest start of mrkdwn `text` within `limit` characters that does not end inside an
    entity (`&amp;`) or a mention (`<@U1>`)."""
    if len(text) <= limit:
        return text
    for token in _UNBREAKABLE.finditer(text):
        if token.start() >= limit:
            break
        if token.end() > limit:
            return text[: token.start()]
    return text[:limit]


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def when(at: datetime | None, timezone: str) -> str:
    """An instant as people in `timezone` read it; "-" for none."""
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M") if at else "-"
