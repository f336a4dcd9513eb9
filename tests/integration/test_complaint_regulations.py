"""/complaint as the revised regulations have it (domain.md section 3), over signed HTTP against the
real app and the fake Slack Web API: the front desk logging for another team, the first reply to the
client, cause and countermeasure, the return visit before closing and its ladder, escalation by
anyone in the team to the people above the leads."""

from __future__ import annotations

from bot.ids import Complaint as Ids
from tests.integration.test_complaints import (
    CHANNEL,
    OWNER,
    TEAM,
    VALID,
    _complaints,
    _submission,
    _text,
    _values,
    _view,
    clock,
)
from tests.support import eventually, sending

__all__ = ["clock"]

FRONT_DESK = "U01DESK"
FRONT_OFFICE = {
    "key": "front-office",
    "name": "Front Office",
    "channel": "C0FRONT01",
    "digest_channel": "C0FRONT02",
    "timezone": "Asia/Shanghai",
    "locale": "en",
    "members": [
        {"user": "U01FLEAD", "role": "lead"},
        {"user": FRONT_DESK, "role": "member", "title": "前台文员"},
    ],
}


async def test_the_front_desk_logs_for_customer_service(clock, slack_client, slack, services, import_roster):
    """The front desk is in another team: the form lists its own team first, then every other; the
    complaint goes to customer service's channel and owner, and the front desk is told its reference."""
    await import_roster({"teams": [TEAM, FRONT_OFFICE]})
    slack.profiles[FRONT_DESK] = {"locale": "en-US"}

    await slack_client.command(FRONT_DESK, "/complaint", "Client called: parcel arrived broken")
    (opened,) = await slack.wait_for("views.open", 1)
    blocks = {b["block_id"]: b for b in _view(opened)["blocks"] if b["type"] == "input"}
    groups = blocks[Ids.TEAM_BLOCK]["element"]["option_groups"]
    assert [g["label"]["text"] for g in groups] == ["Your teams", "Other teams"]
    assert [[o["value"] for o in g["options"]] for g in groups] == [["front-office"], ["cs-east"]]

    values = _values(**(VALID | {"team": "cs-east"}))
    reply = await slack_client.interaction(
        _submission(FRONT_DESK, Ids.FORM, values, {"team": "front-office"})
    )
    assert reply.status_code == 200 and not reply.content
    async with sending(services):
        await eventually(lambda: _dm_to(slack, FRONT_DESK), within=5)
        await eventually(lambda: _posted_in(slack, CHANNEL, "C-2026-0001"), within=5)

    (complaint,) = await _complaints(services)
    assert (complaint.reporter_id, complaint.owner_id) == (FRONT_DESK, OWNER)
    (told,) = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "D01DESK"]
    assert "*C-2026-0001* is logged and passed to Customer Service East" in _text(told.args)
    assert not [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "C0FRONT01"]


async def _dm_to(slack, user: str) -> bool:
    channel = "D" + user.lstrip("UW")
    return any(c.args.get("channel") == channel for c in slack.calls_to("chat.postMessage"))


async def _posted_in(slack, channel: str, words: str) -> bool:
    return any(
        c.args["channel"] == channel and words in c.args["text"] for c in slack.calls_to("chat.postMessage")
    )
