"""/complaint: anyone logs a client complaint; the card's buttons move it along; members look it up."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import notify, view_state
from bot.i18n import translator
from bot.ids import Command
from bot.ids import Complaint as Ids
from bot.parsing import HELP_WORDS
from bot.rules.complaints import Action
from bot.services import complaints
from bot.slackapp.routing import Routes
from bot.views import complaints as views
from handlers import forms

LISTS = ("open", "overdue", "mine")

# The card's buttons that change the complaint at once, and those that ask for more in a form.
AT_ONCE = {
    Ids.START: Action.START,
    Ids.CLOSE: Action.CLOSE,
    Ids.REOPEN: Action.REOPEN,
}
WITH_FORM = {
    Ids.ACKNOWLEDGE: (Action.ACKNOWLEDGE, views.reply_form),
    Ids.RESOLVE: (Action.RESOLVE, views.resolve_form),
    Ids.REASSIGN: (Action.REASSIGN, views.reassign_form),
    Ids.ESCALATE: (Action.ESCALATE, views.escalate_form),
    Ids.RETURN_VISIT: (Action.RETURN_VISIT, views.return_visit_form),
}


async def complaint_command(ack: AsyncAck, command: dict, context: AsyncBoltContext, client: AsyncWebClient):
    services, actor = context["services"], context["actor"]
    t = translator(actor.locale)
    text = command.get("text", "").strip()
    words = text.split()
    action = words[0].lower() if words else ""
    if action in HELP_WORDS or text.lower() == "show":
        await ack(views.help_message(t))
    elif action == "list":
        which = words[1].lower() if len(words) > 1 and words[1].lower() in LISTS else "open"
        await ack(views.listing(t, which, await complaints.listing(services, actor, which)))
    elif action == "show":
        shown, events = await complaints.show(services, actor, words[1])
        await ack(views.show(t, shown, events))
    else:
        options = await complaints.form_options(services, actor)
        await ack()
        view = views.form(t, teams=options.teams, team=options.team, own=options.own, description=text)
        await notify.open_modal(client, trigger_id=command["trigger_id"], view=view)


async def choose_team(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext, client):
    """In the form, a member of several teams picked one: its default owner goes in the form."""
    await ack()
    services, actor = context["services"], context["actor"]
    options = await complaints.form_options(services, actor, team_key=action["selected_option"]["value"])
    description = view_state.text(body["view"]["state"]["values"], Ids.DESCRIPTION_BLOCK, Ids.DESCRIPTION)
    view = views.form(
        translator(actor.locale),
        teams=options.teams,
        team=options.team,
        own=options.own,
        description=description,
    )
    await notify.update_modal(client, view_id=body["view"]["id"], view=view)


def read_form(view: dict) -> dict:
    """The submitted values, named as ComplaintInput names them; absent inputs read as empty."""
    values = view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    return {
        "team_key": view_state.chosen(values, Ids.TEAM_BLOCK, Ids.TEAM) or metadata.get("team"),
        "client": view_state.text(values, Ids.CLIENT_BLOCK, Ids.CLIENT),
        "client_contact": view_state.text(values, Ids.CONTACT_BLOCK, Ids.CONTACT),
        "received_via": view_state.chosen(values, Ids.RECEIVED_VIA_BLOCK, Ids.RECEIVED_VIA),
        "stage": view_state.chosen(values, Ids.STAGE_BLOCK, Ids.STAGE),
        "category": view_state.chosen(values, Ids.CATEGORY_BLOCK, Ids.CATEGORY),
        "severity": view_state.chosen(values, Ids.SEVERITY_BLOCK, Ids.SEVERITY),
        "description": view_state.text(values, Ids.DESCRIPTION_BLOCK, Ids.DESCRIPTION),
        "owner_id": view_state.value(values, Ids.OWNER_BLOCK, Ids.OWNER).get("selected_user"),
    }


async def submit_form(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    await forms.answer(
        ack,
        actor,
        complaints.log(services, actor, complaints.ComplaintInput(**read_form(view))),
        views.FIELD_BLOCKS,
    )


async def press(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext):
    """Start, Close, Reopen: the change at once (refusals answer the presser alone)."""
    await ack()
    services, actor = context["services"], context["actor"]
    change = complaints.Change(AT_ONCE[action["action_id"]])
    await complaints.act_or_tell(
        services, actor, int(action["value"]), change, response_url=body.get("response_url")
    )


async def press_for_form(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext, client):
    """Acknowledge (the first reply to the client), Resolve, Reassign, Escalate: the form, once it
    is clear that this person may."""
    await ack()
    services, actor = context["services"], context["actor"]
    kind, form = WITH_FORM[action["action_id"]]
    shown = await complaints.form_or_tell(
        services, actor, int(action["value"]), kind, response_url=body.get("response_url")
    )
    if shown is not None:
        await notify.open_modal(
            client, trigger_id=body["trigger_id"], view=form(translator(actor.locale), shown)
        )


def _complaint_id(view: dict) -> int:
    return int(json.loads(view["private_metadata"])["id"])


async def submit_first_reply(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    values = view["state"]["values"]
    picked = view_state.value(values, Ids.REPLIED_AT_BLOCK, Ids.REPLIED_AT).get("selected_date_time")
    change = complaints.Change(
        Action.ACKNOWLEDGE,
        note=view_state.text(values, Ids.REPLY_BLOCK, Ids.REPLY),
        via=view_state.chosen(values, Ids.REPLY_VIA_BLOCK, Ids.REPLY_VIA),
        replied_at=datetime.fromtimestamp(int(picked), UTC) if picked else None,
    )
    await forms.answer(
        ack, actor, complaints.act_or_tell(services, actor, _complaint_id(view), change), views.FIELD_BLOCKS
    )


async def submit_resolution(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    values = view["state"]["values"]
    change = complaints.Change(
        Action.RESOLVE,
        note=view_state.text(values, Ids.RESOLUTION_BLOCK, Ids.RESOLUTION),
        cause=view_state.text(values, Ids.CAUSE_BLOCK, Ids.CAUSE),
        client_told=view_state.text(values, Ids.CLIENT_TOLD_BLOCK, Ids.CLIENT_TOLD),
    )
    await forms.answer(
        ack, actor, complaints.act_or_tell(services, actor, _complaint_id(view), change), views.FIELD_BLOCKS
    )


async def submit_return_visit(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    values = view["state"]["values"]
    ticked = view_state.value(values, Ids.UNREACHABLE_BLOCK, Ids.UNREACHABLE).get("selected_options")
    change = complaints.Change(
        Action.RETURN_VISIT,
        visited_on=view_state.day(values, Ids.VISITED_ON_BLOCK, Ids.VISITED_ON),
        via=view_state.chosen(values, Ids.VISIT_VIA_BLOCK, Ids.VISIT_VIA),
        unreachable=bool(ticked),
        satisfaction=view_state.chosen(values, Ids.SATISFACTION_BLOCK, Ids.SATISFACTION),
        comments=view_state.text(values, Ids.FEEDBACK_BLOCK, Ids.FEEDBACK),
    )
    await forms.answer(
        ack, actor, complaints.act_or_tell(services, actor, _complaint_id(view), change), views.FIELD_BLOCKS
    )


async def submit_reassignment(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    owner = view_state.value(view["state"]["values"], Ids.OWNER_BLOCK, Ids.OWNER).get("selected_user")
    change = complaints.Change(Action.REASSIGN, owner_id=owner)
    await forms.answer(
        ack, actor, complaints.act_or_tell(services, actor, _complaint_id(view), change), views.FIELD_BLOCKS
    )


async def submit_escalation(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    change = complaints.Change(
        Action.ESCALATE, note=view_state.text(view["state"]["values"], Ids.REASON_BLOCK, Ids.REASON)
    )
    await forms.answer(
        ack, actor, complaints.act_or_tell(services, actor, _complaint_id(view), change), views.FIELD_BLOCKS
    )


def register(app: Routes) -> None:
    app.command(Command.COMPLAINT)(complaint_command)
    app.action({"action_id": Ids.TEAM, "block_id": Ids.TEAM_BLOCK})(choose_team)
    for action_id in AT_ONCE:
        app.action(action_id)(press)
    for action_id in WITH_FORM:
        app.action(action_id)(press_for_form)
    app.view(Ids.FORM)(submit_form)
    app.view(Ids.REPLY_FORM)(submit_first_reply)
    app.view(Ids.RESOLVE_FORM)(submit_resolution)
    app.view(Ids.RETURN_VISIT_FORM)(submit_return_visit)
    app.view(Ids.REASSIGN_FORM)(submit_reassignment)
    app.view(Ids.ESCALATE_FORM)(submit_escalation)
