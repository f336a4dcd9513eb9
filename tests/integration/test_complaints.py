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
from scheduler.runner import run_job
from storage import complaints as repo
from storage.models import Complaint, ComplaintEscalation, ComplaintEvent, OutboxRow
from tests.integration.test_metrics import scrape
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
        "cause": (Ids.CAUSE_BLOCK, Ids.CAUSE),
        "resolution": (Ids.RESOLUTION_BLOCK, Ids.RESOLUTION),
        "client_told": (Ids.CLIENT_TOLD_BLOCK, Ids.CLIENT_TOLD),
        "feedback": (Ids.FEEDBACK_BLOCK, Ids.FEEDBACK),
        "reason": (Ids.REASON_BLOCK, Ids.REASON),
        "reply": (Ids.REPLY_BLOCK, Ids.REPLY),
    }
    chosen = {
        "received_via": (Ids.RECEIVED_VIA_BLOCK, Ids.RECEIVED_VIA),
        "category": (Ids.CATEGORY_BLOCK, Ids.CATEGORY),
        "stage": (Ids.STAGE_BLOCK, Ids.STAGE),
        "severity": (Ids.SEVERITY_BLOCK, Ids.SEVERITY),
        "satisfaction": (Ids.SATISFACTION_BLOCK, Ids.SATISFACTION),
        "team": (Ids.TEAM_BLOCK, Ids.TEAM),
        "reply_via": (Ids.REPLY_VIA_BLOCK, Ids.REPLY_VIA),
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
        elif name == "replied_at":
            picked = {
                "type": "datetimepicker",
                "selected_date_time": int(value.timestamp()) if value else None,
            }
            values[Ids.REPLIED_AT_BLOCK] = {Ids.REPLIED_AT: picked}
        else:
            values[Ids.OWNER_BLOCK] = {Ids.OWNER: {"type": "users_select", "selected_user": value}}
    return values


def _interaction(kind: str, user: str, n: int) -> dict:
    """What every interaction payload carries: who, where from, and a trigger of its own (the app
    processes a trigger once, so it must not repeat one of the signed client's commands)."""
    return {
        "type": kind,
        "team": {"id": "T0TEAM001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM001"},
        "api_app_id": "A0APP0001",
        "token": "legacy-unused",
        "trigger_id": f"{n}.{n}.interaction{n:06d}",
    }


def _submission(user: str, callback_id: str, values: dict, metadata: dict) -> dict:
    n = next(_ids)
    return {
        **_interaction("view_submission", user, n),
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
        **_interaction("block_actions", user, n),
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
    "stage": "after_sale",
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
    (opened,) = await slack.wait_for("views.open", 1)
    view = _view(opened)
    assert view["callback_id"] == Ids.FORM
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert blocks[Ids.DESCRIPTION_BLOCK]["element"]["initial_value"] == "Invoice was charged twice"
    assert blocks[Ids.OWNER_BLOCK]["element"]["initial_user"] == OWNER, "the team's default owner"
    assert Ids.TEAM_BLOCK not in blocks, "one team: nothing to choose"


async def test_invalid_form_gets_field_errors_and_nothing_is_stored(clock, slack_client, services):
    answer = await _log(
        slack_client, client=" ", description="bad", severity=None, stage=None, owner=OUTSIDER
    )

    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {
        Ids.CLIENT_BLOCK,
        Ids.DESCRIPTION_BLOCK,
        Ids.SEVERITY_BLOCK,
        Ids.STAGE_BLOCK,
    }
    assert answer["errors"][Ids.CLIENT_BLOCK] == "Say who the client is."
    outsider = await _log(slack_client, owner=OUTSIDER)
    assert outsider["errors"] == {Ids.OWNER_BLOCK: "The owner must be a member of the team."}
    assert await _complaints(services) == []


async def test_a_crafted_severity_gets_a_field_error_and_nothing_is_stored(clock, slack_client, services):
    """Not one of the form's options: the service checks every submission, not only the form."""
    answer = await _log(slack_client, severity="catastrophic")

    assert answer == {
        "response_action": "errors",
        "errors": {Ids.SEVERITY_BLOCK: "Choose one of the options."},
    }
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
    assert "*Stage:* After-sale" in text
    assert "First reply by:* 2026-11-16 12:00" in text, "2 h for high, shown in Shanghai time"
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


async def _press_button(services, slack_client, slack, user, action_id, complaint_id, *, wait=True):
    """Press a card button. The app answers Slack before it makes the change, so a button that
    changes the complaint at once is waited for (unless the press is meant to be refused)."""
    before = len(await _events(services))
    reply = await slack_client.interaction(_press(slack, user, action_id, complaint_id))
    assert reply.status_code == 200
    if wait and action_id in (Ids.START, Ids.CLOSE, Ids.REOPEN):
        await _more_events(services, before)
    return reply


async def _answer_client(services, slack_client, user: str, complaint_id: int, *, wait=True, **fields):
    """Acknowledge: the first reply to the client, recorded in its form."""
    before = len(await _events(services))
    values = _values(
        **({"reply_via": "phone", "reply": "Called back, apologised, refund on its way"} | fields)
    )
    reply = await slack_client.interaction(_submission(user, Ids.REPLY_FORM, values, {"id": complaint_id}))
    if wait:
        await _more_events(services, before)
    return reply


async def _resolve(services, slack_client, user: str, complaint_id: int, *, wait=True, **fields):
    before = len(await _events(services))
    given = {"cause": "The courier dropped it", "resolution": "Refunded the delivery fee"} | fields
    values = _values(**given)
    reply = await slack_client.interaction(_submission(user, Ids.RESOLVE_FORM, values, {"id": complaint_id}))
    if wait:
        await _more_events(services, before)
    return reply


def _visit(**fields) -> dict:
    """The return-visit form's state as Slack sends it."""
    given = {"day": "2026-11-17", "via": "phone", "satisfaction": "4", "comments": "Happy now"} | fields
    values = _values(satisfaction=given["satisfaction"], feedback=given["comments"])
    values[Ids.VISITED_ON_BLOCK] = {Ids.VISITED_ON: {"type": "datepicker", "selected_date": given["day"]}}
    chosen = {"text": {"type": "plain_text", "text": "x"}, "value": given["via"]} if given["via"] else None
    values[Ids.VISIT_VIA_BLOCK] = {Ids.VISIT_VIA: {"type": "static_select", "selected_option": chosen}}
    ticked = [{"text": {"type": "plain_text", "text": "x"}, "value": "unreachable"}]
    values[Ids.UNREACHABLE_BLOCK] = {
        Ids.UNREACHABLE: {
            "type": "checkboxes",
            "selected_options": ticked if given.get("unreachable") else [],
        }
    }
    return values


async def _record_visit(services, slack_client, user: str, complaint_id: int, **fields):
    before = len(await _events(services))
    reply = await slack_client.interaction(
        _submission(user, Ids.RETURN_VISIT_FORM, _visit(**fields), {"id": complaint_id})
    )
    if reply.content:
        return reply
    await _more_events(services, before)
    return reply


async def _more_events(services, before: int) -> None:
    async def changed() -> bool:
        return len(await _events(services)) > before

    await eventually(changed, within=5, every=0.02)


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
            (OWNER, Ids.ACKNOWLEDGE, "Client answered", [Ids.START, Ids.RESOLVE, Ids.REASSIGN, Ids.ESCALATE]),
            (OWNER, Ids.START, "In progress", [Ids.RESOLVE, Ids.REASSIGN, Ids.ESCALATE]),
        ]
        for number, (user, button, status, buttons) in enumerate(steps, start=1):
            clock.at += timedelta(minutes=10)
            await _press_button(services, slack_client, slack, user, button, complaint.id)
            if button == Ids.ACKNOWLEDGE:
                (opened,) = await slack.wait_for("views.open", 1)
                assert _view(opened)["callback_id"] == Ids.REPLY_FORM
                await _answer_client(services, slack_client, user, complaint.id)
            updates = await slack.wait_for("chat.update", number)
            assert updates[-1].args["ts"] == card.answer["ts"], "the card changes in place"
            assert status in _text(updates[-1].args) and _buttons(updates[-1].args) == buttons

        await _press_button(services, slack_client, slack, OWNER, Ids.RESOLVE, complaint.id)
        opened = (await slack.wait_for("views.open", 2))[-1]
        assert _view(opened)["callback_id"] == Ids.RESOLVE_FORM
        assert (await _resolve(services, slack_client, OWNER, complaint.id)).status_code == 200
        updates = await slack.wait_for("chat.update", 3)
        resolved = _text(updates[-1].args)
        assert "Resolved" in resolved and "Refunded the delivery fee" in resolved and "*Cause:*" in resolved
        assert _buttons(updates[-1].args) == [Ids.RETURN_VISIT, Ids.CLOSE, Ids.REOPEN]

        await _record_visit(services, slack_client, OWNER, complaint.id, day="2026-11-16")
        updates = await slack.wait_for("chat.update", 4)
        assert _buttons(updates[-1].args) == [Ids.CLOSE, Ids.REOPEN]

        await _press_button(services, slack_client, slack, LEAD, Ids.CLOSE, complaint.id)
        updates = await slack.wait_for("chat.update", 5)
        assert "Closed" in _text(updates[-1].args) and _buttons(updates[-1].args) == [Ids.REOPEN]

        clock.at += timedelta(days=1)
        await _press_button(services, slack_client, slack, LEAD, Ids.REOPEN, complaint.id)
        updates = await slack.wait_for("chat.update", 6)
        assert "Reopened" in _text(updates[-1].args)

        await _press_button(services, slack_client, slack, LEAD, Ids.REASSIGN, complaint.id)
        await slack.wait_for("views.open", 3)
        values = _values(owner=MEMBER)
        await slack_client.interaction(_submission(LEAD, Ids.REASSIGN_FORM, values, {"id": complaint.id}))
        updates = await slack.wait_for("chat.update", 7)
        assert f"*Owner:* <@{MEMBER}>" in _text(updates[-1].args)
        await eventually(lambda: _dm_to(slack, MEMBER), within=5)
        replies = [
            c for c in slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == card.answer["ts"]
        ]
        await eventually(lambda: _count(slack, card.answer["ts"], 7), within=5)

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
        ("return_visit", OWNER, "resolved"),
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
        await _press_button(services, slack_client, slack, MEMBER, Ids.ACKNOWLEDGE, complaint.id, wait=False)
        await _press_button(services, slack_client, slack, OUTSIDER, Ids.RESOLVE, complaint.id)
        await _press_button(services, slack_client, slack, OWNER, Ids.CLOSE, complaint.id, wait=False)
        await slack.wait_for("response_url", 3)
    answers = _responses(slack)
    assert "Only the owner of C-2026-0001 can do that." in answers
    assert "C-2026-0001 is handled by a team you are not in, so you cannot act on it." in answers
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
        await _resolve(services, slack_client, OUTSIDER, complaint.id, wait=False)
        (refused,) = await slack.wait_for("chat.postEphemeral", 1)
    assert refused.args["user"] == OUTSIDER and "a team you are not in" in refused.args["text"]
    assert (await _one(services)).status == "new"


async def test_the_reporter_may_reopen_within_seven_days(clock, slack_client, slack, services):
    await _log(slack_client, user=MEMBER)
    complaint = await _one(services)
    await _answer_client(services, slack_client, OWNER, complaint.id)
    await _resolve(services, slack_client, OWNER, complaint.id)

    clock.at += timedelta(days=8)
    async with sending(services):
        await _press_button(services, slack_client, slack, MEMBER, Ids.REOPEN, complaint.id, wait=False)
        await slack.wait_for("response_url", 1)
    assert "the person who logged it within 7 days" in _responses(slack)[0]
    assert (await _one(services)).status == "resolved"

    clock.at -= timedelta(days=2)
    await _press_button(services, slack_client, slack, MEMBER, Ids.REOPEN, complaint.id)
    assert (await _one(services)).status == "reopened"


async def test_two_resolving_at_once_one_wins_the_other_is_told_who(clock, slack_client, slack, services):
    await _log(slack_client)
    complaint = await _one(services)
    await _answer_client(services, slack_client, OWNER, complaint.id)

    async with sending(services):
        await asyncio.gather(
            _resolve(
                services, slack_client, OWNER, complaint.id, wait=False, resolution="Owner refunded the fee"
            ),
            _resolve(
                services, slack_client, LEAD, complaint.id, wait=False, resolution="Lead called the client"
            ),
        )
        (told,) = await slack.wait_for("chat.postEphemeral", 1)
        await eventually(lambda: _resolved(services), within=5)

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


async def test_text_over_its_limit_gets_a_field_error_and_nothing_changes(
    clock, slack_client, slack, services
):
    """Every free-text field of every complaint form, checked on the server against the one table."""
    slack.profiles[OWNER] = {"locale": "zh-TW"}
    too_long = await _log(
        slack_client, user=OWNER, client="c" * 201, contact="+86 " * 60, description="d" * 3001
    )
    assert too_long == {
        "response_action": "errors",
        "errors": {
            block: "內容太長。" for block in (Ids.CLIENT_BLOCK, Ids.CONTACT_BLOCK, Ids.DESCRIPTION_BLOCK)
        },
    }
    assert await _complaints(services) == []

    await _log(slack_client)
    complaint = await _one(services)
    await _answer_client(services, slack_client, OWNER, complaint.id)
    acknowledged = await _one(services)
    resolved = await _resolve(services, slack_client, OWNER, complaint.id, wait=False, client_told="f" * 3001)
    assert resolved.json()["errors"] == {Ids.CLIENT_TOLD_BLOCK: "內容太長。"}
    reason = _values(reason="r" * 3001)
    escalated = await slack_client.interaction(
        _submission(LEAD, Ids.ESCALATE_FORM, reason, {"id": complaint.id})
    )
    assert escalated.json()["errors"] == {Ids.REASON_BLOCK: "This is too long."}
    after = await _one(services)
    assert (after.status, after.version, after.client_told) == ("acknowledged", acknowledged.version, "")
    assert [kind for kind, _, _ in await _events(services)] == ["logged", "acknowledge"]


async def _resolved(services) -> bool:
    return any(kind == "resolve" for kind, _, _ in await _events(services))


async def test_a_member_escalates_by_hand_to_the_people_above_the_leads(clock, slack_client, slack, services):
    await _log(slack_client)
    complaint = await _one(services)
    async with sending(services):
        await _press_button(services, slack_client, slack, MEMBER, Ids.ESCALATE, complaint.id)
        (opened,) = await slack.wait_for("views.open", 1)
        assert _view(opened)["callback_id"] == Ids.ESCALATE_FORM
        short = await slack_client.interaction(
            _submission(MEMBER, Ids.ESCALATE_FORM, _values(reason=""), {"id": complaint.id})
        )
        assert short.json()["errors"] == {Ids.REASON_BLOCK: "Give the reason for reporting it upward."}
        values = _values(reason="Client threatens to go to the press")
        await slack_client.interaction(_submission(MEMBER, Ids.ESCALATE_FORM, values, {"id": complaint.id}))
        await eventually(lambda: _dm_to(slack, MANAGER), within=5)
        await eventually(lambda: _dm_to(slack, DEPUTY), within=5)

    dms = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "D01MGR"]
    assert "Client threatens to go to the press" in _text(dms[0].args)
    assert ("escalate", MEMBER, "new") in await _events(services)
    assert not [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "D01AAA"], (
        "not the lead"
    )


