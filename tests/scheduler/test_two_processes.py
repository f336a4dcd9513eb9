"""Two `teamops run` processes on one database: exactly one holds the clock, and the other takes it
over within the lease time when the leader is killed."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support import eventually

LEASE_SECONDS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(database_url: str, slack_url: str, port: int, cwd: Path) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMOPS_", "DATABASE_"))},
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": slack_url,
        "DATABASE_URL": database_url,
        "TEAMOPS_LEASE_SECONDS": str(LEASE_SECONDS),
        "TEAMOPS_LOG_LEVEL": "WARNING",
    }
    teamops = Path(sys.executable).with_name("teamops")
    return subprocess.Popen(
        [str(teamops), "run", "--http", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


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
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                assert process.wait(timeout=20) == 0, "SIGTERM stops the bot cleanly"
