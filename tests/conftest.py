"""Fixtures: a migrated database (SQLite, or PostgreSQL when TEAMOPS_TEST_DATABASE_URL is set), the fake
Slack Web API, and the real app served over HTTP on 127.0.0.1 with a signing client in front of it."""

from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.rules.roster import parse_roster
from bot.services import roster
from bot.slackapp.runtime import running
from storage import migrate
from storage.models import Base
from tests.slack.fake_api import FakeSlack
from tests.slack.signed import SignedSlack
from tests.support import serving

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
POSTGRES_URL = os.environ.get("TEAMOPS_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory) -> str:
    """Migrate once per run: a template SQLite file, or the PostgreSQL test database."""
    if POSTGRES_URL:
        migrate.upgrade(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("template") / "teamops.db"
    url = f"sqlite+aiosqlite:///{path}"
    migrate.upgrade(url)
    return str(path)


@pytest.fixture
async def database_url(_migrated, tmp_path) -> str:
    """A migrated, empty database for one test."""
    if POSTGRES_URL:
        engine = create_async_engine(POSTGRES_URL)
        # roster_version keeps its one row (and its number, which only ever goes up).
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables if t.name != "roster_version")
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await engine.dispose()
        return POSTGRES_URL
    path = tmp_path / "teamops.db"
    shutil.copy(_migrated, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def slack():
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


@pytest.fixture
def settings(database_url, slack) -> Settings:
    return Settings(
        _env_file=None,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=slack.url,
        SLACK_HOOKS_URL=slack.response_url_base,
        DATABASE_URL=database_url,
        TEAMOPS_LOCALE="en",
        TEAMOPS_SCHEDULER="off",
    )


@pytest.fixture
async def services(settings):
    async with running(settings) as services:
        yield services


@pytest.fixture
def import_roster(services):
    """Import a roster given as the file's data; fails the test on validation errors."""

    async def load(data: dict) -> None:
        parsed, errors = parse_roster(data)
        assert not errors, errors
        await roster.import_roster(services, parsed)

    return load


@pytest.fixture
async def app_url(services, settings):
    """The real app, served over HTTP by uvicorn on 127.0.0.1 (a free port)."""
    async with serving(services, settings) as url:
        yield url


@pytest.fixture
async def slack_client(app_url, slack):
    client = SignedSlack(app_url, SIGNING_SECRET, response_url_base=slack.response_url_base)
    yield client
    await client.aclose()


CS_EAST = {
    "key": "cs-east",
    "name": "Customer Service East",
    "kind": "service",
    "channel": "C0123ABCD",
    "digest_channel": "C0456EFGH",
    "timezone": "Asia/Shanghai",
    "locale": "zh-Hans",
    "members": [
        {"user": "U01AAA", "role": "lead", "title": "客户顾问"},
        {"user": "U01BBB", "role": "member", "supervisor": "U01AAA", "title": "设计师"},
    ],
}

# The roster file as the foundation issue gives it.
ISSUE_EXAMPLE = """\
teams:
  - key: cs-east                 # unique, used in commands and the CLI
    name: Customer Service East
    kind: service                # business | service (service teams get the daily stand-up)
    channel: C0123ABCD           # team channel
    digest_channel: C0456EFGH    # where leads' digests go
    timezone: Asia/Shanghai
    locale: zh-Hans              # en | zh-Hans | zh-Hant
    members:
      - {user: U01AAA, role: lead, title: 客户顾问}
      - {user: U01BBB, role: member, supervisor: U01AAA, title: 设计师}
"""
