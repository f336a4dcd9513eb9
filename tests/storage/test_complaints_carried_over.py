"""Migration 0012 carries existing complaints over to the return visit (回访): a database at 0008
with a complaint in every status, some of whose ladder steps fired, migrated as `teamops db upgrade`
does, then swept by the real clock job."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, func, make_url, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.rules.roster import team_days
from bot.rules.sla import return_visit_due
from scheduler.runner import run_job
from storage import migrate
from storage.models import Complaint, ComplaintEscalation, ComplaintEvent
from tests.conftest import POSTGRES_URL

CARRY_OVER_DB = "teamops_carry_over"

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai, weeks before the upgrade
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def _complaint(number: int, status: str, **fields) -> dict:
    return {
        "id": number,
        "workspace_id": 1,
        "team_id": 1,
        "year": 2026,
        "number": number,
        "reference": f"C-2026-{number:04d}",
        "client": "Acme",
        "client_contact": "",
        "received_via": "phone",
        "category": "delivery",
        "severity": "high",
        "description": "Late again",
        "status": status,
        "owner_id": "U01BBB",
        "reporter_id": "U01CCC",
        "created_at": T0,
        "acknowledge_due": T0 + 2 * HOUR,
        "resolve_from": T0,
        "resolve_due": T0 + 3 * DAY,
        "resolution": "",
        "client_feedback": "",
        "version": 1,
    } | fields


ANSWERED = {"acknowledged_at": T0 + HOUR}
RESOLVED = ANSWERED | {"resolved_at": T0 + DAY, "resolved_by": "U01BBB", "resolution": "Refunded"}
COMPLAINTS = [
    _complaint(1, "new"),
    _complaint(2, "acknowledged", **ANSWERED),
    _complaint(3, "in_progress", **ANSWERED),
    _complaint(4, "resolved", **RESOLVED, satisfaction=4, client_feedback="Fine now"),
    _complaint(5, "closed", **RESOLVED, closed_at=T0 + 2 * DAY, satisfaction=2),
    _complaint(6, "reopened", **ANSWERED, resolve_from=T0 + 4 * DAY, resolve_due=T0 + 7 * DAY),
]


def _fired() -> list[dict]:
    """Every step whose time has long passed fired before the upgrade: all four of a missed
    acknowledge (complaint 1) and of each missed resolve (1, 2, 3 and 6's second one)."""
    rows = []
    for c in COMPLAINTS:
        deadlines = [("resolve", c["resolve_due"])] if c["status"] not in ("resolved", "closed") else []
        if "acknowledged_at" not in c:
            deadlines.append(("acknowledge", c["acknowledge_due"]))
        for deadline, due in deadlines:
            for level in range(4):
                rows.append(
                    {
                        "complaint_id": c["id"],
                        "deadline": deadline,
                        "level": level,
                        "due_at": due,
                        "fired_at": due,
                    }
                )
    return rows


async def _fill(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            meta = MetaData()
            await conn.run_sync(meta.reflect)
            tables = meta.tables
            await conn.execute(
                tables["workspaces"].insert(), [{"id": 1, "slack_team_id": "T0TEAM001", "name": "Acme"}]
            )
            team = {
                "id": 1,
                "workspace_id": 1,
                "key": "cs-east",
                "name": "Customer Service East",
                "kind": "service",
                "channel_id": "C0123ABCD",
                "digest_channel_id": "C0456EFGH",
                "timezone": "Asia/Shanghai",
                "locale": "en",
                "settings": {"complaint_sla": {"default_owner": "U01BBB"}},
            }
            await conn.execute(tables["teams"].insert(), [team])
            columns = set(tables["complaints"].columns.keys()) - {"next_escalation_at"}
            assert set().union(*COMPLAINTS) <= columns, "the 0008 schema"
            # One statement for all rows: each row names every column (None where not given).
            rows = [dict.fromkeys(columns) | c for c in COMPLAINTS]
            await conn.execute(tables["complaints"].insert(), rows)
            await conn.execute(tables["complaint_escalations"].insert(), _fired())
            # Each card was posted when its complaint was logged: a ladder step updates it.
            cards = [
                {
                    "key": f"complaint-card:{c['id']}",
                    "kind": "post",
                    "lane": "C0123ABCD",
                    "channel": "C0123ABCD",
                    "user_id": None,
                    "payload": {"text": c["reference"]},
                    "status": "sent",
                    "attempts": 1,
                    "created_at": T0,
                    "next_attempt_at": T0,
                    "give_up_at": T0 + DAY,
                    "sent_at": T0,
                    "posted_channel": "C0123ABCD",
                    "posted_ts": f"1700000000.{c['id']:06d}",
                }
                for c in COMPLAINTS
            ]
            await conn.execute(tables["outbox"].insert(), cards)
    finally:
        await engine.dispose()


async def _fresh_postgres_database() -> str:
    """A database of its own on the PostgreSQL test server (the shared one is at head already)."""
    server = make_url(POSTGRES_URL)
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {CARRY_OVER_DB}"))
            await conn.execute(text(f"CREATE DATABASE {CARRY_OVER_DB}"))
    finally:
        await engine.dispose()
    return server.set(database=CARRY_OVER_DB).render_as_string(hide_password=False)


@pytest.fixture
async def upgrade(tmp_path):
    """The database as 0008 left it (SQLite, or PostgreSQL on that leg of the suite), then
    `teamops db upgrade`; the instants around the upgrade."""
    if POSTGRES_URL:
        url = await _fresh_postgres_database()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'before.db'}"
    await asyncio.to_thread(migrate.upgrade, url, "0008")
    await _fill(url)
    before = datetime.now(UTC)
    await asyncio.to_thread(migrate.upgrade, url)
    return url, before, datetime.now(UTC)


@pytest.fixture
def database_url(upgrade) -> str:
    return upgrade[0]


async def _all(services) -> dict[int, Complaint]:
    async with services.db.reader() as session:
        return {c.id: c for c in await session.scalars(select(Complaint))}


async def _fired_now(services) -> list[tuple[int, str, int]]:
    async with services.db.reader() as session:
        rows = await session.execute(
            select(ComplaintEscalation.complaint_id, ComplaintEscalation.deadline, ComplaintEscalation.level)
        )
        return sorted(tuple(r) for r in rows)


async def test_resolved_complaints_get_a_return_visit_and_nothing_fires_again(upgrade, services):
    _, before, after = upgrade
    complaints = await _all(services)
    assert {i: c.status for i, c in complaints.items()} == {c["id"]: c["status"] for c in COMPLAINTS}, (
        "none lost, none moved"
    )

    resolved = complaints[4]
    assert before <= resolved.return_visit_from <= after
    due = return_visit_due(None, team_days({}), "Asia/Shanghai", resolved.return_visit_from)
    assert resolved.return_visit_due == due, "3 working days from the upgrade"
    assert resolved.next_escalation_at == due, "the sweep is told when"
    assert resolved.return_visited_at is None
    for other in (1, 2, 3, 5, 6):
        assert complaints[other].return_visit_due is None
        assert complaints[other].next_escalation_at is None
    # The resolver's guess of the client's view is kept in the trail, not taken as the client's.
    assert (resolved.satisfaction, resolved.client_feedback) == (None, "")
    assert complaints[5].satisfaction is None
    async with services.db.reader() as session:
        carried = await session.execute(
            select(ComplaintEvent.complaint_id, ComplaintEvent.note).where(
                ComplaintEvent.kind == "carried_over"
            )
        )
        assert sorted(tuple(r) for r in carried) == [(4, "4/5 · Fine now"), (5, "2/5")]

    fired = await _fired_now(services)
    assert len(fired) == len(_fired())
    for at in (after + timedelta(minutes=1), due - timedelta(minutes=1)):
        assert await run_job(services, "complaint-sla", team_key="cs-east", at=at) == [
            "cs-east: no complaint due"
        ]
    await run_job(services, "complaint-sla", team_key="cs-east", at=due)
    assert await _fired_now(services) == sorted([*fired, (4, "return_visit", 1)]), "only the new step"
    async with services.db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(Complaint)) == len(COMPLAINTS)
