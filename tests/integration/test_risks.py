"""/risk over signed HTTP against the real app and the fake Slack Web API: raising a risk (every
invalid field, accept refused for high), its card and reference, the leads' alert, show with the
audit trail, and changes by the owner and the leads only."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.ids import Risk as Ids
from tests.integration.risk_support import (
    CHANNEL,
    DIGEST,
    LEAD,
    MEMBER,
    OUTSIDER,
    OWNER,
    buttons_of,
    press_button,
    raise_risk,
    stored_events,
    stored_risks,
    team_on_a_clock,
    text_of,
    update_risk,
    view_of,
)
from tests.slack.fake_api import validate_message, validate_view
from tests.support import eventually, sending


@pytest.fixture
async def clock(services, import_roster, slack):
    return await team_on_a_clock(services, import_roster, slack)


# -- raising ---------------------------------------------------------------------------------------


async def test_risk_opens_the_form_at_once_prefilled(clock, slack_client, slack):
    reply = await slack_client.command(MEMBER, "/risk", "Key supplier may stop deliveries")

    assert reply.status_code == 200
    (opened,) = await slack.wait_for("views.open", 1)
    view = view_of(opened)
    validate_view(view)
    assert view["callback_id"] == Ids.FORM
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert blocks[Ids.TITLE_BLOCK]["element"]["initial_value"] == "Key supplier may stop deliveries"
    assert blocks[Ids.OWNER_BLOCK]["element"]["initial_user"] == MEMBER, "the person raising it"
    likelihood = [o["text"]["text"] for o in blocks[Ids.LIKELIHOOD_BLOCK]["element"]["options"]]
    impact = [o["text"]["text"] for o in blocks[Ids.IMPACT_BLOCK]["element"]["options"]]
    assert likelihood[0] == "1 · Rare" and likelihood[-1] == "5 · Almost certain"
    assert impact[0] == "1 · Negligible" and impact[-1] == "5 · Severe"
    for block in (Ids.DEPARTMENT_BLOCK, Ids.REVIEW_DATE_BLOCK, Ids.INDICATOR_NAME_BLOCK):
        assert blocks[block]["optional"] is True
    assert "must be avoided, reduced or transferred" in blocks[Ids.STRATEGY_BLOCK]["hint"]["text"]
    assert Ids.TEAM_BLOCK not in blocks, "one team: nothing to choose"


async def test_someone_in_no_team_is_told_so_and_gets_no_form(clock, slack_client, slack):
    reply = await slack_client.command(OUTSIDER, "/risk")

    assert "You are not in a team yet" in reply.json()["text"]
    assert slack.calls_to("views.open") == []


async def test_each_invalid_field_gets_its_error_and_nothing_is_stored(clock, slack_client, services):
    answer = await raise_risk(
        slack_client,
        title=" ",
        category="weather",
        cause="no",
        consequence="x" * 3001,
        likelihood="6",
        impact=None,
        owner=...,
        department="d" * 101,
        strategy=None,
        plan="",
        review_date="2026-11-16",
        indicator_name="two words",
        indicator_threshold="many",
    )

    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert errors == {
        Ids.TITLE_BLOCK: "Give the risk a title.",
        Ids.CATEGORY_BLOCK: "Choose one of the options.",
        Ids.CAUSE_BLOCK: "Say a little more (at least 3 characters).",
        Ids.CONSEQUENCE_BLOCK: "That is too long.",
        Ids.LIKELIHOOD_BLOCK: "Choose one of the options.",
        Ids.IMPACT_BLOCK: "Choose one of the options.",
        Ids.OWNER_BLOCK: "Choose the owner.",
        Ids.DEPARTMENT_BLOCK: "That is too long.",
        Ids.STRATEGY_BLOCK: "Choose one of the options.",
        Ids.PLAN_BLOCK: "Say a little more (at least 3 characters).",
        Ids.REVIEW_DATE_BLOCK: "The next review must be after today.",
        Ids.INDICATOR_NAME_BLOCK: "One word of up to 64 characters, without spaces.",
        Ids.INDICATOR_DIRECTION_BLOCK: "Choose one of the options.",
        Ids.INDICATOR_THRESHOLD_BLOCK: "Give a number, e.g. 15.2.",
    }
    outsider = await raise_risk(slack_client, owner=OUTSIDER)
    assert outsider["errors"] == {Ids.OWNER_BLOCK: "The owner must be a member of the team."}
    assert await stored_risks(services) == []


async def test_accept_is_refused_for_a_high_risk_and_allowed_for_a_medium_one(clock, slack_client, services):
    high = await raise_risk(slack_client, likelihood="4", impact="3", strategy="accept")

    assert high == {
        "response_action": "errors",
        "errors": {
            Ids.STRATEGY_BLOCK: "Accept is only for low and medium risks. "
            "At this level choose avoid, reduce or transfer."
        },
    }
    assert await stored_risks(services) == []
    assert await raise_risk(slack_client, likelihood="3", impact="3", strategy="accept") == {}
    assert await raise_risk(slack_client, likelihood="4", impact="3", strategy="reduce") == {}
    assert [(r.level, r.strategy) for r in await stored_risks(services)] == [
        ("medium", "accept"),
        ("high", "reduce"),
    ]


async def test_field_errors_speak_the_users_language(clock, slack_client, slack):
    slack.profiles[MEMBER] = {"locale": "zh-TW"}
    answer = await raise_risk(slack_client, likelihood="5", impact="4", strategy="accept")
    assert "接受" in answer["errors"][Ids.STRATEGY_BLOCK]


async def test_raising_posts_the_card_with_a_reference(clock, slack_client, slack, services):
    async with sending(services):
        assert await raise_risk(slack_client, department="Purchasing") == {}
        assert await raise_risk(slack_client, title="Second") == {}
        posts = await slack.wait_for("chat.postMessage", 2)

    first, second = await stored_risks(services)
    assert (first.reference, second.reference) == ("R-2026-0001", "R-2026-0002")
    assert (first.level, first.score, first.owner_id, first.raised_by) == ("medium", 6, OWNER, MEMBER)
    # Medium: 30 days from the raising, 2026-12-16 is a Wednesday.
    assert first.next_review == date(2026, 12, 16)
    card = next(c for c in posts if "R-2026-0001" in c.args["text"])
    assert card.args["channel"] == CHANNEL
    validate_message(card.args)
    text = text_of(card.args)
    assert "R-2026-0001" in text and "Medium" in text and "Open" in text
    assert "*Score:* 6 = likelihood 2 (Unlikely) × impact 3 (Moderate)" in text
    assert f"*Owner:* <@{OWNER}>" in text and "*Department:* Purchasing" in text
    assert "*Strategy:* Accept" in text and "*Next review:* 2026-12-16" in text
    assert "&lt;!channel&gt;" in text, "user text is escaped"
    assert buttons_of(card.args) == [Ids.UPDATE, Ids.REVIEW, Ids.ADD_INDICATOR, Ids.CLOSE]
    assert not [c for c in posts if c.args["channel"] == DIGEST], "a medium risk does not alert the leads"


async def test_a_first_indicator_is_on_the_card(clock, slack_client, slack, services):
    async with sending(services):
        await raise_risk(
            slack_client,
            indicator_name="overdue-receivables",
            indicator_unit="%",
            indicator_direction="above",
            indicator_threshold="15",
        )
        (card,) = await slack.wait_for("chat.postMessage", 1)

    text = text_of(card.args)
    assert "*Indicator overdue-receivables:* warns at or above the threshold 15 % · last value -" in text
    assert buttons_of(card.args) == [Ids.UPDATE, Ids.REVIEW, Ids.ADD_INDICATOR, Ids.RECORD_VALUE, Ids.CLOSE]


async def test_a_high_risk_alerts_the_leads_at_once(clock, slack_client, slack, services):
    async with sending(services):
        await raise_risk(slack_client, likelihood="4", impact="4", strategy="transfer")
        posts = await slack.wait_for("chat.postMessage", 2)

    (alert,) = [c for c in posts if c.args["channel"] == DIGEST]
    validate_message(alert.args)
    text = text_of(alert.args)
    assert "New High risk R-2026-0001" in text and "score 16" in text
    assert f"Owner: <@{OWNER}>" in text and f"raised by <@{MEMBER}>" in text
    (risk,) = await stored_risks(services)
    assert risk.next_review == date(2026, 11, 30), "high: 14 days"


# -- show ------------------------------------------------------------------------------------------


async def test_show_gives_members_the_card_and_trail_and_refuses_others(clock, slack_client, services):
    await raise_risk(slack_client)

    shown = await slack_client.command(LEAD, "/risk", "show r-2026-0001")
    refused = await slack_client.command(OUTSIDER, "/risk", "show R-2026-0001")
    unknown = await slack_client.command(LEAD, "/risk", "show R-2026-0099")

    answer = shown.json()
    validate_message(answer)
    text = text_of(answer)
    assert "*Cause:* The supplier's only plant is being sold" in text
    assert f"`2026-11-16 10:00` <@{MEMBER}> · raised: level Medium; score 6" in text
    assert refused.json()["text"].startswith("There is no risk R-2026-0001 that you can see")
    assert "supplier" not in refused.text
    assert unknown.json()["text"].startswith("There is no risk R-2026-0099 that you can see")


# -- changes by the owner and the leads ------------------------------------------------------------


async def test_the_owner_re_scores_and_a_raise_to_high_alerts_the_leads(clock, slack_client, slack, services):
    async with sending(services):
        await raise_risk(slack_client)
        (risk,) = await stored_risks(services)
        await slack.wait_for("chat.postMessage", 1)
        clock.at += timedelta(hours=1)

        assert (
            await update_risk(services, slack_client, OWNER, risk.id, likelihood="4", strategy="reduce") == {}
        )
        (update,) = await slack.wait_for("chat.update", 1)
        posts = await slack.wait_for("chat.postMessage", 2)

    (alert,) = [c for c in posts if c.args["channel"] == DIGEST]
    assert "rose from Medium to *High*" in text_of(alert.args) and "R-2026-0001" in text_of(alert.args)
    text = text_of(update.args)
    assert "High" in text and "*Score:* 12" in text
    (changed,) = await stored_risks(services)
    assert (changed.level, changed.strategy) == ("high", "reduce")
    assert changed.next_review == date(2026, 11, 30), "the high interval from the last review"
    kind, actor, changes = (await stored_events(services))[-1]
    assert (kind, actor) == ("updated", OWNER)
    assert changes["level"] == ["medium", "high"] and changes["strategy"] == ["accept", "reduce"]


async def test_a_lowering_says_nothing_to_the_leads(clock, slack_client, slack, services):
    async with sending(services):
        await raise_risk(slack_client, likelihood="5", impact="5", strategy="avoid")
        (risk,) = await stored_risks(services)
        await slack.wait_for("chat.postMessage", 2)

        assert await update_risk(services, slack_client, LEAD, risk.id, likelihood="1", impact="2") == {}
        await slack.wait_for("chat.update", 1)
        posts = slack.calls_to("chat.postMessage")

    assert len([c for c in posts if c.args["channel"] == DIGEST]) == 1, "only the raising alerted"
    (lowered,) = await stored_risks(services)
    assert lowered.level == "low"


async def test_update_keeps_accept_out_of_a_high_risk(clock, slack_client, services):
    await raise_risk(slack_client)
    (risk,) = await stored_risks(services)

    answer = await update_risk(services, slack_client, OWNER, risk.id, likelihood="5", strategy="accept")

    assert set(answer["errors"]) == {Ids.STRATEGY_BLOCK}
    assert (await stored_risks(services))[0].level == "medium"


async def test_others_are_refused_and_nothing_changes(clock, slack_client, slack, services):
    await raise_risk(slack_client, user=OWNER)
    (risk,) = await stored_risks(services)
    before = await stored_events(services)

    await update_risk(services, slack_client, MEMBER, risk.id, likelihood="5", strategy="reduce")
    await press_button(slack_client, slack, MEMBER, Ids.UPDATE, risk.id)
    await press_button(slack_client, slack, OUTSIDER, Ids.CLOSE, risk.id)

    def refusals() -> list[str]:
        calls = slack.calls_to("response_url") + slack.calls_to("chat.postEphemeral")
        texts = [c.args.get("text", "") for c in calls]
        return [t for t in texts if "Only the owner of R-2026-0001 or a lead of its team" in t]

    async def told() -> bool:
        return len(refusals()) >= 3

    async with sending(services):
        await eventually(told, within=5, every=0.05)
    assert len(refusals()) == 3
    assert slack.calls_to("views.open") == [], "no form for someone who may not"
    (unchanged,) = await stored_risks(services)
    assert (unchanged.level, unchanged.status) == ("medium", "open")
    assert await stored_events(services) == before


async def test_the_lead_closes_a_risk_and_the_card_loses_its_buttons(clock, slack_client, slack, services):
    async with sending(services):
        await raise_risk(slack_client)
        (risk,) = await stored_risks(services)
        await slack.wait_for("chat.postMessage", 1)
        clock.at += timedelta(days=1)

        await press_button(slack_client, slack, LEAD, Ids.CLOSE, risk.id)
        (update,) = await slack.wait_for("chat.update", 1)

    assert "Closed" in text_of(update.args) and buttons_of(update.args) == []
    (closed,) = await stored_risks(services)
    assert closed.status == "closed" and closed.closed_at is not None and closed.remind_on is None
    shown = text_of((await slack_client.command(MEMBER, "/risk", "show R-2026-0001")).json())
    assert f"<@{LEAD}> · closed: status Open → Closed" in shown


async def test_update_opens_its_form_prefilled_for_the_owner(clock, slack_client, slack, services):
    await raise_risk(slack_client)
    (risk,) = await stored_risks(services)

    await press_button(slack_client, slack, OWNER, Ids.UPDATE, risk.id)

    (opened,) = await slack.wait_for("views.open", 1)
    view = view_of(opened)
    validate_view(view)
    assert view["callback_id"] == Ids.UPDATE_FORM and json.loads(view["private_metadata"]) == {"id": risk.id}
    blocks = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert blocks[Ids.LIKELIHOOD_BLOCK]["initial_option"]["value"] == "2"
    assert blocks[Ids.STRATEGY_BLOCK]["initial_option"]["value"] == "accept"
    assert blocks[Ids.STATUS_BLOCK]["initial_option"]["value"] == "open"
    assert blocks[Ids.OWNER_BLOCK]["initial_user"] == OWNER
