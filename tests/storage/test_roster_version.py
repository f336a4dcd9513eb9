"""The roster's version rises with every change to teams, members and people, whoever writes it, and
with nothing else: each process answers from the roster it keeps in memory while the version holds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, insert, select, update

from storage.dialect import insert_ignoring_conflict
from storage.models import Member, Person, ProcessedRequest, Team
from tests.conftest import CS_EAST

MEMBER, OUTSIDER = "U01BBB", "U01CCC"  # OUTSIDER is known to the bot but in no team

NEW_TEAM = {
    "workspace_id": 1,
    "key": "sales",
    "name": "Sales",
    "kind": "business",
    "channel_id": "C0SALES01",
    "digest_channel_id": "C0SALES02",
    "timezone": "UTC",
    "locale": "en",
    "settings": {},
}

# Each write gets the session and the id of the team cs-east.
RAISING = {
    "a team added": lambda s, team: s.execute(insert(Team).values(**NEW_TEAM)),
    "a team renamed": lambda s, team: s.execute(update(Team).where(Team.id == team).values(name="CS East")),
    "a team deleted, its members with it": lambda s, team: s.execute(delete(Team).where(Team.id == team)),
    "someone seen for the first time": lambda s, team: s.execute(insert(Person).values(user_id="U0NEW")),
    "a language learnt from Slack": lambda s, team: s.execute(
        update(Person)
        .where(Person.user_id == MEMBER)
        .values(locale="en", profile_fetched_at=datetime.now(UTC))
    ),
    "someone away": lambda s, team: s.execute(
        update(Person).where(Person.user_id == MEMBER).values(away_until=date(2030, 1, 1))
    ),
    "a member added": lambda s, team: s.execute(
        insert(Member).values(team_id=team, user_id=OUTSIDER, role="member", title="")
    ),
    "a role changed": lambda s, team: s.execute(
        update(Member).where(Member.user_id == MEMBER).values(role="lead")
    ),
    "a member removed": lambda s, team: s.execute(delete(Member).where(Member.user_id == MEMBER)),
}
LEAVING_IT = {
    "someone already known, inserted again": lambda s, team: insert_ignoring_conflict(
        s, Person, user_id=MEMBER
    ),
    "an update that matches nobody": lambda s, team: s.execute(
        update(Member).where(Member.user_id == "U0NOBODY").values(role="lead")
    ),
    "a delivery recorded": lambda s, team: s.execute(
        insert(ProcessedRequest).values(key="event:Ev1", received_at=datetime.now(UTC))
    ),
}


async def _versions_around(services, import_roster, write) -> tuple[int, int]:
    await import_roster({"teams": [CS_EAST]})
    async with services.unit_of_work() as session:
        await session.execute(insert(Person).values(user_id=OUTSIDER))
        team = await session.scalar(select(Team.id).where(Team.key == "cs-east"))
    before = await services.db.roster_version()
    async with services.unit_of_work() as session:
        await write(session, team)
    return before, await services.db.roster_version()


@pytest.mark.parametrize("write", RAISING.values(), ids=RAISING.keys())
async def test_a_roster_change_raises_the_version(services, import_roster, write):
    before, after = await _versions_around(services, import_roster, write)
    assert after > before


@pytest.mark.parametrize("write", LEAVING_IT.values(), ids=LEAVING_IT.keys())
async def test_other_writes_leave_the_version_alone(services, import_roster, write):
    before, after = await _versions_around(services, import_roster, write)
    assert after == before


async def test_a_change_rolled_back_leaves_the_version_alone(services, import_roster):
    before, _ = await _versions_around(services, import_roster, LEAVING_IT["a delivery recorded"])
    with pytest.raises(RuntimeError):
        async with services.unit_of_work() as session:
            await session.execute(update(Member).where(Member.user_id == MEMBER).values(role="lead"))
            raise RuntimeError("the change fails half-way")
    assert await services.db.roster_version() == before
