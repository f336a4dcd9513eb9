"""The daily stand-up at size (issue 14): the ask of a 1,000-person service team against Slack's rate
limits, and the summary of 1,000 answers.

    .venv/bin/python -m bench.standup [--members 1000] [--speedup 12] [--answers 1000] [--repeat 5]

Ask: as bench.fanout, with the stand-up's own ask as the fan-out: one service team of `--members`
people is imported (not timed), then `standup-ask` runs as the clock runs it (`run_job`) and its
commit starts the clock; ONE outbox sender built as `teamops run` builds it delivers the DMs to the
rate-limited fake Slack. Target: within 1.2x of the bound the tightest limit sets, nothing lost,
nothing sent twice.

Summary: a team of `--answers` people asked on `--repeat` working days, everyone answering all three
questions; `standup-summary` runs once per day (the database read, the build and the outbox rows,
as the clock runs it) and, in the same run on the same pool, one plain SELECT of the day's answers
(the floor: what any summary must read). Reports the median, the ratio to the floor and the absolute
time (target: under 200 ms on SQLite).

Prints the figures, writes bench/results/standup.json, and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from bench import fanout
from bench.common import NO_SLACK, bench_settings, environment, save
from bot.rules.roster import parse_roster
from bot.services import roster
from bot.slackapp.runtime import running
from scheduler.runner import run_job
from storage import migrate
from storage.models import StandupAnswer, StandupDay

TEAM_KEY = "cs-big"
MONDAY_ASK = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
SUMMARY_AFTER_ASK = timedelta(minutes=30)
SUMMARY_TARGET_MS = 200.0


def team(users: list[str]) -> dict:
    return {
        "teams": [
            {
                "key": TEAM_KEY,
                "name": "Customer Service (big)",
                "kind": "service",
                "channel": "C0BIGTEAM",
                "digest_channel": "G0BIGLEADS",
                "timezone": "Asia/Shanghai",
                "locale": "en",
                "members": [{"user": u, "role": "lead" if i == 0 else "member"} for i, u in enumerate(users)],
            }
        ]
    }


async def import_team(services, users: list[str]) -> None:
    parsed, errors = parse_roster(team(users))
    assert not errors, errors
    await roster.import_roster(services, parsed)


async def ask_them(services, users: list[str]) -> None:
    (line,) = await run_job(services, "standup-ask", team_key=TEAM_KEY, at=MONDAY_ASK)
    assert f"asked {len(users)} person(s)" in line, line


@dataclass
class Summary:
    answers: int
    days: int
    median_ms: float
    floor_median_ms: float
    ratio: float
    runs_ms: list[float]
    floor_runs_ms: list[float]
    line: str
    passed: bool


async def summary(answers: int, repeat: int, workdir: Path) -> Summary:
    url = f"sqlite+aiosqlite:///{workdir / 'summary.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    users = [f"U{n:07d}" for n in range(1, answers + 1)]
    runs, floors, line = [], [], ""
    async with running(bench_settings(url, NO_SLACK)) as services:
        await import_team(services, users)
        days = []
        moment = MONDAY_ASK
        while len(days) < repeat:
            if moment.weekday() < 5:
                (asked,) = await run_job(services, "standup-ask", team_key=TEAM_KEY, at=moment)
                assert "asked" in asked, asked
                days.append(moment)
            moment += timedelta(days=1)
        async with services.unit_of_work() as session:
            await session.execute(
                update(StandupAnswer).values(
                    answers={
                        "share": "Listening to the whole complaint first calms most callers down.",
                        "pass_on": "The new refund form is live from Monday; the old one is gone.",
                        "problems": "Order 2026-1187: the courier lost the parcel twice; client waiting.",
                    },
                    answered_at=MONDAY_ASK,
                )
            )
        for moment in days:
            at = moment + SUMMARY_AFTER_ASK
            started = time.perf_counter()
            (line,) = await run_job(services, "standup-summary", team_key=TEAM_KEY, at=at)
            runs.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            async with services.db.reader() as session:
                day_id = await session.scalar(select(StandupDay.id).where(StandupDay.day == at.date()))
                rows = (
                    await session.execute(
                        select(StandupAnswer.user_id, StandupAnswer.answers).where(
                            StandupAnswer.standup_id == day_id
                        )
                    )
                ).all()
            floors.append((time.perf_counter() - started) * 1000)
            assert len(rows) == answers
    median, floor = statistics.median(runs), statistics.median(floors)
    return Summary(
        answers=answers,
        days=repeat,
        median_ms=round(median, 2),
        floor_median_ms=round(floor, 2),
        ratio=round(median / floor, 2) if floor else float("inf"),
        runs_ms=[round(r, 2) for r in runs],
        floor_runs_ms=[round(f, 2) for f in floors],
        line=line,
        passed=median < SUMMARY_TARGET_MS and f"summary of {answers} answer(s)" in line,
    )


@dataclass
class Result:
    ask: fanout.Result
    summary: Summary
    passed: bool
    environment: dict[str, str] = field(default_factory=dict)


def report(result: Result) -> str:
    ask_report = fanout.report(result.ask).replace("fan-out:", "stand-up ask:", 1)
    s = result.summary
    lines = [
        ask_report,
        "",
        f"summary: {s.answers} answers x 3 questions, {s.days} days, `standup-summary` as the clock runs it",
        f"  median {s.median_ms:.1f} ms (target < {SUMMARY_TARGET_MS:g} ms); runs {s.runs_ms}",
        f"  floor (one SELECT of the day's answers) median {s.floor_median_ms:.1f} ms; ratio {s.ratio:.2f}",
        f"  last run: {s.line}",
        "",
        "PASS" if result.passed else "FAIL",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.standup", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--speedup", type=float, default=fanout.DEFAULT_SPEEDUP)
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="teamops-standup-") as workdir:
        asked = asyncio.run(
            fanout.fan_out(args.members, args.speedup, Path(workdir), prepare=import_team, enqueue=ask_them)
        )
        summarised = asyncio.run(summary(args.answers, args.repeat, Path(workdir)))
    result = Result(asked, summarised, asked.passed and summarised.passed, environment())
    print(report(result))
    save("standup", asdict(result))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
