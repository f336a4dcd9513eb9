"""The register (风险等级清单) over signed HTTP: `/risk list [open|mine|high|due|closed]` by level,
then score, then age, for the team's members only; a long register continues through the
response_url and says what it could not show; `teamops risks export` prints it as CSV or JSON."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import subprocess
from datetime import date, timedelta

import pytest

from bot.ids import Risk as Ids
from storage import teams as team_repo
from storage.models import Risk
from tests.integration.risk_support import (
    LEAD,
    MEMBER,
    MONDAY,
    OUTSIDER,
    OWNER,
    TEAM,
    Clock,
    press_button,
    raise_risk,
    stored_risks,
    text_of,
)
from tests.processes import TEAMOPS, environment
from tests.support import eventually

SELLER = "U0SELLER"
SALES = {
    "key": "sales",
    "name": "Sales",
    "channel": "C0SALES01",
    "digest_channel": "C0SALESLD",
    "timezone": "Asia/Shanghai",
    "locale": "en",
    "members": [{"user": SELLER, "role": "lead"}],
}
REFERENCE = re.compile(r"\*(R-\d{4}-\d{4,})\*")


@pytest.fixture
async def clock(services, import_roster, slack):
    for user in (LEAD, OWNER, MEMBER, OUTSIDER, SELLER):
        slack.profiles[user] = {"locale": "en-US"}
    await import_roster({"teams": [TEAM, SALES]})
    clock = Clock(MONDAY)
    services.now = clock
    return clock


async def _register(clock, slack_client, slack, services):
    """Five risks of cs-east and one of sales: medium (6), critical (20), high (12), another high
    (12) raised later, a low one that is closed."""
    for fields in (
        {"title": "Medium"},
        {"title": "Critical", "likelihood": "5", "impact": "4", "strategy": "avoid", "owner": LEAD},
        {"title": "High first", "likelihood": "4", "impact": "3", "strategy": "reduce"},
        {"title": "High later", "likelihood": "3", "impact": "4", "strategy": "reduce", "owner": LEAD},
        {"title": "Low", "likelihood": "1", "impact": "2"},
    ):
        clock.at += timedelta(minutes=1)
        assert await raise_risk(slack_client, **fields) == {}
    *_, low = await stored_risks(services)
    await press_button(slack_client, slack, LEAD, Ids.CLOSE, low.id)

    async def closed() -> bool:
        return (await stored_risks(services))[-1].status == "closed"

    await eventually(closed, within=5, every=0.05)


def _references(answer: dict) -> list[str]:
    return REFERENCE.findall(text_of(answer))


async def test_the_register_is_by_level_then_score_then_age_with_each_filter(
    clock, slack_client, slack, services
):
    await _register(clock, slack_client, slack, services)

    async def listed(user: str, text: str = "list") -> dict:
        reply = await slack_client.command(user, "/risk", text)
        assert reply.status_code == 200
        return reply.json()

    assert _references(await listed(MEMBER)) == ["R-2026-0002", "R-2026-0003", "R-2026-0004", "R-2026-0001"]
    shown = await listed(MEMBER, "list open")
    assert shown["text"] == "*Risk register* · open risks: 4"
    line = next(line for line in text_of(shown).splitlines() if "R-2026-0002" in line)
    assert line == (
        f":red_circle: *R-2026-0002* · Critical · Critical (20) · <@{LEAD}> · Open · review 2026-11-23"
    )
    assert _references(await listed(OWNER, "list mine")) == ["R-2026-0003", "R-2026-0001"]
    assert _references(await listed(MEMBER, "list HIGH")) == ["R-2026-0002", "R-2026-0003", "R-2026-0004"]
    assert _references(await listed(MEMBER, "list closed")) == ["R-2026-0005"]
    clock.at = MONDAY + timedelta(days=7)  # the critical risk's review date
    due = await listed(MEMBER, "list due")
    assert _references(due) == ["R-2026-0002"] and ":hourglass: review due 2026-11-23" in text_of(due)
    assert (await listed(SELLER))["text"] == "*Risk register* · open risks: none.", (
        "another team's are not shown"
    )
    assert (await listed(OUTSIDER))["text"].startswith("You are not in a team yet")
    assert (await listed(MEMBER, "list everything"))["text"] == (
        "There is no list everything: choose one of open, mine, high, due, closed."
    )


async def _seed(services, count: int) -> None:
    """A register of `count` open risks written straight into the database (raising thousands
    through forms would take minutes); scores spread so that the order is checkable."""
    async with services.unit_of_work() as session:
        team = await team_repo.team_by_key(session, "cs-east")
        session.add_all(
            Risk(
                workspace_id=team.workspace_id,
                team_id=team.id,
                year=2026,
                number=n,
                reference=f"R-2026-{n:04d}",
                title=f"Seeded risk number {n} with a title of ordinary length for a register",
                category="market",
                cause="seeded",
                consequence="seeded",
                likelihood=1 + n % 5,
                impact=1 + n % 4,
                score=(1 + n % 5) * (1 + n % 4),
                level="low",
                owner_id=OWNER,
                department="",
                strategy="reduce",
                plan="seeded",
                status="open",
                reviewed_on=date(2026, 11, 16),
                next_review=date(2026, 12, 16),
                remind_on=date(2026, 12, 16),
                raised_by=OWNER,
                created_at=MONDAY - timedelta(minutes=n),
                updated_at=MONDAY,
            )
            for n in range(1, count + 1)
        )


async def test_a_long_register_continues_through_the_response_url(clock, slack_client, slack, services):
    await _seed(services, 1500)

    reply = await slack_client.command(MEMBER, "/risk", "list")

    first = reply.json()
    (rest,) = await slack.wait_for("response_url", 1)
    assert first["text"] == "*Risk register* · open risks: 1500 (1/2)"
    assert rest.args["text"] == "*Risk register* · open risks: 1500 (2/2)"
    assert len(first["blocks"]) == 50
    shown = _references(first) + _references(rest.args)
    assert len(shown) == len(set(shown)) == 1500, "every risk, once"


async def test_past_what_a_command_may_answer_it_says_how_many_more(clock, slack_client, slack, services):
    await _seed(services, 7000)

    reply = await slack_client.command(MEMBER, "/risk", "list")

    answers = [reply.json(), *(c.args for c in await slack.wait_for("response_url", 5))]
    await asyncio.sleep(0.5)
    assert len(slack.calls_to("response_url")) == 5, "Slack takes a response_url five times"
    shown = [ref for answer in answers for ref in _references(answer)]
    last = text_of(answers[-1]).splitlines()[-1]
    more = int(re.search(r"…and (\d+) more not shown", last).group(1))
    assert len(set(shown)) + more == 7000
    assert "`teamops risks export`" in last


def _teamops(tmp_path, database_url, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TEAMOPS), "risks", "export", *args],
        cwd=tmp_path,
        env=environment(DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_export_prints_the_whole_register_as_csv_or_json(
    clock, slack_client, slack, services, database_url, tmp_path
):
    await _register(clock, slack_client, slack, services)
    await raise_risk(
        slack_client,
        title="With an indicator",
        indicator_name="overdue-receivables",
        indicator_unit="%",
        indicator_direction="above",
        indicator_threshold="15",
    )
    await slack_client.command(OWNER, "/risk", "value R-2026-0006 16.5")

    as_csv = await asyncio.to_thread(_teamops, tmp_path, database_url, "--team", "cs-east")
    as_json = await asyncio.to_thread(
        _teamops, tmp_path, database_url, "--team", "cs-east", "--format", "json"
    )
    unknown = await asyncio.to_thread(_teamops, tmp_path, database_url, "--team", "nobody")

    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["reference"] for r in rows] == [f"R-2026-000{n}" for n in (2, 3, 4, 1, 6, 5)], "closed ones too"
    critical = rows[0]
    assert (critical["title"], critical["level"], critical["score"], critical["owner_id"]) == (
        "Critical",
        "critical",
        "20",
        LEAD,
    )
    assert rows[5]["status"] == "closed" and rows[5]["closed_at"].startswith("2026-11-16")
    assert rows[4]["indicators"] == "overdue-receivables above 15 %: 16.5 (breached)"
    assert as_json.returncode == 0, as_json.stderr
    exported = json.loads(as_json.stdout)
    assert [r["reference"] for r in exported] == [r["reference"] for r in rows]
    assert exported[4]["indicators"] == [
        {
            "name": "overdue-receivables",
            "unit": "%",
            "direction": "above",
            "threshold": 15.0,
            "last_value": 16.5,
            "breached": True,
        }
    ]
    assert exported[0]["next_review"] == "2026-11-23" and exported[0]["cause"]
    assert (unknown.returncode, unknown.stdout, unknown.stderr) == (2, "", "teamops: no team 'nobody'\n")
