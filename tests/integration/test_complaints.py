"""/complaint over signed HTTP against the real app and the fake Slack Web API: logging, the card
through its lifecycle, refusals, concurrent resolves, the SLA ladder and the weekly summary."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.ids import Complaint as Ids
from storage.models import Complaint, ComplaintEvent
from tests.slack.fake_api import validate_message
from tests.support import eventually, sending

LEAD, OWNER, MEMBER, MANAGER, DEPUTY, OUTSIDER = (
    "U01AAA",
    "U01BBB",
    "U01CCC",
    "U01MGR",
    "U01DEP",
    "U0STRANGER",
)
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
        {"user": MANAGER, "role": "manager"},
        {"user": DEPUTY, "role": "deputy"},
        {"user": LEAD, "role": "lead", "title": "客户顾问"},
        {"user": OWNER, "role": "member"},
        {"user": MEMBER, "role": "member"},
    ],
    "complaint_sla": {"default_owner": OWNER},
}
_ids = itertools.count(1)


class Clock:
    """The services' clock, moved by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
async def clock(services, import_roster, slack):
    for user in (LEAD, OWNER, MEMBER, MANAGER, DEPUTY, OUTSIDER):
        slack.profiles[user] = {"locale": "en-US"}
    await import_roster({"teams": [TEAM]})
    clock = Clock(MONDAY)
    services.now = clock
    return clock


# -- what Slack sends ------------------------------------------------------------------------------


def _values(**fields) -> dict:
    """The modal's state as Slack sends it, from field names."""
    text = {
        "client": (Ids.CLIENT_BLOCK, Ids.CLIENT),
        "contact": (Ids.CONTACT_BLOCK, Ids.CONTACT),
        "description": (Ids.DESCRIPTION_BLOCK, Ids.DESCRIPTION),
        "resolution": (Ids.RESOLUTION_BLOCK, Ids.RESOLUTION),
        "feedback": (Ids.FEEDBACK_BLOCK, Ids.FEEDBACK),
        "reason": (Ids.REASON_BLOCK, Ids.REASON),
    }
    chosen = {
        "received_via": (Ids.RECEIVED_VIA_BLOCK, Ids.RECEIVED_VIA),
        "category": (Ids.CATEGORY_BLOCK, Ids.CATEGORY),
        "severity": (Ids.SEVERITY_BLOCK, Ids.SEVERITY),
        "satisfaction": (Ids.SATISFACTION_BLOCK, Ids.SATISFACTION),
        "team": (Ids.TEAM_BLOCK, Ids.TEAM),
    }
    values: dict = {}
    for name, value in fields.items():
        if name in text:
            block, action = text[name]
            values[block] = {action: {"type": "plain_text_input", "value": value}}
        elif name in chosen:
            block, action = chosen[name]
            option = (
                {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)} if value else None
            )
            values[block] = {action: {"type": "static_select", "selected_option": option}}
        else:
            values[Ids.OWNER_BLOCK] = {Ids.OWNER: {"type": "users_select", "selected_user": value}}
    return values


def _submission(user: str, callback_id: str, values: dict, metadata: dict) -> dict:
    n = next(_ids)
    return {
        "type": "view_submission",
        "team": {"id": "T0TEAM001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM001"},
        "api_app_id": "A0APP0001",
        "token": "legacy-unused",
        "trigger_id": f"{n}.{n}.submit{n:06d}",
        "view": {
            "id": f"VSUB{n:06d}",
            "team_id": "T0TEAM001",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": json.dumps(metadata),
            "state": {"values": values},
            "hash": f"h{n}",
        },
    }


def _press(slack, user: str, action_id: str, complaint_id: int) -> dict:
    n = next(_ids)
    return {
        "type": "block_actions",
        "team": {"id": "T0TEAM001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM001"},
        "api_app_id": "A0APP0001",
        "token": "legacy-unused",
        "trigger_id": f"{n}.{n}.press{n:06d}",
        "response_url": f"{slack.response_url_base}press{n}",
        "container": {"type": "message", "message_ts": "1700000001.000100", "channel_id": CHANNEL},
        "channel": {"id": CHANNEL, "name": "cs-east"},
        "message": {"type": "message", "ts": "1700000001.000100", "text": "card"},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": Ids.ACTIONS_BLOCK,
                "value": str(complaint_id),
                "action_ts": "1700000002.000000",
            }
        ],
    }


VALID = {
    "client": "Acme Trading <!channel>",
    "contact": "+86 21 5555 0101",
    "received_via": "phone",
    "category": "delivery",
    "severity": "high",
    "description": "Second late delivery this month",
    "owner": OWNER,
}


async def _log(slack_client, user: str = MEMBER, **fields) -> dict:
    values = _values(**(VALID | fields))
    reply = await slack_client.interaction(_submission(user, Ids.FORM, values, {"team": "cs-east"}))
    assert reply.status_code == 200
    return reply.json() if reply.content else {}


