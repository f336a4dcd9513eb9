"""The database goes away under a running sender (domain of issue 16, "what an operator sees"): one
warning line per attempt, never a traceback, and when it is back the sender carries on by itself."""

from __future__ import annotations

import asyncio
import logging
import socket

from bot.notify import Sender
from bot.services.context import Services
from bot.slackapp.app import web_client
from scheduler.runner import Clock
from storage import migrate
from storage.database import Database
from tests.support import eventually


def _outage_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.notify" and r.levelno >= logging.WARNING]


async def _run_sender(db: Database, services, stop: asyncio.Event) -> asyncio.Task:
    sender = Sender(db, web_client(services), now=services.now, base_backoff=0.05, poll_seconds=0.05)
    return asyncio.create_task(sender.run(stop))


async def test_a_database_that_is_down_is_one_line_per_attempt_and_the_sender_resumes_when_it_is_back(
    services, slack, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    down = tmp_path / "not-mounted-yet" / "teamops.db"  # SQLite cannot open it: the volume is gone
    db = Database(f"sqlite+aiosqlite:///{down}")
    stop = asyncio.Event()
    task = await _run_sender(db, services, stop)
    try:
        await eventually(lambda: _at_least(caplog, 3), within=10)
        for record in _outage_lines(caplog):
            message = record.getMessage()
            assert "the database is unavailable" in message and "unable to open database file" in message
            assert "\n" not in message and record.exc_info is None, "one line, no traceback"
            assert record.levelno == logging.WARNING

        down.parent.mkdir()  # back
        await asyncio.to_thread(migrate.upgrade, db.url)
        async with db.unit_of_work() as session:
            await services.notices(session).post("after-outage", channel="C0TEAM001", text="back")
        await slack.wait_for("chat.postMessage", within=10)
    finally:
        stop.set()
        await task
        await db.dispose()
    assert [c.args["text"] for c in slack.calls_to("chat.postMessage")] == ["back"]


async def test_a_postgresql_server_that_refuses_connections_is_one_line_per_attempt(services, caplog):
    caplog.set_level(logging.INFO)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = Database(f"postgresql+asyncpg://teamops@127.0.0.1:{port}/teamops")
    stop = asyncio.Event()
    task = await _run_sender(db, services, stop)
    try:
        await eventually(lambda: _at_least(caplog, 2), within=10)
    finally:
        stop.set()
        await task
        await db.dispose()
    for record in _outage_lines(caplog):
        assert "the database is unavailable" in record.getMessage()
        assert "\n" not in record.getMessage() and record.exc_info is None


async def _at_least(caplog, lines: int) -> bool:
    return len(_outage_lines(caplog)) >= lines


async def test_the_clock_says_in_one_line_per_tick_that_the_database_is_down_and_takes_the_lease_back(
    services, settings, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    down = tmp_path / "not-mounted-yet" / "teamops.db"
    db = Database(f"sqlite+aiosqlite:///{down}")
    clock = Clock(Services(settings, db, now=services.now), jobs=())
    try:
        for _ in range(3):
            await clock.tick()
        lines = [r for r in caplog.records if r.name == "scheduler.runner" and r.levelno >= logging.WARNING]
        assert len(lines) == 3, "one line per attempt"
        for record in lines:
            assert record.getMessage() == (
                "scheduler lease: the database did not answer "
                "(OperationalError: unable to open database file); not holding the clock"
            )
            assert record.exc_info is None
        assert not clock.leading

        down.parent.mkdir()
        await asyncio.to_thread(migrate.upgrade, db.url)
        await clock.tick()
        assert clock.leading, "back: the clock runs again without a restart"
    finally:
        await clock.step_down()
        await db.dispose()
