"""The pieces of Block Kit forms and buttons (modals, inputs, selects, actions), within Slack's limits."""

from __future__ import annotations

import json

from bot.views.mrkdwn import visible

TITLE_MAX, OPTION_TEXT_MAX, BUTTON_TEXT_MAX, LABEL_MAX = 24, 75, 75, 2000


def plain(text: str, limit: int = 150) -> dict:
    return {"type": "plain_text", "text": visible(text)[:limit], "emoji": True}


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


def option_group(label: str, options: list[dict]) -> dict:
    return {"label": plain(label, OPTION_TEXT_MAX), "options": options}


def select(
    action_id: str, options: list[dict], *, placeholder: str = "", initial: dict | None = None
) -> dict:
    """A static select; `options` may be option groups (see option_group) instead of options."""
    grouped = bool(options) and "label" in options[0]
    element: dict = {"type": "static_select", "action_id": action_id}
    element["option_groups" if grouped else "options"] = options
    if placeholder:
        element["placeholder"] = plain(placeholder)
    if initial is not None:
        element["initial_option"] = initial
    return element


def checkbox(action_id: str, text: str, value: str, *, ticked: bool = False) -> dict:
    """One checkbox (a checkboxes element with a single option)."""
    box = option(text, value)
    element: dict = {"type": "checkboxes", "action_id": action_id, "options": [box]}
    if ticked:
        element["initial_options"] = [box]
    return element


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict:
    element = {"type": "button", "action_id": action_id, "text": plain(text, BUTTON_TEXT_MAX), "value": value}
    if style:
        element["style"] = style
    return element


def actions(buttons: list[dict], *, block_id: str | None = None) -> dict:
    block: dict = {"type": "actions", "elements": buttons}
    if block_id:
        block["block_id"] = block_id
    return block


def modal(
    callback_id: str,
    *,
    title: str,
    close: str,
    blocks: list[dict],
    submit: str | None = None,
    metadata: dict | None = None,
) -> dict:
    """A modal; without `submit`, one that only shows something."""
    view = {"type": "modal", "callback_id": callback_id, "title": plain(title, TITLE_MAX)}
    if submit is not None:
        view["submit"] = plain(submit, TITLE_MAX)
    view["close"] = plain(close, TITLE_MAX)
    if metadata is not None:
        view["private_metadata"] = json.dumps(metadata)
    view["blocks"] = blocks
    return view


def field_errors(t, fields: dict[str, str], blocks: dict[str, str]) -> dict[str, str]:
    """A submission's errors as Slack shows them under the inputs: block_id -> message, where
    `blocks` says which input block holds each field."""
    return {blocks[field]: t(key) for field, key in fields.items()}
