"""/complaint as the revised regulations have it (domain.md section 3), over signed HTTP against the
real app and the fake Slack Web API: the front desk logging for another team, the first reply to the
client, cause and countermeasure, the return visit before closing and its ladder, escalation by
anyone in the team to the people above the leads."""

from __future__ import annotations

from datetime import timedelta

from bot.ids import Complaint as Ids
from tests.integration.test_complaints import (
    CHANNEL,
    DIGEST,
    LEAD,
    MONDAY,
    OWNER,
    TEAM,
    VALID,
    _answer_client,
    _complaints,
    _events,
    _fired,
    _log,
    _one,
    _press_button,
    _record_visit,
    _resolve,
    _responses,
    _submission,
    _sweep,
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


async def test_acknowledging_is_the_first_reply_to_the_client(clock, slack_client, slack, services):
    """The owner records when, how and what the client was told; the acknowledge deadline measures
    the reply's time, and the card and the trail say how the client was answered."""
    await _log(slack_client)
    complaint = await _one(services)
    clock.at = MONDAY + timedelta(minutes=40)

    async with sending(services):
        await _press_button(services, slack_client, slack, OWNER, Ids.ACKNOWLEDGE, complaint.id)
        (opened,) = await slack.wait_for("views.open", 1)
        form = _view(opened)
        assert form["callback_id"] == Ids.REPLY_FORM
        assert [b["block_id"] for b in form["blocks"] if b["type"] == "input"] == [
            Ids.REPLIED_AT_BLOCK,
            Ids.REPLY_VIA_BLOCK,
            Ids.REPLY_BLOCK,
        ]
        empty = await _answer_client(
            services, slack_client, OWNER, complaint.id, wait=False, reply_via=None, reply=""
        )
        assert empty.json()["errors"] == {
            Ids.REPLY_VIA_BLOCK: "Choose one of the options.",
            Ids.REPLY_BLOCK: "Say what the client was told, in a few words at least.",
        }
        future = await _answer_client(
            services, slack_client, OWNER, complaint.id, wait=False, replied_at=clock.at + timedelta(hours=1)
        )
        assert future.json()["errors"] == {
            Ids.REPLIED_AT_BLOCK: "Give a time between the logging of the complaint and now."
        }
        assert (await _one(services)).status == "new", "nothing was stored"

        await _answer_client(
            services,
            slack_client,
            OWNER,
            complaint.id,
            replied_at=MONDAY + timedelta(minutes=20),
            reply_via="phone",
            reply="Apologised; a courier collects the parcel tomorrow",
        )
        (update,) = await slack.wait_for("chat.update", 1)

    answered = await _one(services)
    assert answered.status == "acknowledged"
    assert answered.acknowledged_at == MONDAY + timedelta(minutes=20), "the reply's time, not the click's"
    card = _text(update.args)
    assert "Client answered" in card
    assert "*First reply to the client:* 2026-11-16 10:20, Phone: Apologised; a courier collects" in card
    shown = _text((await slack_client.command(LEAD, "/complaint", "show C-2026-0001")).json())
    assert "*First reply to the client:* 2026-11-16 10:20, Phone" in shown
    assert f"<@{OWNER}> · first reply to the client → Client answered: Apologised" in shown


async def test_resolving_records_cause_countermeasure_and_what_the_client_was_told(
    clock, slack_client, slack, services
):
    """The resolve form asks why it happened and what changes so it does not recur (both required)
    and what the client was told; it no longer asks the resolver for the client's satisfaction."""
    await _log(slack_client)
    complaint = await _one(services)
    await _answer_client(services, slack_client, OWNER, complaint.id)

    async with sending(services):
        await _press_button(services, slack_client, slack, OWNER, Ids.RESOLVE, complaint.id)
        (opened,) = await slack.wait_for("views.open", 1)
        form = _view(opened)
        assert [b["block_id"] for b in form["blocks"] if b["type"] == "input"] == [
            Ids.CAUSE_BLOCK,
            Ids.RESOLUTION_BLOCK,
            Ids.CLIENT_TOLD_BLOCK,
        ]
        empty = await _resolve(
            services, slack_client, OWNER, complaint.id, wait=False, cause="", resolution=""
        )
        assert empty.json()["errors"] == {
            Ids.CAUSE_BLOCK: "Say why it happened, in a few words at least.",
            Ids.RESOLUTION_BLOCK: "Say what was done and what changes so it does not happen again, "
            "in a few words at least.",
        }
        assert (await _one(services)).status == "acknowledged", "nothing was stored"

        await _resolve(
            services,
            slack_client,
            OWNER,
            complaint.id,
            cause="The courier left it in the rain",
            resolution="Refunded; parcels now go in waterproof bags",
            client_told="Refund in 3 days, and why it happened",
        )
        *_, update = await slack.wait_for("chat.update", 2)  # the first reply, then the resolution

    resolved = await _one(services)
    assert resolved.status == "resolved" and resolved.satisfaction is None
    card = _text(update.args)
    assert "*Cause:* The courier left it in the rain" in card
    assert f"*Countermeasure, by <@{OWNER}>:* Refunded; parcels now go in waterproof bags" in card
    assert "*The client was told:* Refund in 3 days, and why it happened" in card
    shown = _text((await slack_client.command(LEAD, "/complaint", "show C-2026-0001")).json())
    assert "*Cause:* The courier left it in the rain" in shown


async def _dm_to(slack, user: str) -> bool:
    channel = "D" + user.lstrip("UW")
    return any(c.args.get("channel") == channel for c in slack.calls_to("chat.postMessage"))


async def _posted_in(slack, channel: str, words: str) -> bool:
    return any(
        c.args["channel"] == channel and words in c.args["text"] for c in slack.calls_to("chat.postMessage")
    )


# -- the return visit (回访) ----------------------------------------------------------------------


async def _resolved_complaint(services, slack_client, clock):
    """A complaint answered and resolved on Monday at 11:00 (Shanghai)."""
    await _log(slack_client)
    complaint = await _one(services)
    clock.at = MONDAY + timedelta(hours=1)
    await _answer_client(services, slack_client, OWNER, complaint.id)
    await _resolve(services, slack_client, OWNER, complaint.id)
    return await _one(services)


async def test_close_is_refused_until_the_return_visit_is_recorded(clock, slack_client, slack, services):
    """After the resolution the owner is asked by DM, with a button, to call the client back within 3
    working days; a lead's close is refused until the return visit is recorded, then allowed."""
    complaint = await _resolved_complaint(services, slack_client, clock)
    assert complaint.return_visit_due == MONDAY + timedelta(days=3, hours=1), "Thursday 11:00"

    async with sending(services):
        await eventually(lambda: _dm_to(slack, OWNER), within=5)
        (ask,) = [
            c
            for c in slack.calls_to("chat.postMessage")
            if c.args["channel"] == "D01BBB" and "call the client back" in c.args["text"]
        ]
        assert "*C-2026-0001* is resolved. Please call the client back by 2026-11-19 11:00" in _text(ask.args)
        (button,) = [e for b in ask.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert button["action_id"] == Ids.RETURN_VISIT and button["value"] == str(complaint.id)

        await _press_button(services, slack_client, slack, LEAD, Ids.CLOSE, complaint.id, wait=False)
        await slack.wait_for("response_url", 1)
        assert (await _one(services)).status == "resolved"

        await _press_button(services, slack_client, slack, OWNER, Ids.RETURN_VISIT, complaint.id)
        opened = (await slack.wait_for("views.open", 1))[-1]
        assert _view(opened)["callback_id"] == Ids.RETURN_VISIT_FORM

        clock.at = MONDAY + timedelta(days=1)
        wrong = [
            (
                {"day": "2026-11-15", "via": None, "satisfaction": None},
                {
                    Ids.VISITED_ON_BLOCK: "Give a day from the resolution to today.",
                    Ids.VISIT_VIA_BLOCK: "Choose one of the options.",
                    Ids.SATISFACTION_BLOCK: "Choose one of the options.",
                },
            ),
            (
                {"unreachable": True, "comments": ""},
                {
                    Ids.SATISFACTION_BLOCK: "A client nobody reached gives no satisfaction: leave it empty.",
                    Ids.FEEDBACK_BLOCK: "Say what was tried to reach the client.",
                },
            ),
            ({"satisfaction": "11"}, {Ids.SATISFACTION_BLOCK: "Choose one of the options."}),
        ]
        for fields, errors in wrong:
            reply = await _record_visit(services, slack_client, OWNER, complaint.id, **fields)
            assert reply.json() == {"response_action": "errors", "errors": errors}
        assert (await _one(services)).return_visited_at is None, "nothing was stored"

        await _record_visit(
            services, slack_client, OWNER, complaint.id, satisfaction="4", comments="Happy now"
        )
        update = (await slack.wait_for("chat.update", 3))[-1]
        card = _text(update.args)
        assert "*Return visit:* 2026-11-17, Phone; satisfaction 4/5" in card
        assert "*Client feedback:* Happy now" in card
        assert [
            e["action_id"] for b in update.args["blocks"] if b["type"] == "actions" for e in b["elements"]
        ] == [
            Ids.CLOSE,
            Ids.REOPEN,
        ]

        await _press_button(services, slack_client, slack, LEAD, Ids.CLOSE, complaint.id)
    assert _responses(slack) == ["C-2026-0001 can be closed only after its return visit is recorded."]
    closed = await _one(services)
    assert (closed.status, closed.satisfaction, closed.client_feedback) == ("closed", 4, "Happy now")
    kinds = [kind for kind, _, _ in await _events(services)]
    assert kinds[-2:] == ["return_visit", "close"]


async def test_an_overdue_return_visit_climbs_to_the_owner_then_the_leads_once_each(
    clock, slack_client, slack, services
):
    """Due Thursday 11:00 (3 working days after Monday 11:00): the owner at the deadline, the leads
    at deadline + W/2 (1.5 days), each once however often the sweep runs; never the managers. An
    unreachable client, with a note, is a return visit recorded."""
    complaint = await _resolved_complaint(services, slack_client, clock)
    due = complaint.return_visit_due
    assert complaint.next_escalation_at == due

    assert await _sweep(services, clock, due - timedelta(minutes=1)) == ["cs-east: no complaint due"]
    await _sweep(services, clock, due)
    await _sweep(services, clock, due)
    assert await _fired(services) == [("return_visit", 1)]
    leads_at = due + timedelta(hours=36)
    assert (await _one(services)).next_escalation_at == leads_at
    await _sweep(services, clock, leads_at)
    await _sweep(services, clock, leads_at + timedelta(hours=1))
    assert await _fired(services) == [("return_visit", 1), ("return_visit", 2)]
    assert (await _one(services)).next_escalation_at is None, "nothing more: the managers are not told"

    slack.calls.clear()
    async with sending(services):
        await eventually(lambda: _posted_in(slack, DIGEST, "C-2026-0001"), within=5)
        await eventually(lambda: _dm_to(slack, OWNER), within=5)
        await slack.wait_for("chat.update", 3)  # the first reply, the resolution, the overdue step
    to_owner = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "D01BBB"]
    assert [_text(c.args) for c in to_owner if "overdue" in c.args["text"]] == [
        ":warning: Complaint *C-2026-0001* (High) is overdue: it was to call the client back by "
        f"2026-11-19 11:00. Owner: <@{OWNER}>."
    ]
    to_leads = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == DIGEST]
    assert len(to_leads) == 1 and "call the client back" in _text(to_leads[0].args)
    assert not [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] in ("D01MGR", "D01DEP")]
    assert "Overdue" in _text(slack.calls_to("chat.update")[-1].args)

    clock.at = leads_at + timedelta(hours=2)
    await _record_visit(
        services,
        slack_client,
        LEAD,
        complaint.id,
        unreachable=True,
        satisfaction=None,
        comments="Called 3 times",
    )
    visited = await _one(services)
    assert (visited.client_unreachable, visited.satisfaction, visited.client_feedback) == (
        True,
        None,
        "Called 3 times",
    )
    shown = _text((await slack_client.command(LEAD, "/complaint", "show C-2026-0001")).json())
    assert "*Return visit:* 2026-11-17, Phone; the client could not be reached: Called 3 times" in shown
    assert "overdue to call the client back: leads alerted" in shown
    assert "return visit: Called 3 times" in shown


async def test_a_resolved_complaint_awaiting_its_return_visit_goes_with_the_rest_when_its_owner_leaves(
    clock, slack_client, slack, services
):
    """Someone no longer in the team has nothing of it to do: the return visit they still owed goes
    to the default owner (else the first lead), and its overdue step reaches them, not the leaver."""
    complaint = await _resolved_complaint(services, slack_client, clock)

    removed = await slack_client.command(LEAD, "/team", f"remove <@{OWNER}>")
    assert removed.status_code == 200
    assert (await _one(services)).owner_id == LEAD, "no default owner left in the team: the first lead"

    slack.calls.clear()
    async with sending(services):
        await _sweep(services, clock, complaint.return_visit_due)
        await eventually(lambda: _dm_to(slack, LEAD), within=5)
    overdue = [
        c.args["channel"]
        for c in slack.calls_to("chat.postMessage")
        if "is overdue: it was to call the client back" in c.args["text"]
    ]
    assert "D01AAA" in overdue and "D01BBB" not in overdue
