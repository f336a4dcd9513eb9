"""The roster kept in memory (bot/services/directory.py): what every request's check costs, and what a
roster change costs, against a read of the same data through the pool, in the same run.

    .venv/bin/python -m bench.roster_snapshot [--sizes 10x30 50x40] [--runs 2000]

For each size (teams x members per team), migrates a fresh SQLite database, imports the roster and
measures, each as a median over `runs` (loads over a tenth of them):
- check: Directory.current() when the snapshot is current (the roster version read in place, and
  the snapshot returned): what every request pays;
- pooled read: one read of the same one-row version through a pooled session, as the request path
  read its data before (the baseline);
- load: a new snapshot (what the first request after any roster change pays, once per process).

Prints the figures and the ratios check / pooled read and load / pooled read, and writes them to
bench/results/roster_snapshot.json. Target: a check at most a tenth of a pooled read.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.common import bench_settings, environment, save
from bot.rules.roster import parse_roster
from bot.services import roster
from bot.slackapp.runtime import running
from storage import migrate
from storage.models import CURRENT_ROSTER_VERSION

MAX_CHECK_RATIO = 0.1


@dataclass
class Result:
    teams: int
    members_per_team: int
    memberships: int
    check_us: float
    pooled_read_us: float
    load_ms: float
    check_ratio: float
    load_ratio: float


def roster_file(teams: int, size: int) -> dict:
    return {
        "teams": [
            {
                "key": f"team-{t}",
                "name": f"Team {t}",
                "kind": "service",
                "channel": "C0TEAM0001",
                "digest_channel": "C0LEADS001",
                "members": [
                    {"user": f"U{t:04d}{i:04d}", "role": "lead" if i == 0 else "member"} for i in range(size)
                ],
            }
            for t in range(teams)
        ]
    }


async def median_seconds(step, runs: int) -> float:
    for _ in range(max(1, runs // 10)):
        await step()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def measure(teams: int, size: int, runs: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="teamops-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'teamops.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        async with running(bench_settings(url, "http://127.0.0.1:9/api/")) as services:
            parsed, errors = parse_roster(roster_file(teams, size))
            assert not errors, errors[:3]
            await roster.import_roster(services, parsed)
            directory = services.directory

            async def pooled_read() -> None:
                async with services.db.reader() as session:
                    await session.scalar(CURRENT_ROSTER_VERSION)

            async def load() -> None:
                directory._snapshot = None  # as after a roster change
                await directory.current()

            check = await median_seconds(directory.current, runs)
            pooled = await median_seconds(pooled_read, runs)
            loaded = await median_seconds(load, max(5, runs // 100))
    return Result(
        teams=teams,
        members_per_team=size,
        memberships=teams * size,
        check_us=check * 1e6,
        pooled_read_us=pooled * 1e6,
        load_ms=loaded * 1e3,
        check_ratio=check / pooled,
        load_ratio=loaded / pooled,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.roster_snapshot", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--sizes", nargs="+", default=["10x30", "50x40"], help="TEAMSxMEMBERS (default 10x30 50x40)"
    )
    parser.add_argument("--runs", type=int, default=2000, help="timed runs of a check (default 2000)")
    args = parser.parse_args(argv)
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes]
    results = [asyncio.run(measure(teams, size, args.runs)) for teams, size in sizes]
    heads = ("memberships", "check us", "pooled read us", "load ms", "check/read", "load/read")
    print(" ".join(f"{head:>{max(len(head), 9)}}" for head in heads))
    for r in results:
        print(
            f"{r.memberships:>11} {r.check_us:>9.1f} {r.pooled_read_us:>14.1f} {r.load_ms:>9.1f} "
            f"{r.check_ratio:>10.3f} {r.load_ratio:>9.1f}"
        )
    passed = all(r.check_ratio <= MAX_CHECK_RATIO for r in results)
    print(f"target: a check at most {MAX_CHECK_RATIO:g} of a pooled read: {'PASS' if passed else 'FAIL'}")
    save("roster_snapshot", {"results": [asdict(r) for r in results], "passed": passed, **environment()})
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