# -- the SLA ladder --------------------------------------------------------------------------------


async def _sweep(services, clock, at: datetime) -> list[str]:
    clock.at = at
    return await run_job(services, "complaint-sla", team_key="cs-east", at=at)


async def _notices(services, prefix: str) -> list[str]:
    async with services.db.reader() as session:
        keys = await session.scalars(select(OutboxRow.key).where(OutboxRow.key.startswith(prefix)))
        return sorted(keys)


async def _fired(services) -> list[tuple[str, int]]:
    async with services.db.reader() as session:
        rows = await session.execute(
            select(ComplaintEscalation.deadline, ComplaintEscalation.level).order_by(ComplaintEscalation.id)
        )
        return [tuple(r) for r in rows]


async def test_the_ladder_fires_each_step_once(clock, slack_client, slack, services, app_url):
    """High: acknowledge within 2 h. Due soon at 1.5 h, owner at 2 h, leads at 3 h, managers at 4 h;
    each sweep at those instants is run twice, and nothing is told twice."""
    await _log(slack_client)
    complaint = await _one(services)
    assert complaint.next_escalation_at == MONDAY + timedelta(minutes=90)

    async with sending(services):
        assert await _sweep(services, clock, MONDAY + timedelta(hours=1)) == ["cs-east: no complaint due"]
        expected = [
            (timedelta(minutes=90), [("acknowledge", 0)]),
            (timedelta(hours=2), [("acknowledge", 0), ("acknowledge", 1)]),
            (timedelta(hours=3), [("acknowledge", 0), ("acknowledge", 1), ("acknowledge", 2)]),
            (timedelta(hours=4), [("acknowledge", n) for n in range(4)]),
        ]
        for after, fired in expected:
            await _sweep(services, clock, MONDAY + after)
            again = await _sweep(services, clock, MONDAY + after)
            assert again == ["cs-east: no complaint due"], f"at +{after}: nothing left to do"
            assert await _fired(services) == fired
        await eventually(lambda: _dm_to(slack, DEPUTY), within=5)
        card = await _card(slack)
        await slack.wait_for("chat.update", 1)

    owner_dms = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "D01BBB"]
    texts = [_text(c.args) for c in owner_dms]
    assert sum("is due soon" in t for t in texts) == 1
    assert sum("is overdue" in t for t in texts) == 1
    (update,) = slack.calls_to("chat.update")
    assert update.args["ts"] == card.answer["ts"] and "Overdue" in _text(update.args)
    (leads,) = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == DIGEST]
    assert "well past its deadline to answer the client" in _text(leads.args)
    assert "Acme" not in _text(leads.args), "no client details in the leads' channel"
    for manager in ("D01MGR", "D01DEP"):
        (told,) = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == manager]
        assert "still not done" in _text(told.args)
    assert len(await _notices(services, "complaint-sla:")) == 5  # owner 2, leads 1, managers 2
    samples = await scrape(app_url)
    for level in range(4):  # each step counted once, though every sweep ran twice
        assert samples[("teamops_sla_steps_total", (("deadline", "acknowledge"), ("level", str(level))))] == 1

    after = await _one(services)
    resolve_due_soon = MONDAY + timedelta(days=3) * 3 / 4
    assert after.next_escalation_at == resolve_due_soon, "the resolve deadline's ladder is next"


