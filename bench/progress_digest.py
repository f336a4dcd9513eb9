"""The leads' progress digest for a big team: time and SQL statements, at several team sizes.

    .venv/bin/python -m bench.progress_digest [--members 100 500 1000] [--weeks 12] [--runs 9]

For each team size, migrates a fresh SQLite database in a temporary directory, imports a roster of
one lead and `members` members, and stores `weeks` weeks of reports (each member reports on one of
the team's projects most weeks: about 6,000 rows for 500 members and 12 weeks; some blocked, some at
risk, a tenth of the members missing in the latest week). Then runs the digest job as the clock runs
it (bot.services.progress.digest: read the period, build the messages, enqueue them in the outbox)
`runs` times after a warm-up, each as of a different minute after the deadline so that every run
really enqueues its messages, and reports the median time and the SQL statements one run executes
(counted with a before_cursor_execute listener on the engine).

Target: under 300 ms for 500 members, and the same number of statements at every size. Prints the
figures and PASS/FAIL, writes them to bench/results/progress_digest.json, and exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert

from bench.common import bench_settings, environment, save
from bot.rules.progress import fold_project, period_at
from bot.rules.roster import parse_roster
from bot.services import progress, roster
from bot.services.schedules import team_clocks
from bot.slackapp.runtime import running
from storage import migrate
from storage import teams as team_repo
from storage.models import ProgressReport

TARGET_MS = 300.0
TARGET_MEMBERS = 500
PROJECTS = 40
TIMEZONE = "Asia/Shanghai"
# The digest runs an hour after the deadline: Friday 20 November 2026, 18:00 in Shanghai.
DIGEST_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@dataclass
class Result:
    members: int
    reports: int
    projects_in_period: int
    missing: int
    messages: int
    statements: int
    median_ms: float
    min_ms: float
    max_ms: float


def team(members: int) -> dict:
    people = [{"user": "U0LEAD001", "role": "lead"}]
    people += [
        {"user": f"U{n:08d}", "role": "member", "supervisor": "U0LEAD001"} for n in range(1, members + 1)
    ]
    return {
        "key": "big",
        "name": "Big Team",
        "channel": "C0BIGTEAM",
        "digest_channel": "G0BIGLEADS",
        "timezone": TIMEZONE,
        "locale": "en",
        "members": people,
    }


def report_rows(team_id: int, members: int, weeks: int, rng: random.Random) -> list[dict]:
    """About one report per member per week; a tenth of the members skip the latest week."""
    rows = []
    for week in range(weeks):
        moment = DIGEST_AT - timedelta(weeks=week, days=2)
        period = period_at(moment, timezone=TIMEZONE, cadence="weekly", due="fri 17:00").key
        for n in range(1, members + 1):
            if week == 0 and n % 10 == 0:
                continue
            project = f"Project {rng.randrange(PROJECTS):02d}"
            status = rng.choices(("blocked", "at_risk", "on_track"), weights=(5, 15, 80))[0]
            rows.append(
                {
                    "team_id": team_id,
                    "user_id": f"U{n:08d}",
                    "project": project,
                    "project_key": fold_project(project),
                    "period": period,
                    "done": "Met the client, sent the proposal, updated the plan.",
                    "next_steps": "Follow up on the contract.",
                    "blockers": "Waiting for the legal review." if status != "on_track" else "",
                    "percent": rng.randrange(101),
                    "status": status,
                    "revision": 1,
                    "created_at": moment,
                    "updated_at": moment + timedelta(minutes=n % 600),
                }
            )
    return rows


async def measure(members: int, weeks: int, runs: int, workdir: Path) -> Result:
    url = f"sqlite+aiosqlite:///{workdir / f'digest-{members}.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    # Nothing is sent: the digest's messages wait in the outbox (no sender runs).
    settings = bench_settings(url, "http://127.0.0.1:9/api/")
    async with running(settings) as services:
        parsed, errors = parse_roster({"teams": [team(members)]})
        assert not errors, errors
        await roster.import_roster(services, parsed)
        [clock] = await team_clocks(services)
        async with services.unit_of_work() as session:
            team_id = (await team_repo.team_by_key(session, "big")).id
            rows = report_rows(team_id, members, weeks, random.Random(members))
            await session.execute(insert(ProgressReport), rows)

        statements: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany) -> None:
            statements.append(statement)

        times: list[float] = []
        summary = ""
        for run in range(runs + 1):  # the first run warms up caches and is not timed
            at = DIGEST_AT + timedelta(minutes=run)
            statements.clear()
            event.listen(services.db.engine.sync_engine, "before_cursor_execute", count)
            started = time.perf_counter()
            summary = await progress.digest(services, at, clock)
            elapsed = time.perf_counter() - started
            event.remove(services.db.engine.sync_engine, "before_cursor_execute", count)
            if run:
                times.append(elapsed * 1000)
    # "period 2026-W47: digest of 40 project(s) and 50 missing report(s) in 1 message(s) to G0BIGLEADS"
    projects, missing, messages = (int(n) for n in re.findall(r"(\d+) (?:project|missing|message)", summary))
    return Result(
        members=members,
        reports=len(rows),
        projects_in_period=projects,
        missing=missing,
        messages=messages,
        statements=len(statements),
        median_ms=round(statistics.median(times), 1),
        min_ms=round(min(times), 1),
        max_ms=round(max(times), 1),
    )


def report(results: list[Result], passed: bool) -> str:
    lines = [
        "progress digest (bot.services.progress.digest: read, build, enqueue) on SQLite",
        "",
        f"{'members':>8} {'reports':>8} {'projects':>9} {'missing':>8} {'messages':>9} "
        f"{'statements':>11} {'median ms':>10} {'min':>7} {'max':>7}",
    ]
    for r in results:
        lines.append(
            f"{r.members:>8} {r.reports:>8} {r.projects_in_period:>9} {r.missing:>8} {r.messages:>9} "
            f"{r.statements:>11} {r.median_ms:>10.1f} {r.min_ms:>7.1f} {r.max_ms:>7.1f}"
        )
    lines += [
        "",
        f"target: median under {TARGET_MS:g} ms at {TARGET_MEMBERS} members, "
        "and the same number of statements at every size",
        "PASS" if passed else "FAIL",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.progress_digest", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--members", type=int, nargs="+", default=[100, TARGET_MEMBERS, 1000])
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="teamops-digest-") as workdir:
        results = [asyncio.run(measure(m, args.weeks, args.runs, Path(workdir))) for m in args.members]
    at_target = [r for r in results if r.members == TARGET_MEMBERS]
    passed = all(r.median_ms < TARGET_MS for r in at_target) and len({r.statements for r in results}) == 1
    print(report(results, passed))
    save(
        "progress_digest",
        {"results": [asdict(r) for r in results], "passed": passed, "environment": environment()},
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
