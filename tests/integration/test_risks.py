"""/risk over signed HTTP against the real app and the fake Slack Web API: raising a risk (every
invalid field, accept refused for high), its card and reference, the leads' alert, show with the
audit trail, and changes by the owner and the leads only."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.ids import Risk as Ids
from storage.models import Risk, RiskEvent
from tests.slack.fake_api import validate_message, validate_view
from tests.support import eventually, sending

LEAD, OWNER, MEMBER, OUTSIDER = "U01AAA", "U01BBB", "U01CCC", "U0STRANGER"
CHANNEL, DIGEST = "C0123ABCD", "C0456EFGH"
MONDAY = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai

TEAM = {
    "key": "cs-east",
    "name": "Customer Service East",
    "kind": "service",
    "channel": CHANNEL,
    "digest_channel": DIGEST,
    "timezone": "Asia/Shanghai",
    "locale": "en",
    "members": [
        {"user": LEAD, "role": "lead"},
        {"user": OWNER, "role": "member"},
        {"user": MEMBER, "role": "member"},
    ],
}
_ids = itertools.count(1)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
async def clock(services, import_roster, slack):
    for user in (LEAD, OWNER, MEMBER, OUTSIDER):
        slack.profiles[user] = {"locale": "en-US"}
    await import_roster({"teams": [TEAM]})
    clock = Clock(MONDAY)
    services.now = clock
    return clock


# -- what Slack sends ------------------------------------------------------------------------------

TEXT = {
    "title": (Ids.TITLE_BLOCK, Ids.TITLE),
    "cause": (Ids.CAUSE_BLOCK, Ids.CAUSE),
    "consequence": (Ids.CONSEQUENCE_BLOCK, Ids.CONSEQUENCE),
    "department": (Ids.DEPARTMENT_BLOCK, Ids.DEPARTMENT),
    "plan": (Ids.PLAN_BLOCK, Ids.PLAN),
    "indicator_name": (Ids.INDICATOR_NAME_BLOCK, Ids.INDICATOR_NAME),
    "indicator_unit": (Ids.INDICATOR_UNIT_BLOCK, Ids.INDICATOR_UNIT),
    "indicator_threshold": (Ids.INDICATOR_THRESHOLD_BLOCK, Ids.INDICATOR_THRESHOLD),
}
CHOSEN = {
    "team": (Ids.TEAM_BLOCK, Ids.TEAM),
    "category": (Ids.CATEGORY_BLOCK, Ids.CATEGORY),
    "likelihood": (Ids.LIKELIHOOD_BLOCK, Ids.LIKELIHOOD),
    "impact": (Ids.IMPACT_BLOCK, Ids.IMPACT),
    "strategy": (Ids.STRATEGY_BLOCK, Ids.STRATEGY),
    "status": (Ids.STATUS_BLOCK, Ids.STATUS),
    "indicator_direction": (Ids.INDICATOR_DIRECTION_BLOCK, Ids.INDICATOR_DIRECTION),
}


def _values(**fields) -> dict:
    """The modal's state as Slack sends it, from field names."""
    values: dict = {}
    for name, value in fields.items():
        if name in TEXT:
            block, action = TEXT[name]
            values[block] = {action: {"type": "plain_text_input", "value": value}}
        elif name in CHOSEN:
            block, action = CHOSEN[name]
            option = (
                {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)} if value else None
            )
            values[block] = {action: {"type": "static_select", "selected_option": option}}
        elif name == "review_date":
            values[Ids.REVIEW_DATE_BLOCK] = {Ids.REVIEW_DATE: {"type": "datepicker", "selected_date": value}}
        else:
            values[Ids.OWNER_BLOCK] = {Ids.OWNER: {"type": "users_select", "selected_user": value}}
    return values


def _interaction(kind: str, user: str, n: int) -> dict:
    return {
        "type": kind,
        "team": {"id": "T0TEAM001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM001"},
        "api_app_id": "A0APP0001",
        "token": "legacy-unused",
        "trigger_id": f"{n}.{n}.riskinteraction{n:06d}",
    }


def _submission(user: str, callback_id: str, values: dict, metadata: dict) -> dict:
    n = next(_ids)
    return {
        **_interaction("view_submission", user, n),
        "view": {
            "id": f"VRSK{n:06d}",
            "team_id": "T0TEAM001",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": json.dumps(metadata),
            "state": {"values": values},
            "hash": f"h{n}",
        },
    }


def _press(slack, user: str, action_id: str, risk_id: int) -> dict:
    n = next(_ids)
    return {
        **_interaction("block_actions", user, n),
        "response_url": f"{slack.response_url_base}riskpress{n}",
        "container": {"type": "message", "message_ts": "1700000001.000100", "channel_id": CHANNEL},
        "channel": {"id": CHANNEL, "name": "cs-east"},
        "message": {"type": "message", "ts": "1700000001.000100", "text": "card"},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": Ids.ACTIONS_BLOCK,
                "value": str(risk_id),
                "action_ts": "1700000002.000000",
            }
        ],
    }


VALID = {
    "title": "Key supplier may stop <!channel> deliveries",
    "category": "operational",
    "cause": "The supplier's only plant is being sold",
    "consequence": "Orders for three clients slip by a month",
    "likelihood": "2",
    "impact": "3",
    "owner": OWNER,
    "strategy": "accept",
    "plan": "Watch the sale; keep two weeks of stock",
}


async def _raise(slack_client, user: str = MEMBER, **fields) -> dict:
    values = _values(**{name: value for name, value in (VALID | fields).items() if value is not ...})
    reply = await slack_client.interaction(_submission(user, Ids.FORM, values, {"team": "cs-east"}))
    assert reply.status_code == 200
    return reply.json() if reply.content else {}


async def _risks(services) -> list[Risk]:
    async with services.db.reader() as session:
        return list((await session.scalars(select(Risk).order_by(Risk.id))).all())


async def _events(services) -> list[tuple[str, str | None, dict]]:
    async with services.db.reader() as session:
        rows = await session.scalars(select(RiskEvent).order_by(RiskEvent.id))
        return [(e.kind, e.actor, e.changes) for e in rows]


def _blocks(args: dict) -> list[dict]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _text(args: dict) -> str:
    return "\n".join(b["text"]["text"] for b in _blocks(args) if b.get("type") == "section") or args["text"]


def _buttons(args: dict) -> list[str]:
    return [e["action_id"] for b in _blocks(args) if b["type"] == "actions" for e in b["elements"]]


def _view(call) -> dict:
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


# -- raising ---------------------------------------------------------------------------------------


async def test_risk_opens_the_form_at_once_prefilled(clock, slack_client, slack):
    reply = await slack_client.command(MEMBER, "/risk", "Key supplier may stop deliveries")

    assert reply.status_code == 200
    (opened,) = await slack.wait_for("views.open", 1)
    view = _view(opened)
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
    answer = await _raise(
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
    outsider = await _raise(slack_client, owner=OUTSIDER)
    assert outsider["errors"] == {Ids.OWNER_BLOCK: "The owner must be a member of the team."}
    assert await _risks(services) == []


async def test_accept_is_refused_for_a_high_risk_and_allowed_for_a_medium_one(clock, slack_client, services):
    high = await _raise(slack_client, likelihood="4", impact="3", strategy="accept")

    assert high == {
        "response_action": "errors",
        "errors": {
            Ids.STRATEGY_BLOCK: "Accept is only for low and medium risks. "
            "At this level choose avoid, reduce or transfer."
        },
    }
    assert await _risks(services) == []
    assert await _raise(slack_client, likelihood="3", impact="3", strategy="accept") == {}
    assert await _raise(slack_client, likelihood="4", impact="3", strategy="reduce") == {}
    assert [(r.level, r.strategy) for r in await _risks(services)] == [
        ("medium", "accept"),
        ("high", "reduce"),
    ]


async def test_field_errors_speak_the_users_language(clock, slack_client, slack):
    slack.profiles[MEMBER] = {"locale": "zh-TW"}
    answer = await _raise(slack_client, likelihood="5", impact="4", strategy="accept")
    assert "接受" in answer["errors"][Ids.STRATEGY_BLOCK]


async def test_raising_posts_the_card_with_a_reference(clock, slack_client, slack, services):
    async with sending(services):
        assert await _raise(slack_client, department="Purchasing") == {}
        assert await _raise(slack_client, title="Second") == {}
        posts = await slack.wait_for("chat.postMessage", 2)

    first, second = await _risks(services)
    assert (first.reference, second.reference) == ("R-2026-0001", "R-2026-0002")
    assert (first.level, first.score, first.owner_id, first.raised_by) == ("medium", 6, OWNER, MEMBER)
    # Medium: 30 days from the raising, 2026-12-16 is a Wednesday.
    assert first.next_review == date(2026, 12, 16)
    card = next(c for c in posts if "R-2026-0001" in c.args["text"])
    assert card.args["channel"] == CHANNEL
    validate_message(card.args)
    text = _text(card.args)
    assert "R-2026-0001" in text and "Medium" in text and "Open" in text
    assert "*Score:* 6 = likelihood 2 (Unlikely) × impact 3 (Moderate)" in text
    assert f"*Owner:* <@{OWNER}>" in text and "*Department:* Purchasing" in text
    assert "*Strategy:* Accept" in text and "*Next review:* 2026-12-16" in text
    assert "&lt;!channel&gt;" in text, "user text is escaped"
    assert _buttons(card.args) == [Ids.UPDATE, Ids.REVIEW, Ids.ADD_INDICATOR, Ids.CLOSE]
    assert not [c for c in posts if c.args["channel"] == DIGEST], "a medium risk does not alert the leads"


async def test_a_first_indicator_is_on_the_card(clock, slack_client, slack, services):
    async with sending(services):
        await _raise(
            slack_client,
            indicator_name="overdue-receivables",
            indicator_unit="%",
            indicator_direction="above",
            indicator_threshold="15",
        )
        (card,) = await slack.wait_for("chat.postMessage", 1)

    text = _text(card.args)
    assert "*Indicator overdue-receivables:* warns at or above the threshold 15 % · last value -" in text
    assert _buttons(card.args) == [Ids.UPDATE, Ids.REVIEW, Ids.ADD_INDICATOR, Ids.RECORD_VALUE, Ids.CLOSE]


async def test_a_high_risk_alerts_the_leads_at_once(clock, slack_client, slack, services):
    async with sending(services):
        await _raise(slack_client, likelihood="4", impact="4", strategy="transfer")
        posts = await slack.wait_for("chat.postMessage", 2)

    (alert,) = [c for c in posts if c.args["channel"] == DIGEST]
    validate_message(alert.args)
    text = _text(alert.args)
    assert "New High risk R-2026-0001" in text and "score 16" in text
    assert f"Owner: <@{OWNER}>" in text and f"raised by <@{MEMBER}>" in text
    (risk,) = await _risks(services)
    assert risk.next_review == date(2026, 11, 30), "high: 14 days"


# -- show ------------------------------------------------------------------------------------------


async def test_show_gives_members_the_card_and_trail_and_refuses_others(clock, slack_client, services):
    await _raise(slack_client)

    shown = await slack_client.command(LEAD, "/risk", "show r-2026-0001")
    refused = await slack_client.command(OUTSIDER, "/risk", "show R-2026-0001")
    unknown = await slack_client.command(LEAD, "/risk", "show R-2026-0099")

    answer = shown.json()
    validate_message(answer)
    text = _text(answer)
    assert "*Cause:* The supplier's only plant is being sold" in text
    assert f"`2026-11-16 10:00` <@{MEMBER}> · raised: level Medium; score 6" in text
    assert refused.json()["text"].startswith("There is no risk R-2026-0001 that you can see")
    assert "supplier" not in refused.text
    assert unknown.json()["text"].startswith("There is no risk R-2026-0099 that you can see")


# -- changes by the owner and the leads ------------------------------------------------------------


async def _update(services, slack_client, user: str, risk_id: int, **fields) -> dict:
    values = _values(
        **(
            {
                "likelihood": "2",
                "impact": "3",
                "strategy": "accept",
                "plan": "Watch the sale",
                "owner": OWNER,
                "status": "open",
            }
            | fields
        )
    )
    reply = await slack_client.interaction(_submission(user, Ids.UPDATE_FORM, values, {"id": risk_id}))
    assert reply.status_code == 200
    return reply.json() if reply.content else {}


async def _press_button(slack_client, slack, user: str, action_id: str, risk_id: int) -> None:
    reply = await slack_client.interaction(_press(slack, user, action_id, risk_id))
    assert reply.status_code == 200


async def test_the_owner_re_scores_and_a_raise_to_high_alerts_the_leads(clock, slack_client, slack, services):
    async with sending(services):
        await _raise(slack_client)
        (risk,) = await _risks(services)
        await slack.wait_for("chat.postMessage", 1)
        clock.at += timedelta(hours=1)

        assert await _update(services, slack_client, OWNER, risk.id, likelihood="4", strategy="reduce") == {}
        (update,) = await slack.wait_for("chat.update", 1)
        posts = await slack.wait_for("chat.postMessage", 2)

    (alert,) = [c for c in posts if c.args["channel"] == DIGEST]
    assert "rose from Medium to *High*" in _text(alert.args) and "R-2026-0001" in _text(alert.args)
    text = _text(update.args)
    assert "High" in text and "*Score:* 12" in text
    (changed,) = await _risks(services)
    assert (changed.level, changed.strategy) == ("high", "reduce")
    assert changed.next_review == date(2026, 11, 30), "the high interval from the last review"
    kind, actor, changes = (await _events(services))[-1]
    assert (kind, actor) == ("updated", OWNER)
    assert changes["level"] == ["medium", "high"] and changes["strategy"] == ["accept", "reduce"]


async def test_a_lowering_says_nothing_to_the_leads(clock, slack_client, slack, services):
    async with sending(services):
        await _raise(slack_client, likelihood="5", impact="5", strategy="avoid")
        (risk,) = await _risks(services)
        await slack.wait_for("chat.postMessage", 2)

        assert await _update(services, slack_client, LEAD, risk.id, likelihood="1", impact="2") == {}
        await slack.wait_for("chat.update", 1)
        posts = slack.calls_to("chat.postMessage")

    assert len([c for c in posts if c.args["channel"] == DIGEST]) == 1, "only the raising alerted"
    (lowered,) = await _risks(services)
    assert lowered.level == "low"


async def test_update_keeps_accept_out_of_a_high_risk(clock, slack_client, services):
    await _raise(slack_client)
    (risk,) = await _risks(services)

    answer = await _update(services, slack_client, OWNER, risk.id, likelihood="5", strategy="accept")

    assert set(answer["errors"]) == {Ids.STRATEGY_BLOCK}
    assert (await _risks(services))[0].level == "medium"


async def test_others_are_refused_and_nothing_changes(clock, slack_client, slack, services):
    await _raise(slack_client, user=OWNER)
    (risk,) = await _risks(services)
    before = await _events(services)

    await _update(services, slack_client, MEMBER, risk.id, likelihood="5", strategy="reduce")
    await _press_button(slack_client, slack, MEMBER, Ids.UPDATE, risk.id)
    await _press_button(slack_client, slack, OUTSIDER, Ids.CLOSE, risk.id)

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
    (unchanged,) = await _risks(services)
    assert (unchanged.level, unchanged.status) == ("medium", "open")
    assert await _events(services) == before


async def test_the_lead_closes_a_risk_and_the_card_loses_its_buttons(clock, slack_client, slack, services):
    async with sending(services):
        await _raise(slack_client)
        (risk,) = await _risks(services)
        await slack.wait_for("chat.postMessage", 1)
        clock.at += timedelta(days=1)

        await _press_button(slack_client, slack, LEAD, Ids.CLOSE, risk.id)
        (update,) = await slack.wait_for("chat.update", 1)

    assert "Closed" in _text(update.args) and _buttons(update.args) == []
    (closed,) = await _risks(services)
    assert closed.status == "closed" and closed.closed_at is not None and closed.remind_on is None
    shown = _text((await slack_client.command(MEMBER, "/risk", "show R-2026-0001")).json())
    assert f"<@{LEAD}> · closed: status Open → Closed" in shown


async def test_update_opens_its_form_prefilled_for_the_owner(clock, slack_client, slack, services):
    await _raise(slack_client)
    (risk,) = await _risks(services)

    await _press_button(slack_client, slack, OWNER, Ids.UPDATE, risk.id)

    (opened,) = await slack.wait_for("views.open", 1)
    view = _view(opened)
    validate_view(view)
    assert view["callback_id"] == Ids.UPDATE_FORM and json.loads(view["private_metadata"]) == {"id": risk.id}
    blocks = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert blocks[Ids.LIKELIHOOD_BLOCK]["initial_option"]["value"] == "2"
    assert blocks[Ids.STRATEGY_BLOCK]["initial_option"]["value"] == "accept"
    assert blocks[Ids.STATUS_BLOCK]["initial_option"]["value"] == "open"
    assert blocks[Ids.OWNER_BLOCK]["initial_user"] == OWNER
