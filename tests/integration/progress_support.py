"""Slack's side of the progress conversation: the interaction payloads Slack sends when a member fills
in the report modal or presses a button, shaped like the real ones (../shared/slack/payloads/)."""

from __future__ import annotations

import itertools
import json

from slack_sdk.models.blocks import Block

from tests.slack.fake_api import FakeSlack, validate_message

_ids = itertools.count(1)
TEAM = {"id": "T0TEAM001", "domain": "example", "enterprise_id": "", "enterprise_name": ""}


def _user(user_id: str) -> dict:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM["id"]}


def _envelope(kind: str, user_id: str) -> dict:
    """What every interaction payload carries: its type, the workspace, the user, the app."""
    return {
        "type": kind,
        "team": TEAM,
        "user": _user(user_id),
        "api_app_id": "A0APP0001",
        "token": "legacy-unused",
        "trigger_id": _trigger(),
        "is_enterprise_install": False,
        "enterprise": None,
    }


def _trigger() -> str:
    n = next(_ids)
    return f"{n}.{n}.progress{n:06d}"


def text_of(message: dict) -> str:
    """What a person reads in a message: its sections' text (its blocks validated as Slack would)."""
    validate_message(message)
    blocks = message.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not blocks:
        return message["text"]
    Block.parse_all(blocks)
    return "\n".join(b["text"]["text"] for b in blocks if b.get("type") == "section")


def view_text(view: dict) -> str:
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b.get("type") == "section")


def buttons(message: dict) -> list[dict]:
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == "button"]


def inputs(view: dict) -> dict[str, dict]:
    """The modal's input blocks by block_id."""
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def _option(element: dict, value: str) -> dict:
    for option in element["options"]:
        if option["value"] == value:
            return option
    raise AssertionError(f"{value!r} is not one of the options {[o['value'] for o in element['options']]}")


def state_of(view: dict, answers: dict[str, str | None]) -> dict:
    """The view's state as Slack sends it on submission: every input block, keyed by block_id then
    action_id; `answers` are what the member typed or chose, by block_id. An input left as it was
    keeps its initial value (a prefilled form submitted unchanged sends the prefill)."""
    values: dict[str, dict] = {}
    for block_id, block in inputs(view).items():
        element = block["element"]
        kind = element["type"]
        answer = answers[block_id] if block_id in answers else _initial(element)
        if kind in ("static_select", "radio_buttons"):
            chosen = _option(element, answer) if answer is not None else None
            state = {"type": kind, "selected_option": chosen}
        elif kind == "checkboxes":  # answered with the values ticked
            state = {"type": kind, "selected_options": [_option(element, v) for v in answer or []]}
        else:
            state = {"type": kind, "value": answer}
        values[block_id] = {element["action_id"]: state}
    unknown = set(answers) - set(values)
    assert not unknown, f"the modal has no input blocks {sorted(unknown)}"
    return {"values": values}


def _initial(element: dict) -> str | list[str] | None:
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    if "initial_option" in element:
        return element["initial_option"]["value"]
    return element.get("initial_value")


def _view(view: dict, view_id: str, state: dict) -> dict:
    """The modal as Slack describes it in an interaction: what the app opened, plus its state."""
    return {
        "id": view_id,
        "team_id": TEAM["id"],
        "type": "modal",
        "blocks": view["blocks"],
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view["callback_id"],
        "state": state,
        "hash": f"{view_id}.hash",
        "title": view["title"],
        "submit": view.get("submit"),
        "close": view.get("close"),
        "clear_on_close": False,
        "notify_on_close": False,
        "root_view_id": view_id,
        "previous_view_id": None,
        "app_id": "A0APP0001",
        "external_id": "",
        "app_installed_team_id": TEAM["id"],
        "bot_id": "B0BOT0001",
    }


def view_submission(user_id: str, view: dict, view_id: str, answers: dict[str, str | None]) -> dict:
    """What Slack posts when the member presses the modal's submit button."""
    return {
        **_envelope("view_submission", user_id),
        "view": _view(view, view_id, state_of(view, answers)),
        "response_urls": [],
    }


def button_press(user_id: str, button: dict, *, channel: str, message_ts: str, response_url: str) -> dict:
    """What Slack posts when someone presses a button in a message the bot posted."""
    return {
        **_envelope("block_actions", user_id),
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "channel": {"id": channel, "name": "directmessage" if channel.startswith("D") else "leads"},
        "message": {"type": "message", "user": "UBOT0001", "ts": message_ts, "text": ""},
        "response_url": response_url,
        "state": {"values": {}},
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": button.get("block_id", "actions"),
                "text": button["text"],
                "value": button["value"],
                "style": button.get("style", ""),
                "type": "button",
                "action_ts": "1700000000.000001",
            }
        ],
    }


def select_in_modal(user_id: str, view: dict, view_id: str, block_id: str, value: str) -> dict:
    """What Slack posts when the member picks an option of a select that dispatches actions."""
    element = inputs(view)[block_id]["element"]
    return {
        **_envelope("block_actions", user_id),
        "container": {"type": "view", "view_id": view_id},
        "view": _view(view, view_id, state_of(view, {block_id: value})),
        "actions": [
            {
                "type": element["type"],
                "action_id": element["action_id"],
                "block_id": block_id,
                "selected_option": _option(element, value),
                "action_ts": "1700000000.000002",
            }
        ],
    }


async def opened_view(slack: FakeSlack, count: int) -> tuple[dict, str, str]:
    """The `count`-th modal opened (views.open): its view, its id and the trigger it used."""
    call = (await slack.wait_for("views.open", count))[count - 1]
    view = call.args["view"]
    if isinstance(view, str):
        view = json.loads(view)
    return view, call.answer["view"]["id"], call.args["trigger_id"]
