"""The leads' weekly risk digest (risk-digest) over signed HTTP: the week's new and closed risks,
level changes, threshold breaches and reviews, and the reviews due and overdue, in the digest
channel; an empty week says so in one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.ids import Risk as Ids
from scheduler.runner import run_job
from tests.integration.risk_support import (
    DIGEST,
    LEAD,
    OWNER,
    press_button,
    raise_risk,
    stored_risks,
    submit,
    team_on_a_clock,
    text_of,
    update_risk,
)
from tests.slack.fake_api import validate_message
from tests.support import eventually, sending

MONDAY_0930 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # a week after the team's first risk


@pytest.fixture
async def clock(services, import_roster, slack):
    return await team_on_a_clock(services, import_roster, slack)


def _digests(slack) -> list[str]:
    posts = slack.calls_to("chat.postMessage")
    return [
        text_of(c.args)
        for c in posts
        if c.args["channel"] == DIGEST and "Weekly risk digest" in c.args["text"]
    ]


async def test_an_empty_week_is_one_line(clock, services, slack):
    lines = await run_job(services, "risk-digest", team_key="cs-east", at=MONDAY_0930 - timedelta(days=7))

    assert lines == [
        "cs-east: week 2026-11-09 to 2026-11-16: 0 new, 0 closed, 0 level change(s), 0 breach(es), "
        "0 review(s), 0 due, 0 overdue in 1 message(s) to C0456EFGH"
    ]
    async with sending(services):
        (digest,) = await slack.wait_for("chat.postMessage", 1)
    validate_message(digest.args)
    assert text_of(digest.args) == (
        "*Weekly risk digest* · Customer Service East · 2026-11-09 to 2026-11-16: "
        "a quiet week, no risk changed and no review is due."
    )


async def test_the_digest_gives_the_weeks_figures(clock, slack_client, slack, services):
    await raise_risk(slack_client, title="Supplier sale")  # medium, re-scored to high below
    critical = {"likelihood": "5", "impact": "4", "strategy": "avoid"}
    indicator = {
        "indicator_name": "overdue-receivables",
        "indicator_direction": "above",
        "indicator_threshold": "15",
    }
    await raise_risk(slack_client, title="Receivables", **critical, **indicator)
    await raise_risk(slack_client, title="Printer", likelihood="1", impact="2")
    await raise_risk(slack_client, title="Overdue one", review_date="2026-11-20")
    supplier, receivables, printer, _ = await stored_risks(services)
    clock.at += timedelta(days=1)
    assert (
        await update_risk(services, slack_client, OWNER, supplier.id, likelihood="4", strategy="reduce") == {}
    )
    await slack_client.command(OWNER, "/risk", "value R-2026-0002 16")
    note = {"note": "Collections called every client", **critical}
    assert await submit(slack_client, OWNER, Ids.REVIEW_FORM, receivables.id, **note) == {}
    await press_button(slack_client, slack, LEAD, Ids.CLOSE, printer.id)

    async def closed() -> bool:
        return (await stored_risks(services))[2].status == "closed"

    await eventually(closed, within=5, every=0.05)

    lines = await run_job(services, "risk-digest", team_key="cs-east", at=MONDAY_0930)

    assert lines == [
        "cs-east: week 2026-11-16 to 2026-11-23: 4 new, 1 closed, 1 level change(s), 1 breach(es), "
        "1 review(s), 1 due, 1 overdue in 1 message(s) to C0456EFGH"
    ]
    async with sending(services):

        async def sent() -> bool:
            return len(_digests(slack)) == 1

        await eventually(sent, within=10, every=0.05)
    (text,) = _digests(slack)
    assert text.startswith("*Weekly risk digest* · Customer Service East · 2026-11-16 to 2026-11-23")
    assert (
        "New 4 · closed 1 · level changes 1 · threshold breaches 1 · reviews done 1 · "
        "reviews due this week 1 · overdue 1"
    ) in text
    assert (
        "*Level changes* (1)\n:large_orange_circle: *R-2026-0001* · Supplier sale · High · Medium → High"
        in text
    )
    assert (
        "*Threshold breaches* (1)\n:red_circle: *R-2026-0002* · Receivables · Critical · "
        "overdue-receivables reached 16" in text
    )
    assert "*Closed* (1)\n:white_circle: *R-2026-0003* · Printer" in text
    # Reviewed on Tuesday 2026-11-17: critical, due again on Tuesday 2026-11-24.
    assert (
        "*Reviews due this week* (1)\n:red_circle: *R-2026-0002*" in text and "review due 2026-11-24" in text
    )
    assert "*Reviews overdue* (1)\n:large_yellow_circle: *R-2026-0004* · Overdue one" in text
