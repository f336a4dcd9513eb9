"""Showing text in Slack's mrkdwn safely."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def escape(text: str) -> str:
    """User text shown back: `&`, `<` and `>` escaped, so it cannot ping @channel or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def when(at: datetime | None, timezone: str) -> str:
    """An instant as people in `timezone` read it; "-" for none."""
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M") if at else "-"
