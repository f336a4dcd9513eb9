"""`teamops teams import` of a large roster: time per person and SQL statements, at several sizes.

    .venv/bin/python -m bench.roster_import [--people 1000 2000 4000] [--team-size 50] [--runs 3]

For each size, migrates a fresh SQLite database in a temporary directory and imports a roster of
`people` people in teams of `team-size` (each team one lead and its members; every tenth person also
in a second team), as the CLI does (bot.rules.roster.parse_roster, then
bot.services.roster.import_roster): first into the empty database (every team and member created),
then the same file again (every one updated). The import is one unit of work, so its time is how
long SQLite's write lock is held: the bot and the clock wait that long.

Each import is run `runs` times, each into a fresh database, and the median taken.
Prints validation and import times, time per person and the SQL statements each import executes
(counted with a before_cursor_execute listener on the engine). Target: the import scales linearly,
time per person at the largest size at most 1.5 times that at the smallest, and the same number of
statements at every size. Writes the figures to bench/results/roster_import.json, exits 1 on a miss.
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

from sqlalchemy import event

from bench.common import bench_settings, environment, save
from bot.rules.roster import parse_roster
from bot.services import roster
from bot.slackapp.runtime import running
from storage import migrate

MAX_PER_PERSON_RATIO = 1.5


@dataclass
class Result:
    people: int
    teams: int
    memberships: int
    validate_ms: float
    create_ms: float
    update_ms: float
    create_us_per_person: float
    update_us_per_person: float
    create_statements: int
    update_statements: int


def roster_file(people: int, team_size: int) -> dict:
    users = [f"U{i:07d}" for i in range(people)]
    teams = []
    for t, first in enumerate(range(0, people, team_size)):
        members = [
            {"user": user, "role": "lead" if i == 0 else "member", "title": f"Title {i}"}
            for i, user in enumerate(users[first : first + team_size])
        ]
        # Every tenth person of the previous team is in this one too (people in two teams).
        if t:
            members += [
                {"user": u} for u in users[first - team_size : first : 10] if u != users[first - team_size]
            ]
        teams.append(
            {
                "key": f"team-{t}",
                "name": f"Team {t}",
                "kind": "service",
                "channel": "C0TEAM0001",
                "digest_channel": "C0LEADS001",
                "members": members,
                "complaint_sla": {"default_owner": members[0]["user"]},
            }
        )
    return {"teams": teams}


async def import_twice(parsed) -> tuple[float, float, int, int]:
    """Into a fresh database, then again: (create s, update s, create statements, update statements)."""
    with tempfile.TemporaryDirectory(prefix="teamops-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'teamops.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        async with running(bench_settings(url, "http://127.0.0.1:9/api/")) as services:
            statements = 0

            def count(*_args) -> None:
                nonlocal statements
                statements += 1

            event.listen(services.db.engine.sync_engine, "before_cursor_execute", count)

            async def timed_import() -> tuple[float, int]:
                nonlocal statements
                statements = 0
                started = time.perf_counter()
                await roster.import_roster(services, parsed)
                return time.perf_counter() - started, statements

            create, create_statements = await timed_import()
            update, update_statements = await timed_import()
    return create, update, create_statements, update_statements


async def measure(people: int, team_size: int, runs: int) -> Result:
    data = roster_file(people, team_size)
    started = time.perf_counter()
    parsed, errors = parse_roster(data)
    validated = time.perf_counter() - started
    assert not errors, errors[:3]
    measured = [await import_twice(parsed) for _ in range(runs)]
    create = statistics.median(run[0] for run in measured)
    update = statistics.median(run[1] for run in measured)
    return Result(
        people=people,
        teams=len(data["teams"]),
        memberships=sum(len(team["members"]) for team in data["teams"]),
        validate_ms=validated * 1e3,
        create_ms=create * 1e3,
        update_ms=update * 1e3,
        create_us_per_person=create / people * 1e6,
        update_us_per_person=update / people * 1e6,
        create_statements=max(run[2] for run in measured),
        update_statements=max(run[3] for run in measured),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.roster_import", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--people", type=int, nargs="+", default=[1000, 2000, 4000], help="default 1000 2000 4000"
    )
    parser.add_argument("--team-size", type=int, default=50, help="people per team (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="imports per size, the median taken (default 3)")
    args = parser.parse_args(argv)
    results = [asyncio.run(measure(people, args.team_size, args.runs)) for people in args.people]
    heads = ("people", "memberships", "validate ms", "create ms", "update ms", "create us/p", "update us/p")
    print(" ".join(f"{head:>11}" for head in heads), "statements (create, update)")
    for r in results:
        print(
            f"{r.people:>11} {r.memberships:>11} {r.validate_ms:>11.1f} "
            f"{r.create_ms:>11.1f} {r.update_ms:>11.1f} "
            f"{r.create_us_per_person:>11.1f} {r.update_us_per_person:>11.1f} "
            f"{r.create_statements}, {r.update_statements}"
        )
    smallest, largest = results[0], results[-1]
    ratios = {
        "create": largest.create_us_per_person / smallest.create_us_per_person,
        "update": largest.update_us_per_person / smallest.update_us_per_person,
    }
    constant = len({(r.create_statements, r.update_statements) for r in results}) == 1
    passed = all(ratio <= MAX_PER_PERSON_RATIO for ratio in ratios.values()) and constant
    print(
        f"time per person, {largest.people} / {smallest.people} people: "
        + ", ".join(f"{name} {ratio:.2f}" for name, ratio in ratios.items())
        + f" (target at most {MAX_PER_PERSON_RATIO:g}); statements the same at every size: {constant}; "
        + ("PASS" if passed else "FAIL")
    )
    save(
        "roster_import",
        {"results": [asdict(r) for r in results], "ratios": ratios, "passed": passed, **environment()},
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
