"""The words a user sees when something is refused or fails."""

from __future__ import annotations

from bot.errors import UserError
from bot.i18n import Translator
from bot.views.blocks import message
from bot.views.mrkdwn import cut, escape, mention


def user_error_text(t: Translator, error: UserError) -> str:
    params = {
        name: mention(str(value)) if name == "person" else _shown(t, name, value)
        for name, value in error.params.items()
    }
    return t(error.key, **params)


def _shown(t: Translator, name: str, value: object) -> str:
    if name == "role":
        return t(f"role.{value}")
    if isinstance(value, list | tuple):  # a list of codes or names, written as the language lists
        return t.join(escape(str(v)) for v in value)
    return escape(str(value))


def refusal(t: Translator, error: UserError) -> dict:
    """A refusal told to the person alone, after Slack was answered."""
    return message(user_error_text(t, error))


def failure_text(t: Translator, reference: str) -> str:
    return t("error.generic", ref=reference)


def notice_modal(t: Translator, text: str) -> dict:
    """A modal submission cannot answer with a message: it pushes a small modal that says it."""
    return {
        "response_action": "push",
        "view": {
            "type": "modal",
            "title": {"type": "plain_text", "text": t("error.title")[:24]},
            "close": {"type": "plain_text", "text": t("common.close")[:24]},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": cut(text, 3000)}}],
        },
    }
