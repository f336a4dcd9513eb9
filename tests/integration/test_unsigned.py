"""What reaches the bot over HTTP that Slack did not sign, or signed but malformed, or too big, or
pointing the bot's answer at a URL that is not Slack's: refused at the door, and nothing happens."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import urlencode, urlsplit

import pytest

from bot.ids import Complaint, Progress
from bot.slackapp.inbound import MAX_BODY_BYTES
from tests.conftest import SIGNING_SECRET
from tests.slack.fake_api import FakeSlack
from tests.slack.signed import SignedSlack, signature
from tests.support import sending

FORM = "application/x-www-form-urlencoded"
USER = "U01AAA"


@pytest.fixture
def log(caplog):
    """Everything logged while the test runs, uvicorn's own tracebacks included (its loggers do not
    propagate to the root)."""
    caplog.set_level(logging.INFO)
    uvicorn = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error")]
    for logger in uvicorn:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in uvicorn:
        logger.removeHandler(caplog.handler)


def no_trouble_logged(log) -> None:
    troubles = [r for r in log.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not troubles, [r.getMessage() for r in troubles]


def press(response_url: str, *, actions: list | None = None, n: int = 1) -> dict:
    """A button press as Slack sends it: answered through its response_url."""
    return {
        "type": "block_actions",
        "team": {"id": "T0TEAM001", "domain": "example"},
        "user": {"id": USER, "username": "u01aaa", "team_id": "T0TEAM001"},
        "api_app_id": "A0APP0001",
        "token": "legacy-unused",
        "trigger_id": f"{n}.{n}.unsigned{n:06d}",
        "response_url": response_url,
        "container": {"type": "message", "message_ts": "1700000001.000100", "channel_id": "C0123ABCD"},
        "channel": {"id": "C0123ABCD", "name": "cs-east"},
        "message": {"type": "message", "ts": "1700000001.000100", "text": "card"},
        "actions": [
            {
                "type": "button",
                "action_id": Complaint.ACKNOWLEDGE,
                "block_id": Complaint.ACTIONS_BLOCK,
                "value": "999",
                "action_ts": "1700000002.000000",
            }
        ]
        if actions is None
        else actions,
    }


def as_form(payload: object) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


# -- not signed ------------------------------------------------------------------------------------


def stale() -> str:
    return str(int(time.time()) - 301)


def ahead() -> str:
    return str(int(time.time()) + 301)


@pytest.mark.parametrize(
    "timestamp",
    [
        "abc",
        "",
        "1e9",
        "1_0",
        "-1",
        pytest.param("9" * 5000, id="5000-digits"),
        "١٢٣",
        None,
        "stale",
        "ahead",
    ],
)
async def test_a_request_failing_verification_gets_an_empty_401_and_the_bot_calls_nobody(
    timestamp, slack_client, slack, log
):
    ts = {"stale": stale, "ahead": ahead}.get(timestamp, lambda: timestamp)()
    body = as_form(press(f"{slack.response_url_base}attacker"))
    headers = {"Content-Type": FORM, "X-Slack-Signature": "v0=" + "0" * 64}
    if ts is not None:
        headers["X-Slack-Request-Timestamp"] = ts.encode()  # as bytes: httpx sends ASCII only

    reply = await slack_client.http.post("/slack/events", content=body, headers=headers)

    assert (reply.status_code, reply.content) == (401, b"")
    assert slack.calls == [], "nothing of an unverified body is used, not even its response_url"
    no_trouble_logged(log)


async def test_a_wrong_or_missing_signature_gets_an_empty_401(slack_client, slack, log):
    body = as_form(press(f"{slack.response_url_base}attacker"))
    now = str(int(time.time()))
    for headers in (
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": signature("another secret", now, body)},
        {"X-Slack-Request-Timestamp": now},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": signature(SIGNING_SECRET, now, body + b"x")},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=é".encode()},
    ):
        reply = await slack_client.http.post(
            "/slack/events", content=body, headers={"Content-Type": FORM, **headers}
        )
        assert (reply.status_code, reply.content) == (401, b""), headers
    assert slack.calls == []
    no_trouble_logged(log)


MALFORMED = {
    "payload not JSON": (b"payload=%7Bnot-json", FORM),
    "payload null": (b"payload=null", FORM),
    "payload a list": (b"payload=%5B%5D", FORM),
    "payload a string": (b"payload=%22block_actions%22", FORM),
    "payload nested 100000 deep": (b"payload=" + b"%5B" * 100_000, FORM),
    "not UTF-8": (b"payload=\xff\xfe\xfd", FORM),
    "not UTF-8 JSON": (b'{"type": "\xff"}', "application/json"),
    "a form as JSON": (b"command=%2Fcomplaint&user_id=U01AAA", "application/json"),
    "JSON not an object": (b"[1, 2]", "application/json"),
    "empty": (b"", FORM),
    "a block_actions without actions": (as_form(press("https://hooks.slack.com/x", actions=[])), FORM),
    "an action that is not an object": (as_form(press("https://hooks.slack.com/x", actions=["a"])), FORM),
    "a view_submission without a callback_id": (
        as_form({"type": "view_submission", "user": {"id": USER}, "view": {"id": "V1", "state": {}}}),
        FORM,
    ),
    "a view that is not an object": (
        as_form({"type": "view_submission", "user": {"id": USER}, "view": 3}),
        FORM,
    ),
    "private_metadata not JSON": (
        as_form(
            {
                "type": "view_submission",
                "user": {"id": USER},
                "view": {"id": "V1", "callback_id": Progress.FORM, "private_metadata": "{oops"},
            }
        ),
        FORM,
    ),
    "a form without a command": (b"user_id=U01AAA&text=hello&trigger_id=1.1.x", FORM),
    "a command that is not a string": (b'{"command": 5, "user_id": "U01AAA"}', "application/json"),
    "a command without a user": (b"command=%2Fcomplaint&text=x&trigger_id=1.1.x", FORM),
    "a command without a trigger_id": (b"command=%2Fcomplaint&user_id=U01AAA", FORM),
    "a block_actions without a user": (
        as_form({**press("https://hooks.slack.com/x"), "user": "U01AAA"}),
        FORM,
    ),
    "an event without an event": (b'{"type": "event_callback", "event": []}', "application/json"),
    "a kind we do not serve": (b'{"type": "something_new"}', "application/json"),
    "response_urls not a list": (
        as_form(
            {
                "type": "view_submission",
                "user": {"id": USER},
                "view": {"callback_id": "x"},
                "response_urls": 1,
            }
        ),
        FORM,
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
async def test_an_unsigned_malformed_body_gets_401_without_a_traceback(name, slack_client, slack, log):
    body, content_type = MALFORMED[name]

    reply = await slack_client.http.post(
        "/slack/events", content=body, headers={"Content-Type": content_type}
    )

    assert (reply.status_code, reply.content) == (401, b"")
    assert slack.calls == []
    no_trouble_logged(log)


@pytest.mark.parametrize("name", list(MALFORMED))
async def test_a_signed_malformed_body_gets_400_and_one_line_in_the_log(name, slack_client, slack, log):
    body, content_type = MALFORMED[name]

    reply = await slack_client.post(body, content_type)

    assert (reply.status_code, reply.content) == (400, b"")
    assert slack.calls == [], "no listener ran"
    no_trouble_logged(log)
    [line] = [r.getMessage() for r in log.records if r.levelno == logging.WARNING]
    assert line.startswith("refused a signed request: ") and "\n" not in line


# -- too big ---------------------------------------------------------------------------------------


async def raw_request(app_url: str, head: str, body_chunks: list[bytes]) -> bytes:
    """Send a request's head and these body chunks, leave the body unfinished, and read the answer:
    only a server that answers before reading the body whole answers at all."""
    address = urlsplit(app_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(head.encode())
        for chunk in body_chunks:
            writer.write(chunk)
            await writer.drain()
        async with asyncio.timeout(10):  # generous: the answer comes at once, or never
            return await reader.readuntil(b"\r\n\r\n")
    finally:
        writer.close()


async def test_a_body_declared_bigger_than_the_limit_is_refused_before_it_arrives(app_url, slack):
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {FORM}\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n"
        "X-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=0\r\n\r\n"
    )

    answer = await raw_request(app_url, head, [])

    assert answer.startswith(b"HTTP/1.1 413 "), answer
    assert slack.calls == []


async def test_a_chunked_body_is_refused_once_it_passes_the_limit(app_url, slack):
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {FORM}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"a" * (64 * 1024)
    chunks = [f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"] * (MAX_BODY_BYTES // len(chunk) + 1)

    answer = await raw_request(app_url, head, chunks)  # and never the last, empty chunk

    assert answer.startswith(b"HTTP/1.1 413 "), answer
    assert slack.calls == []


async def test_a_signed_body_over_the_limit_gets_413(slack_client, slack):
    body = as_form(press(f"{slack.response_url_base}big")) + b"&pad=" + b"a" * MAX_BODY_BYTES

    reply = await slack_client.post(body, FORM)

    assert (reply.status_code, reply.content) == (413, b"")
    assert slack.calls == []


# -- response_url off Slack's hooks host -----------------------------------------------------------


@pytest.fixture
async def elsewhere():
    """Somewhere on 127.0.0.1 that is not the configured hooks prefix, recording what it is sent."""
    other = await FakeSlack().start()
    yield other
    await other.stop()


async def test_a_press_answered_elsewhere_is_refused_and_one_on_slacks_hooks_is_answered(
    slack_client, slack, services, elsewhere, log
):
    async with sending(services):
        off = await slack_client.interaction(press(f"{elsewhere.response_url_base}1", n=101))
        on = await slack_client.interaction(press(f"{slack.response_url_base}1", n=102))
        # The same person's answers go out in order: once the second arrived, the first would have.
        [answer] = await slack.wait_for("response_url")

    assert (off.status_code, off.content) == (400, b"")
    assert on.status_code == 200
    assert answer.args["text"] == "There is no complaint 999."
    assert elsewhere.calls == []
    [line] = [r.getMessage() for r in log.records if r.levelno == logging.WARNING]
    assert f"a response_url off {slack.response_url_base}" in line
    no_trouble_logged(log)


async def test_a_command_answered_elsewhere_is_refused(app_url, slack, elsewhere, log):
    misdirected = SignedSlack(app_url, SIGNING_SECRET, response_url_base=elsewhere.response_url_base)
    try:
        reply = await misdirected.command(USER, "/progress")
    finally:
        await misdirected.aclose()

    assert (reply.status_code, reply.content) == (400, b"")
    assert slack.calls == [] and elsewhere.calls == [], "no form opened that would confirm elsewhere"
    no_trouble_logged(log)


async def test_a_form_whose_metadata_answers_elsewhere_is_refused(slack_client, slack, elsewhere, log):
    submission = {
        "type": "view_submission",
        "team": {"id": "T0TEAM001", "domain": "example"},
        "user": {"id": USER, "username": "u01aaa", "team_id": "T0TEAM001"},
        "api_app_id": "A0APP0001",
        "trigger_id": "7.7.metadata000007",
        "view": {
            "id": "VSUB000007",
            "type": "modal",
            "callback_id": Progress.FORM,
            "private_metadata": json.dumps({"team": "cs-east", "url": f"{elsewhere.response_url_base}7"}),
            "state": {"values": {}},
        },
        "response_urls": [],
    }

    reply = await slack_client.interaction(submission)

    assert (reply.status_code, reply.content) == (400, b"")
    assert slack.calls == [] and elsewhere.calls == []
    no_trouble_logged(log)
