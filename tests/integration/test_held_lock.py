"""Another process holds SQLite's write lock for 10 s (a CLI import, a stuck script): the bot still
answers Slack in time, says plainly when it cannot save, and its clock runs every job that fell due,
once, when the lock is free again."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import func, select

from bot.i18n import translator
from bot.rules.roster import parse_roster
from bot.services import deliveries, roster
from bot.slackapp.runtime import running
from scheduler.job import Job
from scheduler.runner import Clock
from storage import migrate
from storage.models import Complaint, ProcessedRequest
from tests.conftest import SIGNING_SECRET
from tests.integration.test_complaints import LEAD, MEMBER, OWNER, TEAM, _log
from tests.slack.signed import SignedSlack
from tests.support import eventually, serving

HELD_FOR = 10
# Holds the write lock as any other writer would: BEGIN IMMEDIATE, on the same file, in WAL mode.
HOLDER = f"""
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep({HELD_FOR})
db.execute("ROLLBACK")
"""
RUNS: list[str] = []


def at_moment(moment: datetime):
    return lambda _team: DateTrigger(moment)


async def a_job_that_writes(services, at: datetime, _team) -> str:
    """A job like every real one: it writes in a unit of work (here, a key it can be counted by)."""
    name = f"job:{len(RUNS)}:{at.isoformat()}"
    await deliveries.first_delivery(services, name)
    RUNS.append(name)
    return "wrote"


@pytest.fixture
async def sqlite_services(settings, tmp_path):
    """Its own SQLite file on either leg of the suite: the lock under test is SQLite's."""
    path = tmp_path / "locked.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(migrate.upgrade, url)
    quick = settings.model_copy(update={"database_url": url, "lease_seconds": 3, "scheduler": "on"})
    async with running(quick) as services:
        parsed, errors = parse_roster({"teams": [TEAM]})
        assert not errors
        await roster.import_roster(services, parsed)
        yield services, path


async def test_requests_answer_and_the_clock_catches_up_while_another_process_holds_the_lock(
    sqlite_services, slack
):
    services, path = sqlite_services
    for user in (LEAD, OWNER, MEMBER):
        slack.profiles[user] = {"locale": "en-US"}
    RUNS.clear()
    start = datetime.now(UTC)
    # Three jobs fall due while the lock is held: 2, 4 and 6 s after it is taken.
    jobs = tuple(
        Job(f"due-{n}", a_job_that_writes, at_moment(start + timedelta(seconds=2 * n))) for n in (1, 2, 3)
    )
    clock = Clock(services, jobs=jobs)
    stop = asyncio.Event()
    ticking = asyncio.create_task(clock.run(stop))
    await eventually(lambda: asyncio.sleep(0, clock.leading), within=5)

    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(path), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert (await holder.stdout.readline()).strip() == b"held"
        async with serving(services, services.settings, clock) as url:
            client = SignedSlack(url, SIGNING_SECRET, response_url_base=slack.response_url_base)
            try:
                started = time.monotonic()
                team = await client.command(LEAD, "/team")
                team_took = time.monotonic() - started

                started = time.monotonic()
                answer = await _log(client)
                log_took = time.monotonic() - started

                still_held = holder.returncode is None
                await asyncio.wait_for(holder.wait(), HELD_FOR + 5)
                await eventually(lambda: asyncio.sleep(0, len(RUNS) == 3), within=10)
                await asyncio.sleep(2.5)  # time for anything that would run twice
                async with httpx.AsyncClient() as http:
                    healthz = (await http.get(f"{url}/healthz")).json()
            finally:
                await client.aclose()
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
        stop.set()
        await ticking

    assert still_held, "the requests were answered while the lock was still held"
    assert team.status_code == 200 and team_took < 3
    assert "Customer Service East" in team.text, "a read answers in full"
    assert log_took < 3
    busy = translator("en")("error.busy")
    assert busy in str(answer), "a write that cannot get the lock says so plainly"
    async with services.db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(Complaint)) == 0, "nothing half-written"
        written = await session.scalar(
            select(func.count()).select_from(ProcessedRequest).where(ProcessedRequest.key.like("job:%"))
        )
    assert len(RUNS) == 3 and written == 3, "every job that fell due ran after the lock, and once"
    assert healthz["clock"]["late"] == [] and healthz["clock"]["last_run"] is not None