async def test_an_away_owners_steps_go_to_the_stand_in_and_new_complaints_skip_them(
    clock, slack_client, slack, services
):
    """domain.md section 3: someone away gets no complaint by default, and the ladder's steps meant
    for them go to the default owner (else the first lead), saying on whose behalf."""
    away = await slack_client.command(LEAD, "/team", f"away <@{OWNER}> until 2026-11-20")
    assert "away until 2026-11-20" in _text(away.json())

    await slack_client.command(MEMBER, "/complaint", "Invoice was charged twice")
    (opened,) = await slack.wait_for("views.open", 1)
    blocks = {b["block_id"]: b for b in _view(opened)["blocks"] if b["type"] == "input"}
    assert blocks[Ids.OWNER_BLOCK]["element"]["initial_user"] == LEAD, "the default owner is away"

    await _log(slack_client, owner=OWNER)  # someone may still choose them
    async with sending(services):
        await _sweep(services, clock, MONDAY + timedelta(minutes=90))
        await eventually(lambda: _dm_to(slack, LEAD), within=5)
    (told,) = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "D01AAA"]
    assert _text(told.args).startswith("On behalf of <@U01BBB>, who is away")
    assert "is due soon" in _text(told.args)
    to_owner = [_text(c.args) for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "D01BBB"]
    assert not [t for t in to_owner if "is due soon" in t], "no step to the owner while they are away"

    clock.at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # back on Monday: their own steps again
    await _log(slack_client, owner=OWNER)
    async with sending(services):
        await _sweep(services, clock, clock.at + timedelta(minutes=90))

        async def owner_told() -> bool:
            return any(
                "is due soon" in _text(c.args)
                for c in slack.calls_to("chat.postMessage")
                if c.args["channel"] == "D01BBB"
            )

        await eventually(owner_told, within=5)


