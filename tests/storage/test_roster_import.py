"""`teams import` holds the database's write lock for a moment whatever the roster's size: it
validates first, then writes in a few batched statements, never one per person."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select

from bot.rules.roster import parse_roster
from bot.services import roster
from storage.models import Member, Person


def roster_of(prefix: str, teams: int, people: int) -> dict:
    return {
        "teams": [
            {
                "key": f"{prefix}-{t}",
                "name": f"Team {prefix} {t}",
                "kind": "service",
                "channel": "C0TEAM0001",
                "digest_channel": "C0LEADS001",
                "members": [
                    {"user": f"U{prefix.upper()}{t:03d}{i:04d}", "role": "lead" if i == 0 else "member"}
                    for i in range(people)
                ],
            }
            for t in range(teams)
        ]
    }


@contextmanager
def counted(services):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def imported(services, data: dict) -> int:
    parsed, errors = parse_roster(data)
    assert not errors, errors
    with counted(services) as statements:
        await roster.import_roster(services, parsed)
    return len(statements)


async def test_a_large_roster_takes_as_many_statements_as_a_small_one(services):
    await imported(services, roster_of("w", teams=1, people=1))  # the workspace row is written once
    small = await imported(services, roster_of("a", teams=1, people=5))
    large = await imported(services, roster_of("b", teams=20, people=60))
    assert large == small
    # and again, every one of them now updated
    assert await imported(services, roster_of("b", teams=20, people=60)) <= small

    async with services.db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 1 + 5 + 20 * 60
        assert await session.scalar(select(func.count()).select_from(Person)) == 1 + 5 + 20 * 60


async def test_a_re_import_that_drops_people_removes_them(services):
    await imported(services, roster_of("c", teams=3, people=30))
    fewer = roster_of("c", teams=3, people=30)
    for team in fewer["teams"]:
        team["members"] = team["members"][:10]
    await imported(services, fewer)
    async with services.db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 3 * 10
