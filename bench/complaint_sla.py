"""The complaint SLA sweep: its cost must follow the complaints that are due, not the open ones.

    .venv/bin/python -m bench.complaint_sla [--due 100] [--open 1000 10000] [--repeat 5]

For each size, migrates a fresh SQLite database in a temporary directory, imports one team, and
writes that many open complaints (high severity, 2 h to acknowledge) of which `--due` were logged
1 h 40 min before the sweep (their "due soon" step, at 1 h 30 min, is due: one DM each to the owner)
and the rest 10 minutes before it (nothing due). Then runs the sweep as the clock does
(`run_job(services, "complaint-sla", team_key=..., at=...)`) and measures its wall time and the SQL
statements it sends (a `before_cursor_execute` listener on the engine). The run is repeated on a
fresh copy of the database `--repeat` times; the median time is reported.

Target: the same number of statements at every size, and the largest size's median time within
2x the smallest's. Prints the figures and the query plan of the due-rows query, writes them to
bench/results/complaint_sla.json, and exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, select, text

from bench.common import NO_SLACK, bench_settings, environment, save
from bot.rules.roster import parse_roster
from bot.services import roster
from bot.slackapp.runtime import running
from scheduler.runner import run_job
from storage import migrate
from storage.models import Complaint, ComplaintEscalation, OutboxRow, Team

# Nothing here talks to Slack: a port nobody listens on.
AT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
TARGET_TIME_RATIO = 2.0
TEAM = {
    "key": "cs-bench",
    "name": "Bench",
    "kind": "service",
    "channel": "C0BENCH01",
    "digest_channel": "C0BENCH02",
    "timezone": "UTC",
    "members": [{"user": "U0LEAD001", "role": "lead"}, {"user": "U0OWNER01", "role": "member"}],
}


@dataclass
class Size:
    open: int
    due: int
    statements: int
    median_seconds: float
    runs_seconds: list[float]
    fired: int
    notices: int
    job_line: str


@dataclass
class Result:
    due: int
    sizes: list[Size]
    statements_equal: bool
    time_ratio: float
    passed: bool
    due_query_plan: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)


async def _fill(url: str, open_count: int, due: int) -> None:
    """One team and `open_count` open complaints, `due` of them with their first step due at AT."""
    async with running(bench_settings(url, NO_SLACK)) as services:
        parsed, errors = parse_roster({"teams": [TEAM]})
        assert not errors, errors
        await roster.import_roster(services, parsed)
        async with services.unit_of_work() as session:
            team = await session.scalar(select(Team).where(Team.key == TEAM["key"]))
            rows = []
            for n in range(1, open_count + 1):
                logged = AT - (timedelta(minutes=100) if n <= due else timedelta(minutes=10))
                rows.append(
                    {
                        "workspace_id": team.workspace_id,
                        "team_id": team.id,
                        "year": 2026,
                        "number": n,
                        "reference": f"C-2026-{n:04d}",
                        "client": f"Client {n}",
                        "client_contact": "",
                        "received_via": "phone",
                        "category": "service",
                        "severity": "high",
                        "description": "Benchmark complaint",
                        "status": "new",
                        "owner_id": "U0OWNER01",
                        "reporter_id": "U0LEAD001",
                        "created_at": logged,
                        "acknowledge_due": logged + timedelta(hours=2),
                        "resolve_from": logged,
                        "resolve_due": logged + timedelta(days=3),
                        "resolution": "",
                        "client_feedback": "",
                        "next_escalation_at": logged + timedelta(minutes=90),
                        "version": 1,
                    }
                )
            for start in range(0, len(rows), 1000):
                await session.execute(insert(Complaint), rows[start : start + 1000])


async def _sweep_once(url: str) -> tuple[float, int, int, int, str, list[str]]:
    async with running(bench_settings(url, NO_SLACK)) as services:
        services.now = lambda: AT
        async with services.db.reader() as session:  # connect and warm up outside the measurement
            await session.execute(text("SELECT 1"))
            plan = [
                str(row[-1])
                for row in await session.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT * FROM complaints "
                        "WHERE team_id = 1 AND next_escalation_at <= :at ORDER BY next_escalation_at"
                    ),
                    {"at": AT.isoformat(sep=" ")},
                )
            ]
        statements = 0

        def count(*_args) -> None:
            nonlocal statements
            statements += 1

        event.listen(services.db.engine.sync_engine, "before_cursor_execute", count)
        started = time.perf_counter()
        (line,) = await run_job(services, "complaint-sla", team_key=TEAM["key"], at=AT)
        elapsed = time.perf_counter() - started
        event.remove(services.db.engine.sync_engine, "before_cursor_execute", count)
        async with services.db.reader() as session:
            fired = len((await session.scalars(select(ComplaintEscalation.id))).all())
            notices = len((await session.scalars(select(OutboxRow.id))).all())
    return elapsed, statements, fired, notices, line, plan


async def measure(open_count: int, due: int, repeat: int, workdir: Path) -> tuple[Size, list[str]]:
    template = workdir / f"template-{open_count}.db"
    await asyncio.to_thread(migrate.upgrade, f"sqlite+aiosqlite:///{template}")
    await _fill(f"sqlite+aiosqlite:///{template}", open_count, due)
    runs: list[float] = []
    for attempt in range(repeat):
        copy = workdir / f"run-{open_count}-{attempt}.db"
        shutil.copy(template, copy)
        elapsed, statements, fired, notices, line, plan = await _sweep_once(f"sqlite+aiosqlite:///{copy}")
        runs.append(elapsed)
    size = Size(
        open=open_count,
        due=due,
        statements=statements,
        median_seconds=round(statistics.median(runs), 4),
        runs_seconds=[round(r, 4) for r in runs],
        fired=fired,
        notices=notices,
        job_line=line,
    )
    return size, plan


async def bench(due: int, sizes: list[int], repeat: int, workdir: Path) -> Result:
    measured: list[Size] = []
    plan: list[str] = []
    for open_count in sizes:
        size, plan = await measure(open_count, due, repeat, workdir)
        measured.append(size)
    statements_equal = len({s.statements for s in measured}) == 1
    ratio = measured[-1].median_seconds / measured[0].median_seconds
    fired_all = all(s.fired == due for s in measured)
    return Result(
        due=due,
        sizes=measured,
        statements_equal=statements_equal,
        time_ratio=round(ratio, 3),
        passed=statements_equal and ratio <= TARGET_TIME_RATIO and fired_all,
        due_query_plan=plan,
        environment=environment(),
    )


def report(result: Result) -> str:
    lines = [f"complaint SLA sweep: {result.due} due complaints among N open, SQLite", ""]
    lines.append(f"{'open':>8} {'due':>5} {'statements':>11} {'median s':>9}  runs (s)   fired  outbox rows")
    for s in result.sizes:
        lines.append(
            f"{s.open:>8} {s.due:>5} {s.statements:>11} {s.median_seconds:>9.4f}  "
            f"{', '.join(f'{r:.4f}' for r in s.runs_seconds)}  {s.fired:>5}  {s.notices:>5}"
        )
    lines += [
        "",
        f"the due-rows query: {' / '.join(result.due_query_plan)}",
        f"statements equal at every size: {result.statements_equal}",
        f"time ratio largest / smallest: {result.time_ratio:.2f} (target <= {TARGET_TIME_RATIO})",
        "",
        "PASS" if result.passed else "FAIL",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.complaint_sla", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--open", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="teamops-complaint-sla-") as workdir:
        result = asyncio.run(bench(args.due, sorted(args.open), args.repeat, Path(workdir)))
    print(report(result))
    save("complaint_sla", asdict(result))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