async def _complaints(services) -> list[Complaint]:
    async with services.db.reader() as session:
        return list((await session.scalars(select(Complaint).order_by(Complaint.id))).all())


async def _one(services) -> Complaint:
    (complaint,) = await _complaints(services)
    return complaint


def _view(call) -> dict:
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def _blocks(args: dict) -> list[dict]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _text(args: dict) -> str:
    return "\n".join(b["text"]["text"] for b in _blocks(args) if b.get("type") == "section") or args["text"]


def _buttons(args: dict) -> list[str]:
    return [e["action_id"] for b in _blocks(args) if b["type"] == "actions" for e in b["elements"]]


def _responses(slack) -> list[str]:
    return [c.args.get("text", "") for c in slack.calls_to("response_url")]


# -- logging ---------------------------------------------------------------------------------------


async def test_complaint_opens_the_form_at_once_prefilled(clock, slack_client, slack):
    reply = await slack_client.command(MEMBER, "/complaint", "Invoice was charged twice")

    assert reply.status_code == 200
    (opened,) = slack.calls_to("views.open")
    view = _view(opened)
    assert view["callback_id"] == Ids.FORM
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert blocks[Ids.DESCRIPTION_BLOCK]["element"]["initial_value"] == "Invoice was charged twice"
    assert blocks[Ids.OWNER_BLOCK]["element"]["initial_user"] == OWNER, "the team's default owner"
    assert Ids.TEAM_BLOCK not in blocks, "one team: nothing to choose"


async def test_invalid_form_gets_field_errors_and_nothing_is_stored(clock, slack_client, services):
    answer = await _log(slack_client, client=" ", description="bad", severity=None, owner=OUTSIDER)

    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {Ids.CLIENT_BLOCK, Ids.DESCRIPTION_BLOCK, Ids.SEVERITY_BLOCK}
    assert answer["errors"][Ids.CLIENT_BLOCK] == "Say who the client is."
    outsider = await _log(slack_client, owner=OUTSIDER)
    assert outsider["errors"] == {Ids.OWNER_BLOCK: "The owner must be a member of the team."}
    assert await _complaints(services) == []


async def test_field_errors_speak_the_users_language(clock, slack_client, slack, services):
    slack.profiles[MEMBER] = {"locale": "zh-TW"}
    answer = await _log(slack_client, client="")
    assert answer["errors"][Ids.CLIENT_BLOCK] == "請填寫客戶。"


async def test_logging_posts_the_card_with_a_reference(clock, slack_client, slack, services):
    async with sending(services):
        assert await _log(slack_client) == {}
        await _log(slack_client, client="Beta Ltd")
        posts = await slack.wait_for("chat.postMessage", 2)

    first, second = await _complaints(services)
    assert (first.reference, second.reference) == ("C-2026-0001", "C-2026-0002")
    assert first.status == "new" and first.reporter_id == MEMBER and first.owner_id == OWNER
    card = next(c for c in posts if c.args["channel"] == CHANNEL and "C-2026-0001" in c.args["text"])
    validate_message(card.args)
    text = _text(card.args)
    assert "High" in text and "New" in text and f"<@{OWNER}>" in text
    assert "Acme Trading &lt;!channel&gt;" in text, "user text is escaped"
    assert "+86 21" not in text, "the contact is not on the card"
    assert "Acknowledge by:* 2026-11-16 12:00" in text, "2 h for high, shown in Shanghai time"
    assert _buttons(card.args) == [Ids.ACKNOWLEDGE, Ids.REASSIGN, Ids.ESCALATE]
    assert not [c for c in posts if c.args["channel"] == DIGEST], "only critical goes to the leads at once"


async def test_many_logged_at_once_get_distinct_references(clock, slack_client, services):
    await asyncio.gather(*(_log(slack_client, client=f"Client {n}") for n in range(8)))

    references = sorted(c.reference for c in await _complaints(services))
    assert references == [f"C-2026-{n:04d}" for n in range(1, 9)]


async def test_a_critical_complaint_alerts_the_leads_at_once(clock, slack_client, slack, services):
    async with sending(services):
        await _log(slack_client, severity="critical")
        posts = await slack.wait_for("chat.postMessage", 2)

    (alert,) = [c for c in posts if c.args["channel"] == DIGEST]
    text = _text(alert.args)
    assert "Critical complaint C-2026-0001" in text and f"<@{OWNER}>" in text
    assert "Acme" not in text and "+86" not in text, "the leads' channel gets no client details"


# -- the lifecycle ---------------------------------------------------------------------------------


