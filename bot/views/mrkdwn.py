"""Showing text in Slack's mrkdwn safely."""

from __future__ import annotations


def escape(text: str) -> str:
    """User text shown back: `&`, `<` and `>` escaped, so it cannot ping @channel or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    return f"<@{user_id}>"
