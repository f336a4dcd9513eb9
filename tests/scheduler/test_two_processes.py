"""Several `teamops run` processes on one database: exactly one holds the clock, another takes it
over within the lease time when the leader is killed, and one with TEAMOPS_SCHEDULER=off never does."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

import httpx

from scheduler.runner import LEASE
from storage.models import Lease
from tests.processes import environment, free_port
from tests.processes import start as start_teamops
from tests.support import eventually

LEASE_SECONDS = 3


def start(database_url: str, slack_url: str, port: int, cwd: Path, scheduler: str = "on") -> subprocess.Popen:
    env = environment(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=slack_url,
        DATABASE_URL=database_url,
        TEAMOPS_LEASE_SECONDS=str(LEASE_SECONDS),
        TEAMOPS_LOG_LEVEL="WARNING",
        TEAMOPS_SCHEDULER=scheduler,
    )
    return start_teamops(["run", "--http", "--port", str(port)], env, cwd)


def stop_all(processes) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0, "SIGTERM stops the bot cleanly"


async def scheduler_flags(http: httpx.AsyncClient, ports: list[int]) -> dict[int, bool]:
    flags = {}
    for port in ports:
        try:
            reply = await http.get(f"http://127.0.0.1:{port}/healthz")
            flags[port] = reply.json()["scheduler"]
        except httpx.HTTPError:
            flags[port] = None
    return flags


async def test_one_clock_per_deployment_and_takeover_after_a_kill(database_url, slack, tmp_path):
    ports = [free_port(), free_port()]
    processes = {port: start(database_url, slack.url, port, tmp_path) for port in ports}
    try:
        async with httpx.AsyncClient(timeout=2) as http:

            async def one_leader() -> bool:
                flags = await scheduler_flags(http, ports)
                return None not in flags.values() and sorted(flags.values()) == [False, True]

            await eventually(one_leader, within=40)
            for _ in range(3):  # and it stays that way while both live
                await asyncio.sleep(LEASE_SECONDS / 2)
                assert await one_leader()
            flags = await scheduler_flags(http, ports)
            leader = next(port for port, leads in flags.items() if leads)
            survivor = next(port for port in ports if port != leader)

            processes[leader].send_signal(signal.SIGKILL)
            processes[leader].wait(timeout=10)

            async def survivor_leads() -> bool:
                return (await scheduler_flags(http, [survivor]))[survivor] is True

            took = await eventually(survivor_leads, within=LEASE_SECONDS * 3)
            assert took <= LEASE_SECONDS + LEASE_SECONDS / 3 + 1.5
    finally:
        stop_all(processes.values())


async def test_a_process_with_the_scheduler_off_never_takes_the_clock(
    database_url, services, slack, tmp_path
):
    """The clock is free while the `off` process runs alone (its first holder stopped and released
    it); a process started after it still takes the clock at once: the `off` one never competed."""
    first, off, second = free_port(), free_port(), free_port()
    processes = {first: start(database_url, slack.url, first, tmp_path)}
    try:
        async with httpx.AsyncClient(timeout=2) as http:

            async def leads(port: int) -> bool:
                flags = await scheduler_flags(http, [port, off] if off in processes else [port])
                assert flags.get(off) in (None, False), "the process with the scheduler off never leads"
                return flags[port] is True

            await eventually(lambda: leads(first), within=40)
            processes[off] = start(database_url, slack.url, off, tmp_path, scheduler="off")

            async def off_answers() -> bool:
                return (await scheduler_flags(http, [off]))[off] is False

            await eventually(off_answers, within=40)
            processes[first].send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(processes[first].wait, 30) == 0
            async with services.db.reader() as session:
                assert await session.get(Lease, LEASE) is None, "released: the clock is free"

            processes[second] = start(database_url, slack.url, second, tmp_path)
            await eventually(lambda: leads(second), within=40)
            assert (await scheduler_flags(http, [off]))[off] is False
            async with services.db.reader() as session:
                holder = (await session.get(Lease, LEASE)).holder
            assert f":{processes[second].pid}:" in holder
    finally:
        stop_all(processes.values())
