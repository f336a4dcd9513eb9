"""The risk register and the review sweep at size (issue 12).

    .venv/bin/python -m bench.risk_register [--register 5000] [--due 100] [--open 1000 10000] [--repeat 5]

Register: migrates a fresh SQLite database, imports one team and writes `--register` open risks of
mixed levels; then builds `/risk list open` as the command does (`risks.register`, the person's
teams' registers sorted by level, score and age) and, in the same run on the same pool, one plain
SELECT of the same rows (the floor: what any listing must read). Reports the median of `--repeat`
builds, the ratio to the floor, and the absolute time (target: under 100 ms, the issue's).

Review sweep: for each `--open` size, `--due` of the open risks have a review due today and the rest
later; runs `risk-review` as the clock does (`run_job`) on a fresh copy of the database `--repeat`
times and counts its SQL statements. Target: the same number of statements at every size and the
largest size's median within 2x the smallest's (its cost follows the due rows, not the register).

Prints the figures, writes bench/results/risk_register.json, and exits 1 when a target is missed.
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, select, text

from bench.common import bench_settings, environment, save
from bot.rules.risks import level
from bot.rules.roster import parse_roster
from bot.services import people, risks, roster
from bot.slackapp.runtime import running
from scheduler.runner import run_job
from storage import migrate
from storage.models import OutboxRow, Risk, Team

# Nothing here talks to Slack: a port nobody listens on.
NO_SLACK = "http://127.0.0.1:9/api/"
AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
TODAY = date(2026, 11, 23)
REGISTER_TARGET_SECONDS = 0.100
TARGET_TIME_RATIO = 2.0
LEAD, OWNER = "U0LEAD001", "U0OWNER01"
TEAM = {
    "key": "ops",
    "name": "Bench",
    "channel": "C0BENCH01",
    "digest_channel": "C0BENCH02",
    "timezone": "Asia/Shanghai",
    "members": [{"user": LEAD, "role": "lead"}, {"user": OWNER, "role": "member"}],
}


@dataclass
class Register:
    risks: int
    listed: int
    median_seconds: float
    floor_median_seconds: float
    ratio: float
    runs_seconds: list[float]


@dataclass
class Sweep:
    open: int
    due: int
    statements: int
    median_seconds: float
    runs_seconds: list[float]
    reminders: int
    job_line: str


@dataclass
class Result:
    register: Register
    sweeps: list[Sweep]
    statements_equal: bool
    sweep_time_ratio: float
    passed: bool
    environment: dict[str, str] = field(default_factory=dict)


async def _fill(url: str, count: int, due: int) -> None:
    """One team and `count` open risks; `due` of them have their review due today."""
    async with running(bench_settings(url, NO_SLACK)) as services:
        parsed, errors = parse_roster({"teams": [TEAM]})
        assert not errors, errors
        await roster.import_roster(services, parsed)
        async with services.unit_of_work() as session:
            team = await session.scalar(select(Team).where(Team.key == TEAM["key"]))
            rows = []
            for n in range(1, count + 1):
                likelihood, impact = 1 + n % 5, 1 + (n // 5) % 5
                review = TODAY if n <= due else TODAY + timedelta(days=1 + n % 20)
                made = AT - timedelta(days=30, minutes=n)
                rows.append(
                    {
                        "workspace_id": team.workspace_id,
                        "team_id": team.id,
                        "year": 2026,
                        "number": n,
                        "reference": f"R-2026-{n:04d}",
                        "title": f"Risk {n}",
                        "category": "operational",
                        "cause": "Benchmark cause",
                        "consequence": "Benchmark impact",
                        "likelihood": likelihood,
                        "impact": impact,
                        "score": likelihood * impact,
                        "level": level(likelihood, impact).value,
                        "owner_id": OWNER,
                        "department": "",
                        "strategy": "reduce",
                        "plan": "Benchmark plan",
                        "status": "open",
                        "reviewed_on": TODAY - timedelta(days=30),
                        "next_review": review,
                        "remind_on": review,
                        "raised_by": LEAD,
                        "created_at": made,
                        "updated_at": made,
                        "closed_at": None,
                        "version": 1,
                    }
                )
            for start in range(0, len(rows), 1000):
                await session.execute(insert(Risk), rows[start : start + 1000])


async def _template(workdir: Path, name: str, count: int, due: int) -> Path:
    path = workdir / f"{name}.db"
    await asyncio.to_thread(migrate.upgrade, f"sqlite+aiosqlite:///{path}")
    await _fill(f"sqlite+aiosqlite:///{path}", count, due)
    return path


async def measure_register(count: int, repeat: int, workdir: Path) -> Register:
    path = await _template(workdir, "register", count, 0)
    async with running(bench_settings(f"sqlite+aiosqlite:///{path}", NO_SLACK)) as services:
        services.now = lambda: AT
        lead = await people.actor(services, LEAD)
        floor = select(Risk.reference, Risk.title, Risk.level, Risk.score, Risk.next_review).where(
            Risk.status == "open"
        )
        builds, floors, listed = [], [], 0
        for _ in range(repeat + 1):  # the first of each warms the pool and the caches up
            started = time.perf_counter()
            shown = await risks.register(services, lead, "open")
            builds.append(time.perf_counter() - started)
            listed = shown.count
            started = time.perf_counter()
            async with services.db.reader() as session:
                (await session.execute(floor)).all()
            floors.append(time.perf_counter() - started)
    median, floor_median = statistics.median(builds[1:]), statistics.median(floors[1:])
    return Register(
        risks=count,
        listed=listed,
        median_seconds=round(median, 4),
        floor_median_seconds=round(floor_median, 4),
        ratio=round(median / floor_median, 2),
        runs_seconds=[round(b, 4) for b in builds[1:]],
    )


async def _sweep_once(url: str) -> tuple[float, int, int, str]:
    async with running(bench_settings(url, NO_SLACK)) as services:
        services.now = lambda: AT
        async with services.db.reader() as session:
            await session.execute(text("SELECT 1"))
        statements = 0

        def count(*_args) -> None:
            nonlocal statements
            statements += 1

        event.listen(services.db.engine.sync_engine, "before_cursor_execute", count)
        started = time.perf_counter()
        (line,) = await run_job(services, "risk-review", team_key=TEAM["key"], at=AT)
        elapsed = time.perf_counter() - started
        event.remove(services.db.engine.sync_engine, "before_cursor_execute", count)
        async with services.db.reader() as session:
            reminders = len((await session.scalars(select(OutboxRow.id))).all())
    return elapsed, statements, reminders, line


async def measure_sweep(count: int, due: int, repeat: int, workdir: Path) -> Sweep:
    template = await _template(workdir, f"sweep-{count}", count, due)
    runs = []
    for attempt in range(repeat):
        copy = workdir / f"sweep-{count}-{attempt}.db"
        shutil.copy(template, copy)
        elapsed, statements, reminders, line = await _sweep_once(f"sqlite+aiosqlite:///{copy}")
        runs.append(elapsed)
    return Sweep(
        open=count,
        due=due,
        statements=statements,
        median_seconds=round(statistics.median(runs), 4),
        runs_seconds=[round(r, 4) for r in runs],
        reminders=reminders,
        job_line=line,
    )


async def bench(register: int, due: int, sizes: list[int], repeat: int, workdir: Path) -> Result:
    listed = await measure_register(register, repeat, workdir)
    sweeps = [await measure_sweep(size, due, repeat, workdir) for size in sizes]
    statements_equal = len({s.statements for s in sweeps}) == 1
    ratio = sweeps[-1].median_seconds / sweeps[0].median_seconds
    reminded_all = all(s.reminders == due for s in sweeps)
    passed = (
        listed.listed == register
        and listed.median_seconds < REGISTER_TARGET_SECONDS
        and statements_equal
        and ratio <= TARGET_TIME_RATIO
        and reminded_all
    )
    return Result(listed, sweeps, statements_equal, round(ratio, 3), passed, environment())


def report(result: Result) -> str:
    r = result.register
    lines = [
        f"/risk list open, {r.risks} open risks, SQLite: {r.listed} listed",
        f"  median {r.median_seconds * 1000:.1f} ms (target < {REGISTER_TARGET_SECONDS * 1000:.0f} ms); "
        f"the floor (one SELECT of the same rows) {r.floor_median_seconds * 1000:.1f} ms; "
        f"ratio {r.ratio:.2f}",
        f"  runs (s): {', '.join(f'{x:.4f}' for x in r.runs_seconds)}",
        "",
        "risk-review sweep, SQLite",
        f"{'open':>8} {'due':>5} {'statements':>11} {'median s':>9}  reminders  runs (s)",
    ]
    for s in result.sweeps:
        lines.append(
            f"{s.open:>8} {s.due:>5} {s.statements:>11} {s.median_seconds:>9.4f}  {s.reminders:>9}  "
            f"{', '.join(f'{x:.4f}' for x in s.runs_seconds)}"
        )
    lines += [
        f"statements equal at every size: {result.statements_equal}",
        f"time ratio largest / smallest: {result.sweep_time_ratio:.2f} (target <= {TARGET_TIME_RATIO})",
        "",
        "PASS" if result.passed else "FAIL",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.risk_register", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--register", type=int, default=5000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--open", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="teamops-risk-register-") as workdir:
        result = asyncio.run(bench(args.register, args.due, sorted(args.open), args.repeat, Path(workdir)))
    print(report(result))
    save("risk_register", asdict(result))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