async def _press_button(slack_client, slack, user: str, action_id: str, complaint_id: int):
    reply = await slack_client.interaction(_press(slack, user, action_id, complaint_id))
    assert reply.status_code == 200
    return reply


async def _resolve(slack_client, user: str, complaint_id: int, **fields):
    values = _values(**({"resolution": "Refunded the delivery fee", "satisfaction": "4"} | fields))
    return await slack_client.interaction(_submission(user, Ids.RESOLVE_FORM, values, {"id": complaint_id}))


async def _events(services) -> list[tuple[str, str | None, str | None]]:
    async with services.db.reader() as session:
        rows = await session.scalars(select(ComplaintEvent).order_by(ComplaintEvent.id))
        return [(e.kind, e.actor, e.to_status) for e in rows]


async def test_the_card_through_its_whole_lifecycle(clock, slack_client, slack, services):
    async with sending(services):
        await _log(slack_client)
        card = await _card(slack)
        complaint = await _one(services)
        steps = [
            (OWNER, Ids.ACKNOWLEDGE, "Acknowledged", [Ids.START, Ids.RESOLVE, Ids.REASSIGN, Ids.ESCALATE]),
            (OWNER, Ids.START, "In progress", [Ids.RESOLVE, Ids.REASSIGN, Ids.ESCALATE]),
        ]
        for number, (user, button, status, buttons) in enumerate(steps, start=1):
            clock.at += timedelta(minutes=10)
            await _press_button(slack_client, slack, user, button, complaint.id)
            updates = await slack.wait_for("chat.update", number)
            assert updates[-1].args["ts"] == card.answer["ts"], "the card changes in place"
            assert status in _text(updates[-1].args) and _buttons(updates[-1].args) == buttons

        await _press_button(slack_client, slack, OWNER, Ids.RESOLVE, complaint.id)
        (opened,) = await slack.wait_for("views.open", 1)
        assert _view(opened)["callback_id"] == Ids.RESOLVE_FORM
        assert (await _resolve(slack_client, OWNER, complaint.id)).status_code == 200
        updates = await slack.wait_for("chat.update", 3)
        resolved = _text(updates[-1].args)
        assert "Resolved" in resolved and "Refunded the delivery fee" in resolved and "4/5" in resolved
        assert _buttons(updates[-1].args) == [Ids.CLOSE, Ids.REOPEN]

        await _press_button(slack_client, slack, LEAD, Ids.CLOSE, complaint.id)
        updates = await slack.wait_for("chat.update", 4)
        assert "Closed" in _text(updates[-1].args) and _buttons(updates[-1].args) == [Ids.REOPEN]

        clock.at += timedelta(days=1)
        await _press_button(slack_client, slack, LEAD, Ids.REOPEN, complaint.id)
        updates = await slack.wait_for("chat.update", 5)
        assert "Reopened" in _text(updates[-1].args)

        await _press_button(slack_client, slack, LEAD, Ids.REASSIGN, complaint.id)
        await slack.wait_for("views.open", 2)
        values = _values(owner=MEMBER)
        await slack_client.interaction(_submission(LEAD, Ids.REASSIGN_FORM, values, {"id": complaint.id}))
        updates = await slack.wait_for("chat.update", 6)
        assert f"*Owner:* <@{MEMBER}>" in _text(updates[-1].args)
        await eventually(lambda: _dm_to(slack, MEMBER), within=5)
        replies = [
            c for c in slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == card.answer["ts"]
        ]
        await eventually(lambda: _count(slack, card.answer["ts"], 6), within=5)

    replies = [c for c in slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == card.answer["ts"]]
    assert f"<@{LEAD}> reassigned it from <@{OWNER}> to <@{MEMBER}>" in _text(replies[-1].args)
    assert not slack.invalid
    reopened = await _one(services)
    assert reopened.status == "reopened" and reopened.owner_id == MEMBER
    assert reopened.resolve_due == clock.at + timedelta(days=3), "the resolve clock restarts on reopening"
    assert await _events(services) == [
        ("logged", MEMBER, "new"),
        ("acknowledge", OWNER, "acknowledged"),
        ("start", OWNER, "in_progress"),
        ("resolve", OWNER, "resolved"),
        ("close", LEAD, "closed"),
        ("reopen", LEAD, "reopened"),
        ("reassign", LEAD, "reopened"),
    ]


async def _card(slack):
    """The first message posted in the team channel (the card), once the sender has posted it."""

    async def posted() -> bool:
        return any(c.args.get("channel") == CHANNEL for c in slack.calls_to("chat.postMessage"))

    await eventually(posted, within=5)
    return next(c for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == CHANNEL)


async def _dm_to(slack, user: str) -> bool:
    channel = "D" + user.lstrip("UW")
    return any(c.args.get("channel") == channel for c in slack.calls_to("chat.postMessage"))