async def test_acknowledging_stops_its_ladder(clock, slack_client, slack, services):
    await _log(slack_client)
    complaint = await _one(services)
    clock.at = MONDAY + timedelta(minutes=30)
    await _answer_client(services, slack_client, OWNER, complaint.id)

    assert (await _one(services)).next_escalation_at == MONDAY + timedelta(days=3) * 3 / 4
    assert await _sweep(services, clock, MONDAY + timedelta(hours=5)) == ["cs-east: no complaint due"]
    assert await _fired(services) == []


async def test_a_sweep_after_an_outage_fires_each_missed_step_once(clock, slack_client, services):
    await _log(slack_client)
    await _sweep(services, clock, MONDAY + timedelta(hours=5))
    again = await _sweep(services, clock, MONDAY + timedelta(hours=5, minutes=1))
    assert again == ["cs-east: no complaint due"], "the unsent 'due soon' keeps nothing waiting"
    assert await _fired(services) == [("acknowledge", n) for n in range(1, 4)], "no late 'due soon'"
    told = await _notices(services, "complaint-sla:1:acknowledge:")
    levels = [key.split(":")[3] for key in told]
    assert levels == ["1", "2", "3", "3"], "no late 'due soon' once overdue (level 3: the manager and deputy)"


async def test_business_hours_skip_the_weekend_and_a_holiday(
    clock, slack_client, slack, services, import_roster
):
    """Logged Friday 17:50 with 2 h to acknowledge, business hours 09:00-18:00 Mon-Fri and Monday a
    holiday: due Tuesday 10:50. Nothing fires over the weekend."""
    sla = {
        "default_owner": OWNER,
        "business_hours": {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00"},
        "holidays": ["2026-11-23"],
    }
    await import_roster({"teams": [TEAM | {"complaint_sla": sla}]})
    clock.at = datetime(2026, 11, 20, 9, 50, tzinfo=UTC)  # Friday 17:50 in Shanghai
    await _log(slack_client)
    complaint = await _one(services)

    tuesday = datetime(2026, 11, 24, 2, 50, tzinfo=UTC)  # 10:50 in Shanghai
    assert complaint.acknowledge_due == tuesday
    assert complaint.next_escalation_at == tuesday - timedelta(minutes=30), "75% of 2 working hours"
    for day in (21, 22, 23):  # Saturday, Sunday, the holiday
        await _sweep(services, clock, datetime(2026, 11, day, 8, 0, tzinfo=UTC))
    assert await _fired(services) == []
    await _sweep(services, clock, tuesday)
    assert await _fired(services) == [("acknowledge", 1)], "at the deadline, no late 'due soon'"
    async with sending(services):
        card = await _card(slack)
    assert "First reply by:* 2026-11-24 10:50" in _text(card.args)


async def test_the_team_calendar_moves_a_business_hours_deadline_over_a_holiday_to_a_make_up_saturday(
    clock, slack_client, slack, services, import_roster
):
    """Logged Thursday 17:50 with 2 h to acknowledge, business hours 09:00-18:00: Friday is a
    holiday and Saturday a make-up working day (调休) in the team's one calendar, so the deadline is
    Saturday 10:50 (not Friday 10:50, not Monday 10:50), and the owner is told then."""
    calendar = {"holidays": ["2026-11-20"], "workdays": ["2026-11-21"]}
    sla = {"default_owner": OWNER, "business_hours": {"from": "09:00", "to": "18:00"}}
    await import_roster({"teams": [TEAM | {"calendar": calendar, "complaint_sla": sla}]})
    clock.at = datetime(2026, 11, 19, 9, 50, tzinfo=UTC)  # Thursday 17:50 in Shanghai
    await _log(slack_client)
    complaint = await _one(services)

    saturday = datetime(2026, 11, 21, 2, 50, tzinfo=UTC)  # 10:50 in Shanghai
    assert complaint.acknowledge_due == saturday
    await _sweep(services, clock, datetime(2026, 11, 20, 8, 0, tzinfo=UTC))  # the holiday, 16:00
    assert await _fired(services) == []
    await _sweep(services, clock, saturday)
    assert await _fired(services) == [("acknowledge", 1)]
    async with sending(services):
        card = await _card(slack)
    assert "First reply by:* 2026-11-21 10:50" in _text(card.args)


async def test_reopening_restarts_the_resolve_clock(clock, slack_client, slack, services):
    await _log(slack_client)
    complaint = await _one(services)
    await _answer_client(services, slack_client, OWNER, complaint.id)
    await _resolve(services, slack_client, OWNER, complaint.id)
    resolved = await _one(services)
    assert resolved.next_escalation_at == resolved.return_visit_due, "only the return visit is left"

    clock.at = MONDAY + timedelta(days=5)
    await _press_button(services, slack_client, slack, LEAD, Ids.REOPEN, complaint.id)
    reopened = await _one(services)
    assert reopened.resolve_due == clock.at + timedelta(days=3)
    assert reopened.next_escalation_at == clock.at + timedelta(days=3) * 3 / 4
    await _sweep(services, clock, reopened.resolve_due)
    assert await _fired(services) == [("resolve", 1)], "at the deadline, no late 'due soon'; no visit"


async def test_a_new_window_does_not_move_a_logged_complaints_ladder(
    clock, slack_client, slack, services, import_roster
):
    """Logged with 2 h to acknowledge; a roster re-import then gives high complaints 1 h. The stored
    deadline stands for the card and the sweep alike: the owner step fires once, at it."""
    await _log(slack_client)
    new_windows = {"default_owner": OWNER, "high": {"acknowledge": "1h", "resolve": "2d"}}
    await import_roster({"teams": [TEAM | {"complaint_sla": new_windows}]})
    stored = MONDAY + timedelta(hours=2)
    assert (await _one(services)).acknowledge_due == stored

    await _sweep(services, clock, MONDAY + timedelta(minutes=90))
    assert await _fired(services) == [("acknowledge", 0)], "due soon at 75% of the stored 2 h"
    for _ in range(2):
        await _sweep(services, clock, stored)
    assert await _fired(services) == [("acknowledge", 0), ("acknowledge", 1)]

    (owner_step,) = await _notices(services, "complaint-sla:1:acknowledge:1:")
    assert owner_step.endswith(stored.isoformat()), "the step of the stored deadline"
    assert [kind for kind, _, _ in await _events(services)].count("sla.acknowledge.1") == 1
    assert (await _one(services)).next_escalation_at == stored + timedelta(hours=1), "leads at 3 h"
    async with sending(services):
        await slack.wait_for("chat.update", 1)
    assert "First reply by:* 2026-11-16 12:00" in _text(slack.calls_to("chat.update")[0].args)


# -- show and list ---------------------------------------------------------------------------------


async def test_show_gives_members_the_card_and_trail_and_refuses_others(clock, slack_client, slack, services):
    await _log(slack_client)
    complaint = await _one(services)
    clock.at += timedelta(minutes=5)
    await _answer_client(services, slack_client, OWNER, complaint.id)

    shown = await slack_client.command(LEAD, "/complaint", "show c-2026-0001")
    refused = await slack_client.command(OUTSIDER, "/complaint", "show C-2026-0001")
    unknown = await slack_client.command(LEAD, "/complaint", "show C-2026-0099")

    answer = shown.json()
    validate_message(answer)
    text = _text(answer)
    assert "*Client contact:* +86 21 5555 0101" in text, "members see the contact"
    assert "*Stage:* After-sale" in text
    assert f"`2026-11-16 10:00` <@{MEMBER}> · logged" in text
    assert f"`2026-11-16 10:05` <@{OWNER}> · first reply to the client → Client answered" in text
    assert refused.json()["text"].startswith("There is no complaint C-2026-0001 that you can see")
    assert "+86" not in refused.text and "Acme" not in refused.text
    assert unknown.json()["text"].startswith("There is no complaint C-2026-0099 that you can see")


async def test_show_answers_an_outsider_the_same_for_an_unknown_and_another_teams_reference(
    clock, slack_client, services, import_roster
):
    """Nobody outside a team can tell from the answer whether a reference exists."""
    other = {**TEAM, "key": "other", "name": "Other", "members": [{"user": OUTSIDER, "role": "lead"}]}
    await import_roster({"teams": [TEAM, other | {"complaint_sla": {}}]})
    await _log(slack_client)
    assert (await _one(services)).reference == "C-2026-0001"

    answers = []
    for typed in ("C-2026-0001", "C-2026-0002", "c-2026-0001", "c-2026-0002"):
        reply = await slack_client.command(OUTSIDER, "/complaint", f"show {typed}")
        answers.append(reply.json())
    existing, unknown, existing_lower, unknown_lower = answers
    assert existing == {**unknown, "text": unknown["text"].replace("0002", "0001")}
    assert existing_lower == existing and unknown_lower == unknown
    assert set(existing) == {"response_type", "text"}


async def test_a_long_text_is_never_split_inside_an_entity(clock, slack_client, services):
    await _log(slack_client, description="a" + "&" * 2999)

    answer = (await slack_client.command(LEAD, "/complaint", "show C-2026-0001")).json()

    validate_message(answer)
    parts = [b["text"]["text"] for b in _blocks(answer) if b["type"] == "section"]
    description = [p for p in parts if "&amp;" in p]
    assert len(description) > 1, "the description takes several sections"
    for part in description:
        assert part.count("&") == part.count("&amp;"), f"an entity cut in two: ...{part[-8:]!r}"


async def test_list_open_overdue_and_mine(clock, slack_client, slack, services):
    await _log(slack_client, client="First")
    await _log(slack_client, client="Second", owner=LEAD)
    clock.at += timedelta(hours=3)

    listed = {
        which: _text((await slack_client.command(OWNER, "/complaint", f"list {which}")).json())
        for which in ("open", "overdue", "mine")
    }

    assert "C-2026-0001" in listed["open"] and "C-2026-0002" in listed["open"]
    assert "C-2026-0001" in listed["overdue"] and "Overdue" in listed["overdue"]
    assert "C-2026-0001" in listed["mine"] and "C-2026-0002" not in listed["mine"]
    stranger = await slack_client.command(OUTSIDER, "/complaint", "list")
    assert "not in a team" in stranger.json()["text"]


async def test_help_shows_usage(clock, slack_client):
    text = _text((await slack_client.command(MEMBER, "/complaint", "help")).json())
    assert "/complaint list [open|overdue|mine]" in text


# -- the weekly summary ----------------------------------------------------------------------------


async def test_the_weekly_summary_counts_without_client_details(clock, slack_client, slack, services):
    """Four complaints in the week to Monday 23 November 09:00 (Shanghai): one acknowledged and
    resolved in time, one acknowledged late and resolved late, a medium one never acknowledged, and a
    critical one logged on Sunday, still new: both overdue. The two resolved ones get their return
    visit (satisfaction 5; the other client unreachable). The leads' channel and, by DM, the manager
    and the deputy above them get the summary."""
    week_start = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
    clock.at = week_start + timedelta(hours=1)
    await _log(slack_client, client="On time", category="billing", severity="high")
    await _log(slack_client, client="Late", category="delivery", severity="high")
    await _log(slack_client, client="Open", category="delivery", severity="medium")
    first, late, _ = await _complaints(services)
    clock.at += timedelta(hours=1)
    await _answer_client(services, slack_client, OWNER, first.id)
    await _resolve(services, slack_client, OWNER, first.id)
    clock.at += timedelta(hours=4)
    await _answer_client(services, slack_client, OWNER, late.id)
    clock.at += timedelta(days=4)
    await _resolve(services, slack_client, OWNER, late.id)
    await _record_visit(services, slack_client, OWNER, first.id, day="2026-11-20", satisfaction="5")
    await _record_visit(
        services,
        slack_client,
        OWNER,
        late.id,
        day="2026-11-20",
        unreachable=True,
        satisfaction=None,
        comments="No answer twice",
    )
    clock.at = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    await _log(slack_client, client="Critical one", category="service", severity="critical")

    monday = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    clock.at = monday
    (line,) = await run_job(services, "complaint-summary", team_key="cs-east", at=monday)
    assert line == f"cs-east: week to {monday.isoformat()}: 4 new, 2 open, 2 resolved"
    async with sending(services):
        await eventually(lambda: _posted_in(slack, DIGEST, "Complaints ·"), within=5)
        await eventually(lambda: _dm_to(slack, DEPUTY), within=5)

    posted = [c for c in slack.calls_to("chat.postMessage") if "Complaints ·" in c.args["text"]]
    assert sorted(c.args["channel"] for c in posted) == sorted([DIGEST, "D01MGR", "D01DEP"])
    assert len({_text(c.args) for c in posted}) == 1, "the same summary to each"
    text = _text(posted[0].args)
    assert "*Complaints · Customer Service East · 2026-11-16 to 2026-11-23*" in text
    assert "New 4 · open 2 · overdue 2 · resolved 2" in text
    # acknowledge: on time; late; the medium and the critical one's deadlines passed in the week
    assert "*Client answered in time:* 25% (1 of 4)" in text
    # resolve: on time; late; the medium one's 5 days passed; the critical one's day is not over
    assert "*Resolved in time:* 33% (1 of 3)" in text
    assert "*New by severity:* Critical 1, High 2, Medium 1" in text
    assert "*New by category:* Service 1, Billing 1, Delivery 2" in text
    assert "*Return visits done:* 2 (1 client(s) unreachable) · *client satisfaction:* 5" in text
    for client in ("On time", "Late", "Open", "Critical one", "+86"):
        assert client not in text


async def _posted_in(slack, channel: str, words: str) -> bool:
    return any(
        c.args["channel"] == channel and words in c.args["text"] for c in slack.calls_to("chat.postMessage")
    )


async def test_a_member_of_two_teams_picks_one_and_gets_its_default_owner(
    clock, slack_client, slack, services, import_roster
):
    west = {
        **TEAM,
        "key": "cs-west",
        "name": "Customer Service West",
        "channel": "C0WEST001",
        "digest_channel": "C0WEST002",
        "members": [{"user": "U01WLEAD", "role": "lead"}, {"user": MEMBER, "role": "member"}],
        "complaint_sla": {},
    }
    await import_roster({"teams": [TEAM, west]})

    await slack_client.command(MEMBER, "/complaint")
    (opened,) = await slack.wait_for("views.open", 1)
    blocks = {b["block_id"]: b for b in _view(opened)["blocks"] if b["type"] == "input"}
    assert [o["value"] for o in blocks[Ids.TEAM_BLOCK]["element"]["options"]] == ["cs-east", "cs-west"]
    assert "initial_user" not in blocks[Ids.OWNER_BLOCK]["element"]

    n = next(_ids)
    option = {"text": {"type": "plain_text", "text": "West"}, "value": "cs-west"}
    pick = {
        **_interaction("block_actions", MEMBER, n),
        "container": {"type": "view", "view_id": "V0FORM001"},
        "view": {
            "id": "V0FORM001",
            "type": "modal",
            "callback_id": Ids.FORM,
            "private_metadata": "{}",
            "state": {"values": _values(description="Typed before picking")},
        },
        "actions": [
            {
                "type": "static_select",
                "action_id": Ids.TEAM,
                "block_id": Ids.TEAM_BLOCK,
                "selected_option": option,
                "action_ts": "1700000003.000000",
            }
        ],
    }
    assert (await slack_client.interaction(pick)).status_code == 200
    (updated,) = await slack.wait_for("views.update", 1)
    blocks = {b["block_id"]: b for b in _view(updated)["blocks"] if b["type"] == "input"}
    assert blocks[Ids.OWNER_BLOCK]["element"]["initial_user"] == "U01WLEAD", "the west team's first lead"
    assert blocks[Ids.DESCRIPTION_BLOCK]["element"]["initial_value"] == "Typed before picking"

    values = _values(**(VALID | {"owner": "U01WLEAD", "team": "cs-west"}))
    await slack_client.interaction(_submission(MEMBER, Ids.FORM, values, {"team": None}))
    async with sending(services):
        await eventually(lambda: _posted_in(slack, "C0WEST001", "C-2026-0001"), within=5)
    missing = await slack_client.interaction(_submission(MEMBER, Ids.FORM, _values(**VALID), {"team": None}))
    assert missing.json()["errors"] == {Ids.TEAM_BLOCK: "Choose the team that handles it."}


async def test_overlapping_sweeps_fire_each_step_once(clock, slack_client, services):
    """Two processes' sweeps at once (a lease handover): the row lock and the unique step key decide."""
    await _log(slack_client)
    clock.at = MONDAY + timedelta(hours=4)
    await asyncio.gather(
        *(run_job(services, "complaint-sla", team_key="cs-east", at=clock.at) for _ in range(3))
    )

    assert await _fired(services) == [("acknowledge", n) for n in range(1, 4)], "no late 'due soon'"
    assert len(await _notices(services, "complaint-sla:")) == 4  # owner overdue, leads, manager, deputy


async def test_a_step_is_recorded_once_under_its_unique_key(clock, slack_client, services):
    """What the overlap test above cannot show on SQLite, where the writer lock makes the sweeps take
    turns: the unique (complaint, deadline, level, due_at) key itself refuses the second record."""
    await _log(slack_client)
    complaint = await _one(services)
    step = {"deadline": "acknowledge", "level": 1, "due_at": complaint.acknowledge_due}

    recorded = []
    for minute in (0, 1):  # two sweeps, one after the other
        async with services.unit_of_work() as session:
            at = complaint.acknowledge_due + timedelta(minutes=minute)
            recorded.append(await repo.record_step(session, complaint.id, **step, at=at))

    assert recorded == [True, False]
    assert await _fired(services) == [("acknowledge", 1)]


# -- an owner who leaves the team ------------------------------------------------------------------


async def test_an_owner_removed_from_the_team_acts_on_nothing_and_their_complaints_go_on(
    clock, slack_client, slack, services
):
    """`/team remove` of the owner: the team's default owner is the one leaving, so the first lead
    takes the complaint, with a note on the card; the one who left is refused everything (in their
    language) and the SLA ladder tells the new owner, never them."""
    slack.profiles[OWNER] = {"locale": "zh-TW"}
    await _log(slack_client)
    await _log(slack_client, client="Stays with its owner", owner=MEMBER)
    removal = await slack_client.command(LEAD, "/team", f"remove <@{OWNER}>")
    assert removal.status_code == 200 and "error" not in removal.text.lower()

    moved, other = await _complaints(services)
    assert (moved.owner_id, other.owner_id) == (LEAD, MEMBER)
    assert (moved.status, moved.acknowledged_at) == ("new", None)
    async with sending(services):
        await eventually(lambda: _dm_to(slack, LEAD), within=5)
        (update,) = await slack.wait_for("chat.update", 1)
        assert f"*Owner:* <@{LEAD}>" in _text(update.args)
        note = await _thread_reply(slack, "is no longer in the team")
        assert f"<@{OWNER}> is no longer in the team" in note and f"default owner, <@{LEAD}>" in note

        # A refusal is told once per person and instant: each waits for the one before.
        for number, button in enumerate((Ids.ACKNOWLEDGE, Ids.RESOLVE, Ids.REASSIGN, Ids.START), 1):
            clock.at += timedelta(seconds=1)
            await _press_button(services, slack_client, slack, OWNER, button, moved.id, wait=False)
            await slack.wait_for("response_url", number)
        clock.at += timedelta(seconds=1)
        await _resolve(services, slack_client, OWNER, moved.id, wait=False)
        (told,) = await slack.wait_for("chat.postEphemeral", 1)
    refusal = "C-2026-0001 由您不在的小組處理，您無法對它進行操作。"
    assert _responses(slack) == [refusal] * 4
    assert told.args["user"] == OWNER and told.args["text"] == refusal
    assert not slack.calls_to("views.open"), "no form for someone who left"
    after = await _one_by_id(services, moved.id)
    assert (after.status, after.owner_id, after.version) == ("new", LEAD, moved.version)
    assert [(k, a) for k, a, _ in await _events(services)][-1] == ("handover", LEAD)

    slack.calls.clear()
    async with sending(services):
        await _sweep(services, clock, MONDAY + timedelta(hours=2))
        await eventually(lambda: _dm_to(slack, LEAD), within=5)
    assert not await _dm_to(slack, OWNER), "no SLA DM to someone no longer in the team"
    shown = await slack_client.command(LEAD, "/complaint", "show C-2026-0001")
    assert f"handed over from <@{OWNER}>, who left the team, to <@{LEAD}>" in _text(shown.json())


async def test_a_roster_import_without_the_owner_hands_their_complaints_over(
    clock, slack_client, slack, services, import_roster
):
    await _log(slack_client)
    without_owner = [m for m in TEAM["members"] if m["user"] != OWNER]
    await import_roster(
        {"teams": [TEAM | {"members": without_owner, "complaint_sla": {"default_owner": MEMBER}}]}
    )

    complaint = await _one(services)
    assert complaint.owner_id == MEMBER, "the default owner the file gives now"
    async with sending(services):
        await eventually(lambda: _dm_to(slack, MEMBER), within=5)
        note = await _thread_reply(slack, "is no longer in the team")
        assert f"default owner, <@{MEMBER}>" in note
        await _press_button(services, slack_client, slack, OWNER, Ids.ACKNOWLEDGE, complaint.id, wait=False)
        await slack.wait_for("response_url", 1)
    assert "is handled by a team you are not in" in _responses(slack)[0]
    assert (await _one(services)).acknowledged_at is None
    shown = _text((await slack_client.command(LEAD, "/complaint", "show C-2026-0001")).json())
    assert f"Roster import · handed over from <@{OWNER}>" in shown


async def _thread_reply(slack, words: str) -> str:
    async def posted() -> bool:
        return any(words in c.args.get("text", "") for c in slack.calls_to("chat.postMessage"))

    await eventually(posted, within=5)
    return next(c.args["text"] for c in slack.calls_to("chat.postMessage") if words in c.args["text"])


async def _one_by_id(services, complaint_id: int) -> Complaint:
    return next(c for c in await _complaints(services) if c.id == complaint_id)
