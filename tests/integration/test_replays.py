"""A delivery is processed once whichever process it reaches, before or after a restart: the same
signed view_submission replayed within Slack's 5 minutes creates one complaint. When its key cannot
be recorded, the request still goes on."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import select, text

from bot.ids import Complaint as Ids
from bot.services import deliveries
from bot.slackapp.runtime import running
from scheduler.runner import run_job
from storage import requests
from storage.models import OutboxRow
from tests.conftest import SIGNING_SECRET
from tests.integration.test_complaints import MEMBER, TEAM, VALID, _complaints, _submission, _values
from tests.processes import environment, free_port, start
from tests.slack.signed import SignedSlack, direct_message
from tests.support import eventually, serving

SECRET = "secret"
FORM = "application/x-www-form-urlencoded"


def start_bot(database_url: str, slack_url: str, port: int, cwd: Path, name: str) -> subprocess.Popen:
    env = environment(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack_url,
        DATABASE_URL=database_url,
        TEAMOPS_LOG_LEVEL="WARNING",
        TEAMOPS_SCHEDULER="off",
    )
    return start(["run", "--http", "--port", str(port)], env, cwd, cwd / f"{name}.log")


async def answering(port: int) -> None:
    async with httpx.AsyncClient(timeout=2) as http:

        async def up() -> bool:
            try:
                return (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(up, within=40)


def submission_body() -> bytes:
    payload = _submission(MEMBER, Ids.FORM, _values(**VALID), {"team": "cs-east"})
    return urlencode({"payload": json.dumps(payload)}).encode()


async def test_a_replayed_submission_creates_one_complaint_on_a_second_process_and_after_a_restart(
    import_roster, services, slack, database_url, tmp_path
):
    await import_roster({"teams": [TEAM]})
    first_port, second_port, restarted_port = free_port(), free_port(), free_port()
    processes = {
        "first": start_bot(database_url, slack.url, first_port, tmp_path, "first"),
        "second": start_bot(database_url, slack.url, second_port, tmp_path, "second"),
    }
    body, signed_at = submission_body(), time.time()
    replies, complaints = {}, {}
    try:
        await asyncio.gather(answering(first_port), answering(second_port))
        for name, port in (("first", first_port), ("second", second_port)):
            client = SignedSlack(f"http://127.0.0.1:{port}", SECRET)
            replies[name] = await client.post(body, FORM, timestamp=signed_at)
            await client.aclose()
            complaints[name] = len(await _complaints(services))

        processes["first"].send_signal(signal.SIGKILL)
        await asyncio.to_thread(processes["first"].wait, 10)
        processes["restarted"] = start_bot(database_url, slack.url, restarted_port, tmp_path, "restarted")
        await answering(restarted_port)
        client = SignedSlack(f"http://127.0.0.1:{restarted_port}", SECRET)
        replies["restarted"] = await client.post(body, FORM, timestamp=signed_at)
        await client.aclose()
        complaints["restarted"] = len(await _complaints(services))
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.to_thread(process.wait, 20)

    assert {name: (reply.status_code, reply.content) for name, reply in replies.items()} == {
        "first": (200, b""),  # the form closes
        "second": (200, b""),
        "restarted": (200, b""),
    }
    assert complaints == {"first": 1, "second": 1, "restarted": 1}, "each process recognised the replay"


async def test_the_same_submission_at_once_to_two_apps_creates_one_complaint(
    import_roster, settings, services, slack_client
):
    await import_roster({"teams": [TEAM]})
    body, signed_at = submission_body(), time.time()
    async with running(settings) as other_services, serving(other_services, settings) as other_url:
        other = SignedSlack(other_url, SIGNING_SECRET)
        try:
            replies = await asyncio.gather(
                *(client.post(body, FORM, timestamp=signed_at) for client in [slack_client, other] * 5)
            )
        finally:
            await other.aclose()

    assert [reply.status_code for reply in replies] == [200] * 10
    assert len(await _complaints(services)) == 1


async def test_when_a_key_cannot_be_recorded_the_request_goes_on(
    import_roster, services, slack_client, caplog
):
    """The key's write fails (here: its table is gone): one line in the log, no traceback, the
    complaint and the answer to the DM are saved, and a replay to this process is still dropped."""
    await import_roster({"teams": [TEAM]})
    async with services.unit_of_work() as session:
        await session.execute(text("ALTER TABLE processed_requests RENAME TO processed_requests_away"))
    body, signed_at = submission_body(), time.time()
    event = slack_client.event_body(direct_message(MEMBER))
    try:
        with caplog.at_level(logging.INFO):
            replies = [
                await slack_client.post(body, FORM, timestamp=signed_at),
                await slack_client.post(event, "application/json", timestamp=signed_at),
                await slack_client.post(body, FORM, timestamp=signed_at),
                await slack_client.post(event, "application/json", timestamp=signed_at),
            ]
    finally:
        async with services.unit_of_work() as session:
            await session.execute(text("ALTER TABLE processed_requests_away RENAME TO processed_requests"))

    async def answered() -> list[str]:
        # The DM is answered after its ack: wait for it.
        async with services.db.reader() as session:
            return (await session.scalars(select(OutboxRow.key).where(OutboxRow.key.like("dm-help:%")))).all()

    await eventually(answered, within=10)
    await asyncio.sleep(0.3)  # and for a second answer, were the replay not dropped
    answers = await answered()

    assert [reply.status_code for reply in replies] == [200] * 4
    assert [reply.content for reply in replies] == [b""] * 4, "the form closes"
    assert len(await _complaints(services)) == 1
    assert len(answers) == 1
    unrecorded = [r for r in caplog.records if "could not be recorded" in r.getMessage()]
    assert len(unrecorded) == 2, "one line for each delivery"
    assert all("\n" not in r.getMessage() and r.exc_info is None for r in unrecorded)
    assert not [r for r in caplog.records if r.exc_info], "no traceback"
    assert sum("was processed before" in r.getMessage() for r in caplog.records) == 2


def test_what_identifies_a_delivery():
    user = {"id": "U01BBB"}
    action = {"action_id": "complaint.ack", "action_ts": "1700000002.000100"}
    assert deliveries.key_of({"event_id": "Ev01", "type": "event_callback"}) == "event:Ev01"
    assert deliveries.key_of({"command": "/complaint", "trigger_id": "1.2.abc"}) == "trigger:1.2.abc"
    assert deliveries.key_of({"type": "view_submission", "trigger_id": "3.4.def"}) == "trigger:3.4.def"
    assert deliveries.key_of({"type": "view_closed", "user": user, "view": {"id": "V01"}}) == "closed:V01"
    assert deliveries.key_of({"type": "block_actions", "user": user, "actions": [action]}) == (
        "action:U01BBB:1700000002.000100"
    ), "a press without a trigger: its user and instant"
    assert deliveries.key_of({"type": "block_suggestion", "user": user, "value": "ac"}) is None


async def test_housekeeping_forgets_command_and_interaction_keys_after_five_minutes(services):
    at = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    received = {
        "trigger:old": at - timedelta(minutes=6),
        "closed:V01": at - timedelta(minutes=6),
        "trigger:recent": at - timedelta(minutes=4),
        "event:Ev01": at - timedelta(hours=1),
    }
    async with services.unit_of_work() as session:
        for key, when in received.items():
            await requests.record(session, key, when)

    await run_job(services, "housekeeping", team_key=None, at=at)

    services.now = lambda: at
    assert await deliveries.first_delivery(services, "trigger:old"), "forgotten"
    assert await deliveries.first_delivery(services, "closed:V01"), "forgotten"
    assert not await deliveries.first_delivery(services, "trigger:recent"), "kept"
    assert not await deliveries.first_delivery(services, "event:Ev01"), "an event's key is kept for days"
