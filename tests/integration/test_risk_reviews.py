"""Reviews (定期评估应对措施的执行效果) over signed HTTP: the card's and the reminder's Review button
opens the form, a review records its note, may re-score, and sets the next date; the risk-review job
reminds each owner once per due date across repeated runs and another process."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.ids import Risk as Ids
from scheduler.runner import run_job
from tests.integration.risk_support import (
    DIGEST,
    LEAD,
    MEMBER,
    OWNER,
    TEAM,
    buttons_of,
    press,
    press_button,
    raise_risk,
    stored_events,
    stored_risks,
    submit,
    team_on_a_clock,
    text_of,
    view_of,
)
from tests.processes import TEAMOPS, environment
from tests.slack.fake_api import validate_message, validate_view
from tests.support import eventually, sending

OWNER_DM = "D01BBB"
CRITICAL = {"likelihood": "5", "impact": "4", "strategy": "avoid"}  # due every 7 days


@pytest.fixture
async def clock(services, import_roster, slack):
    return await team_on_a_clock(services, import_roster, slack)


def _reminders(slack) -> list[str]:
    posts = slack.calls_to("chat.postMessage")
    return [
        text_of(c.args)
        for c in posts
        if c.args["channel"] == OWNER_DM and "due for review" in text_of(c.args)
    ]


async def _review_job(services, at: datetime) -> list[str]:
    return await run_job(services, "risk-review", team_key="cs-east", at=at)


async def test_the_owner_is_reminded_once_per_due_date(
    clock, slack_client, slack, services, database_url, tmp_path
):
    await raise_risk(slack_client, **CRITICAL)  # Monday 2026-11-16: due Monday 2026-11-23
    (risk,) = await stored_risks(services)

    friday = await _review_job(services, datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
    due = await _review_job(services, datetime(2026, 11, 23, 1, 0, tzinfo=UTC))  # 09:00 in Shanghai
    again = await _review_job(services, datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    next_day = await _review_job(services, datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    other_process = await asyncio.to_thread(
        subprocess.run,
        [str(TEAMOPS), "jobs", "run", "risk-review", "--team", "cs-east", "--at", "2026-11-25T01:00:00Z"],
        cwd=tmp_path,
        env=environment(DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert friday == ["cs-east: 2026-11-20: no review due"]
    assert due == ["cs-east: 2026-11-23: reminded 1 owner(s) of 1 review(s) due"]
    assert again == ["cs-east: 2026-11-23: no review due"]
    assert next_day == ["cs-east: 2026-11-24: no review due"]
    assert other_process.returncode == 0, other_process.stderr
    assert other_process.stdout == "risk-review: cs-east: 2026-11-25: no review due\n"
    async with sending(services):
        await slack.wait_for("chat.postMessage", 3)  # the card, the leads' alert, the reminder
    (reminder,) = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == OWNER_DM]
    validate_message(reminder.args)
    assert text_of(reminder.args).startswith(
        ":calendar: *R-2026-0001* in Customer Service East is due for review"
    )
    assert buttons_of(reminder.args) == [Ids.REVIEW]

    # The review sets the next due date; that one is reminded in its turn.
    clock.at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    note = "Second supplier signed; stock covers three weeks"
    assert await submit(slack_client, OWNER, Ids.REVIEW_FORM, risk.id, note=note, **CRITICAL) == {}
    (reviewed,) = await stored_risks(services)
    assert (reviewed.reviewed_on, reviewed.next_review, reviewed.remind_on) == (
        date(2026, 11, 23),
        date(2026, 11, 30),
        date(2026, 11, 30),
    )
    assert await _review_job(services, datetime(2026, 11, 30, 1, 0, tzinfo=UTC)) == [
        "cs-east: 2026-11-30: reminded 1 owner(s) of 1 review(s) due"
    ]


async def test_a_review_falling_on_a_holiday_is_due_on_the_next_working_day_and_reminded_then(
    services, import_roster, slack, slack_client
):
    """The team calendar (the calendar issue): Monday 2026-11-23 a holiday, so a critical risk raised
    on Monday the 16th is due on Tuesday; no reminder on the holiday, one on Tuesday."""
    await team_on_a_clock(services, import_roster, slack)
    await import_roster({"teams": [{**TEAM, "calendar": {"holidays": ["2026-11-23"]}}]})
    await raise_risk(slack_client, **CRITICAL)
    (risk,) = await stored_risks(services)
    assert risk.next_review == date(2026, 11, 24)

    holiday = await _review_job(services, datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    tuesday = await _review_job(services, datetime(2026, 11, 24, 1, 0, tzinfo=UTC))

    assert holiday == ["cs-east: 2026-11-23: not a working day of the team calendar"]
    assert tuesday == ["cs-east: 2026-11-24: reminded 1 owner(s) of 1 review(s) due"]


async def test_a_review_records_its_note_re_scores_and_sets_the_next_date(
    clock, slack_client, slack, services
):
    async with sending(services):
        await raise_risk(slack_client)  # medium
        (risk,) = await stored_risks(services)
        await slack.wait_for("chat.postMessage", 1)

        await press_button(slack_client, slack, OWNER, Ids.REVIEW, risk.id)
        (opened,) = await slack.wait_for("views.open", 1)
        missing = await submit(
            slack_client,
            OWNER,
            Ids.REVIEW_FORM,
            risk.id,
            note="",
            likelihood="2",
            impact="3",
            strategy="accept",
        )
        accept = await submit(
            slack_client,
            OWNER,
            Ids.REVIEW_FORM,
            risk.id,
            note="Sale is going ahead",
            likelihood="4",
            impact="4",
            strategy="accept",
        )
        clock.at += timedelta(days=2)
        done = await submit(
            slack_client,
            OWNER,
            Ids.REVIEW_FORM,
            risk.id,
            note="Sale is going ahead; <!here> stock is short",
            likelihood="4",
            impact="4",
            strategy="reduce",
        )
        (card,) = await slack.wait_for("chat.update", 1)
        posts = await slack.wait_for("chat.postMessage", 2)

    view = view_of(opened)
    validate_view(view)
    assert view["callback_id"] == Ids.REVIEW_FORM and json.loads(view["private_metadata"]) == {"id": risk.id}
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs[Ids.LIKELIHOOD_BLOCK]["element"]["initial_option"]["value"] == "2"
    assert not inputs[Ids.NOTE_BLOCK].get("optional")
    assert missing["errors"] == {Ids.NOTE_BLOCK: "Say a little more (at least 3 characters)."}
    assert set(accept["errors"]) == {Ids.STRATEGY_BLOCK}
    assert done == {}
    (reviewed,) = await stored_risks(services)
    # High from Wednesday 2026-11-18: 14 days on, 2026-12-02.
    assert (reviewed.level, reviewed.reviewed_on, reviewed.next_review) == (
        "high",
        date(2026, 11, 18),
        date(2026, 12, 2),
    )
    assert "*Next review:* 2026-12-02" in text_of(card.args) and "High" in text_of(card.args)
    (alert,) = [c for c in posts if c.args["channel"] == DIGEST]
    assert "rose from Medium to *High*" in text_of(alert.args)
    kind, actor, changes = (await stored_events(services))[-1]
    assert (kind, actor) == ("reviewed", OWNER)
    assert changes["note"] == [None, "Sale is going ahead; <!here> stock is short"]
    shown = text_of((await slack_client.command(MEMBER, "/risk", "show R-2026-0001")).json())
    assert (
        f"<@{OWNER}> · reviewed: " in shown
        and "effectiveness Sale is going ahead; &lt;!here&gt; stock is short" in shown
    )


async def test_a_chosen_next_date_is_kept_and_others_may_not_review(clock, slack_client, slack, services):
    await raise_risk(slack_client)
    (risk,) = await stored_risks(services)

    past = await submit(
        slack_client,
        LEAD,
        Ids.REVIEW_FORM,
        risk.id,
        note="Fine",
        likelihood="2",
        impact="3",
        strategy="accept",
        review_date="2026-11-16",
    )
    chosen = await submit(
        slack_client,
        LEAD,
        Ids.REVIEW_FORM,
        risk.id,
        note="Fine so far",
        likelihood="2",
        impact="3",
        strategy="accept",
        review_date="2026-12-01",
    )
    await slack_client.interaction(press(slack, MEMBER, Ids.REVIEW, risk.id))
    clock.at += timedelta(seconds=1)
    await submit(
        slack_client,
        MEMBER,
        Ids.REVIEW_FORM,
        risk.id,
        note="Looks fine",
        likelihood="1",
        impact="1",
        strategy="accept",
    )

    assert past["errors"] == {Ids.REVIEW_DATE_BLOCK: "The next review must be after today."}
    assert chosen == {}
    (kept,) = await stored_risks(services)
    assert (kept.next_review, kept.remind_on, kept.level) == (date(2026, 12, 1), date(2026, 12, 1), "medium")

    def refusals() -> list[str]:
        calls = slack.calls_to("response_url") + slack.calls_to("chat.postEphemeral")
        return [
            c.args.get("text", "") for c in calls if "Only the owner of R-2026-0001" in c.args.get("text", "")
        ]

    async def told() -> bool:
        return len(refusals()) >= 2

    async with sending(services):
        await eventually(told, within=5, every=0.05)
    assert slack.calls_to("views.open") == []
    assert [kind for kind, _, _ in await stored_events(services)] == ["raised", "reviewed"]
