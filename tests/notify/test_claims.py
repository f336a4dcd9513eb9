"""The sender's claims on the rows it sends: kept while a call is slow, free within seconds when
the sender is killed, and never a write lock taken to find that nothing is due."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url

from storage import outbox as repo
from tests.notify.test_sender import enqueue_post, texts
from tests.processes import environment, free_port, start
from tests.support import eventually, sender_for, sending


@contextmanager
def write_lock_held(database_url: str):
    """Another connection holds SQLite's write lock (BEGIN IMMEDIATE) while the block runs."""
    if not database_url.startswith("sqlite"):
        yield  # PostgreSQL has no database-wide write lock: what is left to show is that nothing is written
        return
    other = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_an_idle_sender_never_takes_the_write_lock(services, slack, database_url):
    await enqueue_post(services, "retrying", text="due in an hour")
    async with services.unit_of_work() as session:
        row = await repo.by_key(session, "retrying")
        row.next_attempt_at = services.now() + timedelta(hours=1)
    writes = []

    def count_writes(conn) -> None:
        if not conn.get_execution_options().get("teamops_read_only", False):
            writes.append(conn)

    event.listen(services.db.engine.sync_engine, "begin", count_writes)
    try:
        async with sending(services, poll_seconds=0.05) as sender:
            drains = 0
            drain = sender.drain_once

            async def observed_drain() -> int:
                nonlocal drains
                claimed = await drain()
                drains += 1
                return claimed

            sender.drain_once = observed_drain
            with write_lock_held(database_url):

                async def ticking() -> bool:
                    return drains >= 20

                await eventually(ticking, within=10)
    finally:
        event.remove(services.db.engine.sync_engine, "begin", count_writes)

    assert writes == [], "nothing is due: the sender only read"
    assert texts(slack) == []


async def test_a_sender_keeps_its_claim_through_a_slow_call(services, slack):
    """The claim is short, so it is renewed while the call runs: another sender never takes the row."""
    release = slack.hold("chat.postMessage")
    await enqueue_post(services, "slow-call", text="once")
    slow = sender_for(services, claim_seconds=0.6)
    sending_it = asyncio.create_task(slow.drain())
    await slack.wait_for_held("chat.postMessage")

    other = sender_for(services, claim_seconds=0.6)
    deadline = time.monotonic() + 2.0  # more than three claim lengths
    while time.monotonic() < deadline:
        assert await other.drain_once() == 0, "the row is still claimed by the slow sender"
        await asyncio.sleep(0.05)
    release.set()
    await sending_it

    assert len(slack.arrived) == 1
    assert texts(slack) == ["once"]


def start_bot(database_url: str, slack_url: str, cwd: Path, log: Path) -> subprocess.Popen:
    env = environment(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=slack_url,
        DATABASE_URL=database_url,
        TEAMOPS_LOG_LEVEL="WARNING",
        TEAMOPS_SCHEDULER="off",
    )
    return start(["run", "--http", "--port", str(free_port())], env, cwd, log)


async def test_a_restarted_sender_resumes_within_seconds_after_a_kill(
    services, slack, database_url, tmp_path
):
    """A SIGKILL while the sender waits on Slack: the message in flight in each lane may go out twice
    (that is the limit), every other notice goes out once, and none waits out a long claim."""
    channels = ["C0KILL001", "C0KILL002"]
    notices = [f"{channel} #{n}" for n in range(1, 5) for channel in channels]
    for text in notices:
        await enqueue_post(services, f"kill:{text}", channel=text.split()[0], text=text)
    release = slack.hold("chat.postMessage")
    first = start_bot(database_url, slack.url, tmp_path, tmp_path / "first.log")
    second = None
    try:
        await slack._until(lambda: len(slack.arrived) == len(channels), within=40)
        in_flight = {call.args["text"] for call in slack.arrived}
        first.send_signal(signal.SIGKILL)
        await asyncio.to_thread(first.wait, 10)
        killed = time.monotonic()
        del slack.held["chat.postMessage"]
        release.set()  # what the killed process had in flight is answered to no one

        second = start_bot(database_url, slack.url, tmp_path, tmp_path / "second.log")

        async def all_sent() -> bool:
            return set(texts(slack)) == set(notices)

        await eventually(all_sent, within=15)
        took = time.monotonic() - killed
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.to_thread(process.wait, 20)

    assert in_flight == {"C0KILL001 #1", "C0KILL002 #1"}, "the head of each lane was in flight"
    counts = Counter(texts(slack))
    assert all(counts[text] == 1 for text in notices if text not in in_flight), counts
    assert all(counts[text] in (1, 2) for text in in_flight), counts
    for channel in channels:
        sent = [
            call.args["text"]
            for call in slack.calls_to("chat.postMessage")
            if call.args["channel"] == channel
        ]
        assert list(dict.fromkeys(sent)) == [f"{channel} #{n}" for n in range(1, 5)], "in order"
    print(f"all notices sent {took:.1f} s after the kill")
