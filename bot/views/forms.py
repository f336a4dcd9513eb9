"""The pieces of a Block Kit form (a modal with inputs), within Slack's limits for each."""

from __future__ import annotations

import json

TITLE_MAX, OPTION_TEXT_MAX, LABEL_MAX = 24, 75, 2000


def plain(text: str, limit: int = 150) -> dict:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def option(text: str, value: str) -> dict:
    return {"text": plain(text, OPTION_TEXT_MAX), "value": value}


def input_block(
    block_id: str, label: str, element: dict, *, optional: bool = False, hint: str | None = None
) -> dict:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, LABEL_MAX),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, LABEL_MAX)
    return block


def text_input(
    action_id: str, *, max_length: int, initial: str = "", multiline: bool = False, placeholder: str = ""
) -> dict:
    element = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if placeholder:
        element["placeholder"] = plain(placeholder)
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def modal(
    callback_id: str, *, title: str, submit: str, close: str, metadata: dict, blocks: list[dict]
) -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, TITLE_MAX),
        "submit": plain(submit, TITLE_MAX),
        "close": plain(close, TITLE_MAX),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }
