"""Slack's side of /risk for the tests over signed HTTP: the team, a settable clock, the forms'
state and the card's button presses as Slack sends them, and what the tests read back."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

from sqlalchemy import select

from bot.ids import Risk as Ids
from storage.models import Risk, RiskEvent

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


async def team_on_a_clock(services, import_roster, slack) -> Clock:
    """The team, its members' profiles, and the services' clock at MONDAY (moved by the tests)."""
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
    "value": (Ids.VALUE_BLOCK, Ids.VALUE),
    "note": (Ids.NOTE_BLOCK, Ids.NOTE),
}
CHOSEN = {
    "team": (Ids.TEAM_BLOCK, Ids.TEAM),
    "category": (Ids.CATEGORY_BLOCK, Ids.CATEGORY),
    "likelihood": (Ids.LIKELIHOOD_BLOCK, Ids.LIKELIHOOD),
    "impact": (Ids.IMPACT_BLOCK, Ids.IMPACT),
    "strategy": (Ids.STRATEGY_BLOCK, Ids.STRATEGY),
    "status": (Ids.STATUS_BLOCK, Ids.STATUS),
    "indicator_direction": (Ids.INDICATOR_DIRECTION_BLOCK, Ids.INDICATOR_DIRECTION),
    "indicator": (Ids.INDICATOR_BLOCK, Ids.INDICATOR),
}


def form_values(**fields) -> dict:
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


def interaction(kind: str, user: str, n: int) -> dict:
    return {
        "type": kind,
        "team": {"id": "T0TEAM001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM001"},
        "api_app_id": "A0APP0001",
        "token": "legacy-unused",
        "trigger_id": f"{n}.{n}.riskinteraction{n:06d}",
    }


def submission(user: str, callback_id: str, values: dict, metadata: dict) -> dict:
    n = next(_ids)
    return {
        **interaction("view_submission", user, n),
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


def press(slack, user: str, action_id: str, risk_id: int) -> dict:
    n = next(_ids)
    return {
        **interaction("block_actions", user, n),
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


async def raise_risk(slack_client, user: str = MEMBER, **fields) -> dict:
    values = form_values(**{name: value for name, value in (VALID | fields).items() if value is not ...})
    reply = await slack_client.interaction(submission(user, Ids.FORM, values, {"team": "cs-east"}))
    assert reply.status_code == 200
    return reply.json() if reply.content else {}


async def stored_risks(services) -> list[Risk]:
    async with services.db.reader() as session:
        return list((await session.scalars(select(Risk).order_by(Risk.id))).all())


async def stored_events(services) -> list[tuple[str, str | None, dict]]:
    async with services.db.reader() as session:
        rows = await session.scalars(select(RiskEvent).order_by(RiskEvent.id))
        return [(e.kind, e.actor, e.changes) for e in rows]


def blocks_of(args: dict) -> list[dict]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def text_of(args: dict) -> str:
    return "\n".join(b["text"]["text"] for b in blocks_of(args) if b.get("type") == "section") or args["text"]


def buttons_of(args: dict) -> list[str]:
    return [e["action_id"] for b in blocks_of(args) if b["type"] == "actions" for e in b["elements"]]


def view_of(call) -> dict:
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


async def update_risk(services, slack_client, user: str, risk_id: int, **fields) -> dict:
    values = form_values(
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
    reply = await slack_client.interaction(submission(user, Ids.UPDATE_FORM, values, {"id": risk_id}))
    assert reply.status_code == 200
    return reply.json() if reply.content else {}


async def press_button(slack_client, slack, user: str, action_id: str, risk_id: int) -> None:
    reply = await slack_client.interaction(press(slack, user, action_id, risk_id))
    assert reply.status_code == 200


async def submit(slack_client, user: str, callback_id: str, risk_id: int, **fields) -> dict:
    """One of the card's forms (indicator, value, review) submitted with these fields."""
    values = form_values(**fields)
    reply = await slack_client.interaction(submission(user, callback_id, values, {"id": risk_id}))
    assert reply.status_code == 200
    return reply.json() if reply.content else {}
