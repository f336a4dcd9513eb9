"""The schema Alembic builds is the one the models describe, from an empty database to head."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from datetime import date

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from bot.rules.roster import team_days
from bot.rules.standup import settings_of
from storage import migrate
from storage.models import Base

POSTGRES_URL = os.environ.get("TEAMOPS_TEST_DATABASE_URL")


async def tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def differences(url: str) -> list:
    """What `alembic revision --autogenerate` would write: the models against the migrated schema."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()


def test_an_empty_database_migrates_to_head(tmp_path, _migrated):
    """Run as `teamops db upgrade` does: outside an event loop (Alembic runs its own)."""
    if POSTGRES_URL:
        # The PostgreSQL test database is shared and conftest (_migrated) migrated it from nothing.
        assert asyncio.run(migrate.current_revision(POSTGRES_URL)) == migrate.head_revision()
        return
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    assert asyncio.run(migrate.current_revision(url)) is None

    migrate.upgrade(url)

    assert migrate.head_revision()
    assert asyncio.run(migrate.current_revision(url)) == migrate.head_revision()
    assert asyncio.run(tables(url)) == set(Base.metadata.tables) | {"alembic_version"}


def test_upgrading_twice_changes_nothing(tmp_path):
    url = POSTGRES_URL or f"sqlite+aiosqlite:///{tmp_path / 'twice.db'}"
    migrate.upgrade(url)
    before = asyncio.run(tables(url))

    migrate.upgrade(url)

    assert asyncio.run(migrate.current_revision(url)) == migrate.head_revision()
    assert asyncio.run(tables(url)) == before


def test_downgrade_to_nothing_and_back(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'roundtrip.db'}"
    migrate.upgrade(url)

    command.downgrade(migrate.alembic_config(url), "base")
    assert asyncio.run(tables(url)) <= {"alembic_version"}
    migrate.upgrade(url)

    assert asyncio.run(migrate.current_revision(url)) == migrate.head_revision()
    assert asyncio.run(differences(url)) == []


async def test_the_models_match_the_migrations(database_url):
    assert await migrate.current_revision(database_url) == migrate.head_revision()
    assert await differences(database_url) == []


def test_stored_per_feature_holidays_move_into_the_team_calendar(tmp_path):
    """A team imported before the one calendar keeps its holidays and working days (migration 0010):
    an unknown key in a stored block would otherwise stop the bot reading the team's settings. The
    stand-up's own weekdays are dropped (migration 0013): it follows the calendar."""
    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    migrate.upgrade(url, "0007")
    old = {
        "complaint_sla": {
            "business_hours": {"days": ["mon", "tue"], "from": "09:00"},
            "holidays": ["2026-10-01"],
        },
        "standup": {"holidays": ["2026-10-02"], "days": ["mon", "wed"], "ask": "09:15"},
    }
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO workspaces (id, name) VALUES (1, '')")
        db.execute(
            "INSERT INTO teams (workspace_id, key, name, kind, channel_id, digest_channel_id, timezone,"
            " locale, settings) VALUES (1, 'cs', 'CS', 'service', 'C1', 'C2', 'UTC', 'en', ?)",
            (json.dumps(old),),
        )

    migrate.upgrade(url)

    with sqlite3.connect(path) as db:
        (stored,) = db.execute("SELECT settings FROM teams").fetchone()
    assert json.loads(stored) == {
        "calendar": {"holidays": ["2026-10-01", "2026-10-02"], "working_days": ["mon", "tue"]},
        "complaint_sla": {"business_hours": {"from": "09:00"}},
        "standup": {"ask": "09:15"},
    }
    assert settings_of(json.loads(stored)).ask == "09:15", "the bot reads the stand-up block"
    assert team_days(json.loads(stored)).is_working_day(date(2026, 10, 6)), "the bot reads it: Tue works"
