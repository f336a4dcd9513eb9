"""Socket Mode for real: `teamops run` holds a websocket to the fake Slack, which sends it envelopes
and collects the acknowledgements, as Slack does."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from tests.conftest import CS_EAST
from tests.processes import environment, start
from tests.slack.fake_api import FakeSlack
from tests.slack.signed import SignedSlack, direct_message
from tests.support import eventually

LEAD, MEMBER = "U01AAA", "U01BBB"


@pytest.fixture
async def envelopes(slack):
    """Builds payloads as Slack's signed HTTP requests carry them (nothing is sent over HTTP here)."""
    client = SignedSlack("http://127.0.0.1:9", "", response_url_base=slack.response_url_base)
    yield client
    await client.aclose()


def command(envelopes: SignedSlack, user: str, text: str = "") -> dict:
    return dict(parse_qsl(envelopes.command_body(user, "/team", text).decode()))


class Bot:
    def __init__(self, process: subprocess.Popen, log: Path) -> None:
        self.process = process
        self.log = log

    def logged(self, text: str) -> bool:
        return text in self.log.read_text(encoding="utf-8")

    async def wait_logged(self, text: str) -> None:
        async def logged() -> bool:
            return self.logged(text)

        await eventually(logged, within=30)

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        return await asyncio.to_thread(self.process.wait, 60)


@asynccontextmanager
async def socket_mode_bot(
    slack: FakeSlack, database_url: str, directory: Path, *, connected: bool = True
) -> AsyncIterator[Bot]:
    """`teamops run` in Socket Mode against the fake, once it holds a connection (when `connected`)."""
    env = environment(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=slack.url,
        SLACK_HOOKS_URL=slack.response_url_base,
        DATABASE_URL=database_url,
        TEAMOPS_SCHEDULER="off",
        TEAMOPS_LOG_LEVEL="INFO",
    )
    bot = Bot(start(["run"], env, directory, directory / "bot.log"), directory / "bot.log")
    try:

        async def holds_a_connection() -> bool:
            assert bot.process.poll() is None, f"teamops run exited early:\n{bot.log.read_text()}"
            return bool(slack.open_connections)

        if connected:
            await eventually(holds_a_connection, within=30)
        yield bot
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
            await asyncio.to_thread(bot.process.wait, 10)


async def test_stopping_answers_the_command_in_flight_and_takes_no_new_one(
    import_roster, slack, envelopes, database_url, tmp_path
):
    await import_roster({"teams": [CS_EAST]})
    async with socket_mode_bot(slack, database_url, tmp_path) as bot:
        release = slack.hold("users.info")  # the lead's profile: the command stays in flight
        in_flight = await slack.send_envelope("slash_commands", command(envelopes, LEAD))
        await slack.wait_for_held("users.info", within=30)

        exit_code = asyncio.create_task(bot.stop(signal.SIGTERM))
        await bot.wait_logged("stopping: no new requests")
        late = await slack.send_envelope("slash_commands", command(envelopes, MEMBER))
        await bot.wait_logged(f"envelope {late} (slash_commands) left for Slack to redeliver")
        release.set()

        answer = await slack.wait_for_ack(in_flight, within=30)
        assert await exit_code == 0, bot.log.read_text()

    assert answer["payload"]["response_type"] == "ephemeral"
    assert "*Customer Service East* (`cs-east`)" in json.dumps(answer["payload"], ensure_ascii=False)
    assert late not in slack.acks, "left unacknowledged, for Slack to redeliver elsewhere"
    assert len(slack.connections) == 1, "no reconnection while stopping"
    assert "Traceback" not in bot.log.read_text()


async def test_a_stop_signal_while_slack_cannot_be_reached_ends_the_retries(slack, database_url, tmp_path):
    """The Socket Mode client retries opening a connection every 10 s, for as long as it takes."""
    slack.fail("apps.connections.open", 503, times=1000)

    async with socket_mode_bot(slack, database_url, tmp_path, connected=False) as bot:

        async def tried() -> bool:  # once when the token is checked, then by the client
            return sum(call.method == "apps.connections.open" for call in slack.refused) >= 2

        await eventually(tried, within=30)
        assert await bot.stop(signal.SIGINT) == 0, bot.log.read_text()

    assert slack.open_connections == []


