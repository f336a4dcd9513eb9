"""What a request from Slack must be before anything of ours or Bolt's reads it: signed (HTTP mode,
checked on the raw bytes), of bounded size, and a body of the shape Bolt and our listeners rely on,
whose response_urls lead to Slack's hooks host and nowhere else. Pure functions."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl

# Slack's payloads are far under this; a bigger body is refused before it is read whole.
MAX_BODY_BYTES = 1024 * 1024
# Slack's window: a signed request older (or newer) than this is a replay.
SIGNATURE_WINDOW_SECONDS = 5 * 60


class Malformed(ValueError):
    """A signed body (or a Socket Mode envelope's payload) that is not what Slack sends; the reason
    is for the log."""


def signed(secret: str, timestamp: str | None, signature: str | None, body: bytes, *, now: float) -> bool:
    """Whether Slack signed these bytes (v0 HMAC-SHA256 of `v0:{timestamp}:{body}`) within the window.
    Over the raw bytes, so that nothing of the body is decoded before it is known to be Slack's."""
    if not secret or not signature or not timestamp or len(timestamp) > 12:
        return False
    if not (timestamp.isascii() and timestamp.isdigit()):  # int() takes "1_0", " 1", "١٢٣" too
        return False
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def read_body(body: bytes, content_type: str | None) -> dict:
    """The body as Bolt will read it (slack_bolt.request.internals.parse_body), or Malformed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("the body is not UTF-8") from None
    if content_type == "application/json" or text.startswith("{"):
        return _json_object(text, "the JSON body")
    form = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in form:
        return _json_object(form["payload"], "the form's payload")
    return form


def check(payload: object, hooks_url: str) -> str:
    """The kind of request this payload is, once it has the fields Bolt and our listeners read
    unguarded, and every response_url in it is on `hooks_url`; else Malformed."""
    if not isinstance(payload, dict):
        raise Malformed(f"the payload is a {type(payload).__name__}, not an object")
    kind = _kind(payload)
    if kind in ("block_actions", "view_submission", "view_closed", "command"):
        user = payload.get("user_id") if kind == "command" else _field(payload, "user", dict).get("id")
        if not isinstance(user, str) or not user:
            raise Malformed(f"a {kind} without a user id")
    if kind in ("block_actions", "command") and not isinstance(payload.get("trigger_id"), str):
        raise Malformed(f"a {kind} without a trigger_id")  # the listeners open modals with it
    if kind == "block_actions":
        actions = _field(payload, "actions", list)
        if not actions or not all(
            isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions
        ):
            raise Malformed("a block_actions without actions, or an action without an action_id")
    if kind in ("view_submission", "view_closed"):
        view = _field(payload, "view", dict)
        if not isinstance(view.get("callback_id"), str):
            raise Malformed(f"a {kind} whose view has no callback_id")
    if kind == "event_callback" and not isinstance(_field(payload, "event", dict).get("type"), str):
        raise Malformed("an event_callback without an event type")
    for url in _response_urls(payload):
        if not isinstance(url, str) or not url.startswith(hooks_url):
            # The prefix ends in the slash after the host, so no other host can match it.
            raise Malformed(f"a response_url off {hooks_url}: {str(url)[:100]!r}")
    return kind


def label(payload: dict, kind: str) -> str:
    """The kind of a checked payload as the metrics name it: a command with its name, an event with
    its type (command:/team, event:message, block_actions ...). Slack signed these, so the names are
    the manifest's few, never free text."""
    if kind == "command":
        return f"command:{payload['command'][:40]}"
    if kind == "event_callback":
        return f"event:{payload['event']['type'][:40]}"
    return kind


def _kind(payload: dict) -> str:
    kind = payload.get("type")
    if kind in ("block_actions", "view_submission", "view_closed", "event_callback", "url_verification"):
        return kind
    if kind is None and "command" in payload:
        command = payload["command"]
        if not isinstance(command, str) or not command.startswith("/"):
            raise Malformed("a command that is not /something")
        return "command"
    if kind is None and "ssl_check" in payload:
        return "ssl_check"
    raise Malformed(f"a request of no kind we serve (type {str(kind)[:40]!r})")


def _field(payload: dict, name: str, kind: type) -> dict | list:
    value = payload.get(name)
    if not isinstance(value, kind):
        raise Malformed(f"{name!r} is not a{'n object' if kind is dict else ' list'}")
    return value


def _response_urls(payload: dict) -> list[object]:
    """Every URL the bot may answer to: the payload's own, a modal's (response_urls), and the one
    a form keeps in its private_metadata under "url" (bot/views/progress.py)."""
    urls = [payload["response_url"]] if "response_url" in payload else []
    listed = payload.get("response_urls", [])
    if not isinstance(listed, list) or not all(isinstance(r, dict) for r in listed):
        raise Malformed("response_urls is not a list of objects")
    urls += [r.get("response_url") for r in listed]
    metadata = payload["view"].get("private_metadata") if isinstance(payload.get("view"), dict) else None
    if metadata:  # our views keep a JSON object there, which the listeners read unguarded
        kept = _json_object(metadata, "the view's private_metadata")
        urls += [kept["url"]] if kept.get("url") is not None else []
    return urls


def _json_object(text: str, what: str) -> dict:
    try:
        value = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        raise Malformed(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Malformed(f"{what} is a {type(value).__name__}, not an object")
    return value