async def _count(slack, thread_ts: str, count: int) -> bool:
    return sum(c.args.get("thread_ts") == thread_ts for c in slack.calls_to("chat.postMessage")) >= count


async def test_the_wrong_person_is_refused_and_nothing_changes(clock, slack_client, slack, services):
    await _log(slack_client)
    complaint = await _one(services)

    async with sending(services):
        await _press_button(slack_client, slack, MEMBER, Ids.ACKNOWLEDGE, complaint.id)
        await _press_button(slack_client, slack, OUTSIDER, Ids.RESOLVE, complaint.id)
        await _press_button(slack_client, slack, OWNER, Ids.ESCALATE, complaint.id)
        await slack.wait_for("response_url", 3)
    answers = _responses(slack)
    assert "Only the owner of C-2026-0001 can do that." in answers
    assert "Only the owner of C-2026-0001 or a lead of its team can do that." in answers
    assert "Only a lead of the team can do that to C-2026-0001." in answers
    assert not slack.calls_to("views.open"), "no form for someone who may not use it"
    after = await _one(services)
    assert (after.status, after.version, after.acknowledged_at) == ("new", complaint.version, None)
    assert [kind for kind, _, _ in await _events(services)] == ["logged"]


async def test_a_form_submitted_by_the_wrong_person_changes_nothing(clock, slack_client, slack, services):
    """The buttons are not the only way in: the service checks every request."""
    await _log(slack_client)
    complaint = await _one(services)
    async with sending(services):
        await _resolve(slack_client, OUTSIDER, complaint.id)
        (refused,) = await slack.wait_for("chat.postEphemeral", 1)
    assert refused.args["user"] == OUTSIDER and "Only the owner" in refused.args["text"]
    assert (await _one(services)).status == "new"


async def test_the_reporter_may_reopen_within_seven_days(clock, slack_client, slack, services):
    await _log(slack_client, user=MEMBER)
    complaint = await _one(services)
    await _press_button(slack_client, slack, OWNER, Ids.ACKNOWLEDGE, complaint.id)
    await _resolve(slack_client, OWNER, complaint.id)

    clock.at += timedelta(days=8)
    async with sending(services):
        await _press_button(slack_client, slack, MEMBER, Ids.REOPEN, complaint.id)
        await slack.wait_for("response_url", 1)
    assert "the person who logged it within 7 days" in _responses(slack)[0]
    assert (await _one(services)).status == "resolved"

    clock.at -= timedelta(days=2)
    await _press_button(slack_client, slack, MEMBER, Ids.REOPEN, complaint.id)
    assert (await _one(services)).status == "reopened"


async def test_two_resolving_at_once_one_wins_the_other_is_told_who(clock, slack_client, slack, services):
    await _log(slack_client)
    complaint = await _one(services)
    await _press_button(slack_client, slack, OWNER, Ids.ACKNOWLEDGE, complaint.id)

    async with sending(services):
        await asyncio.gather(
            _resolve(slack_client, OWNER, complaint.id, resolution="Owner refunded the fee"),
            _resolve(slack_client, LEAD, complaint.id, resolution="Lead called the client"),
        )
        (told,) = await slack.wait_for("chat.postEphemeral", 1)

    resolved = await _one(services)
    loser = LEAD if resolved.resolved_by == OWNER else OWNER
    assert told.args["user"] == loser
    assert (
        told.args["text"]
        == f"C-2026-0001 was already resolved by <@{resolved.resolved_by}>; nothing was changed."
    )
    kinds = [kind for kind, _, _ in await _events(services)]
    assert kinds.count("resolve") == 1
    assert resolved.resolution in ("Owner refunded the fee", "Lead called the client")


async def test_a_lead_escalates_by_hand_to_the_managers(clock, slack_client, slack, services):
    await _log(slack_client)
    complaint = await _one(services)
    async with sending(services):
        await _press_button(slack_client, slack, LEAD, Ids.ESCALATE, complaint.id)
        (opened,) = await slack.wait_for("views.open", 1)
        assert _view(opened)["callback_id"] == Ids.ESCALATE_FORM
        short = await slack_client.interaction(
            _submission(LEAD, Ids.ESCALATE_FORM, _values(reason=""), {"id": complaint.id})
        )
        assert short.json()["errors"] == {Ids.REASON_BLOCK: "Give the reason for escalating."}
        values = _values(reason="Client threatens to go to the press")
        await slack_client.interaction(_submission(LEAD, Ids.ESCALATE_FORM, values, {"id": complaint.id}))
        await eventually(lambda: _dm_to(slack, MANAGER), within=5)
        await eventually(lambda: _dm_to(slack, DEPUTY), within=5)

    dms = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "D01MGR"]
    assert "Client threatens to go to the press" in _text(dms[0].args)
    assert ("escalate", LEAD, "new") in await _events(services)