async def test_a_stop_signal_while_starting_ends_the_process_once_started(slack, database_url, tmp_path):
    """A stop signal while the tokens are being checked is not lost: the bot exits 0 without ever
    connecting."""
    release = slack.hold("auth.test")
    async with socket_mode_bot(slack, database_url, tmp_path, connected=False) as bot:
        await slack.wait_for_held("auth.test", within=30)
        bot.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)  # the signal is in before the check answers
        release.set()
        assert await asyncio.to_thread(bot.process.wait, 60) == 0, bot.log.read_text()

    assert bot.logged("a stop signal came while starting")
    assert slack.connections == []


async def test_a_redelivered_event_is_answered_once(import_roster, slack, envelopes, database_url, tmp_path):
    """Slack redelivers an event it got no acknowledgement for, with retry_attempt > 0. The reply's
    outbox key alone would keep it to one message; the log shows the retry was not processed again."""
    slack.profiles[MEMBER] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})
    dm = direct_message(MEMBER)
    event = json.loads(envelopes.event_body(dm))

    async with socket_mode_bot(slack, database_url, tmp_path) as bot:
        first = await slack.send_envelope("events_api", event)
        await slack.wait_for_ack(first, within=30)
        await slack.wait_for("chat.postMessage", within=30)
        again = await slack.send_envelope("events_api", event, retry_attempt=1, retry_reason="timeout")
        await slack.wait_for_ack(again, within=30)
        await bot.wait_logged(f"delivery event:{event['event_id']} was processed before (retry 1)")
        assert await bot.stop() == 0, bot.log.read_text()

    replies = slack.calls_to("chat.postMessage")
    assert len(replies) == 1
    assert replies[0].args["channel"] == "D01BBB" and "I'm teamops" in replies[0].args["text"]


@pytest.mark.parametrize(
    ("method", "variable"),
    [("auth.test", "SLACK_BOT_TOKEN"), ("apps.connections.open", "SLACK_APP_TOKEN")],
)
async def test_a_token_slack_refuses_stops_the_start_with_one_line_naming_it(
    slack, database_url, tmp_path, method, variable
):
    slack.refuse(method, "invalid_auth")

    async with socket_mode_bot(slack, database_url, tmp_path, connected=False) as bot:
        exit_code = await asyncio.to_thread(bot.process.wait, 60)

    lines = bot.log.read_text(encoding="utf-8").strip().splitlines()
    assert exit_code == 2
    assert lines == [f"teamops: {variable}: Slack refused it (invalid_auth)"]
    assert slack.open_connections == [] and not slack.connections


async def test_malformed_envelopes_are_acknowledged_with_nothing_and_logged_in_one_line(
    import_roster, slack, envelopes, database_url, tmp_path
):
    await import_roster({"teams": [CS_EAST]})
    no_actions = {"type": "block_actions", "user": {"id": LEAD}, "actions": [], "trigger_id": "1.1.t"}
    elsewhere = {**command(envelopes, LEAD), "response_url": "http://127.0.0.1:9/response/1"}

    async with socket_mode_bot(slack, database_url, tmp_path) as bot:
        refused = [
            await slack.send_envelope("interactive", no_actions),
            await slack.send_envelope("interactive", "not an object"),
            await slack.send_envelope(
                "interactive", {"type": "view_submission", "user": {"id": LEAD}, "view": {}}
            ),
            await slack.send_envelope("slash_commands", elsewhere),
        ]
        acks = [await slack.wait_for_ack(envelope, within=30) for envelope in refused]
        answered = await slack.send_envelope("slash_commands", command(envelopes, LEAD))
        answer = await slack.wait_for_ack(answered, within=30)
        assert await bot.stop() == 0, bot.log.read_text()

    assert all("payload" not in ack for ack in acks), acks
    log = bot.log.read_text()
    for envelope in refused:
        assert log.count(f"refused envelope {envelope} ") == 1, log
    assert "response_url off http://127.0.0.1:" in log
    assert "Traceback" not in log
    assert "*Customer Service East* (`cs-east`)" in json.dumps(answer["payload"], ensure_ascii=False)
