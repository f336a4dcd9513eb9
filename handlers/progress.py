"""/progress: members report; leads see the team's period and open blocked reports."""

from __future__ import annotations

import json

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import notify, view_state
from bot.i18n import translator
from bot.ids import Command, Progress
from bot.parsing import HELP_WORDS
from bot.services import progress
from bot.slackapp.routing import Routes
from bot.views import progress as views
from handlers import forms

# A button's listener looks up what it needs BEFORE ack(): a refusal raised after ack() races Bolt's
# wait for the ack and the request is answered 404 (Bolt resets the ack when the listener fails).


async def progress_command(
    ack: AsyncAck, command: dict, context: AsyncBoltContext, client: AsyncWebClient, respond: AsyncRespond
):
    services, actor = context["services"], context["actor"]
    t = translator(actor.locale)
    words = command.get("text", "").split()
    action = words[0].lower() if words else ""
    if action in HELP_WORDS:
        await ack(views.help_message(t))
    elif action == "history":
        await _answer(ack, respond, views.history(t, await progress.history(services, actor)))
    elif action == "team":
        status = await progress.team_status(services, actor, words[1].lower() if len(words) > 1 else None)
        await _answer(ack, respond, views.team_status(t, status))
    else:
        edit = action == "edit"
        team_key = None if edit else action or None
        options = await progress.form_options(services, actor, team_key=team_key, edit=edit)
        await ack()
        await _open_form(client, command["trigger_id"], t, options, command.get("response_url"))


async def _answer(ack: AsyncAck, respond: AsyncRespond, messages: list[dict]) -> None:
    """The first message in the ack, the rest (a long answer) through the response_url, in order."""
    await ack(messages[0])
    for message in messages[1:]:
        await respond(**message)


async def _open_form(client, trigger_id: str, t, options, response_url: str | None) -> None:
    view = views.form(
        t,
        teams=options.teams,
        team=options.team,
        recent_projects=options.recent_projects,
        prefill=options.prefill,
        response_url=response_url,
    )
    await notify.open_modal(client, trigger_id=trigger_id, view=view)


async def open_from_reminder(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext, client):
    """The reminder DM's button: the form for that team, at once."""
    services, actor = context["services"], context["actor"]
    options = await progress.form_options(services, actor, team_key=action.get("value"), edit=False)
    await ack()
    await _open_form(client, body["trigger_id"], translator(actor.locale), options, body.get("response_url"))


async def choose_team(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext, client):
    """In the form, a member of several teams picked one: show that team's recent projects."""
    services, actor = context["services"], context["actor"]
    team_key = action["selected_option"]["value"]
    options = await progress.form_options(services, actor, team_key=team_key, edit=False)
    await ack()
    metadata = json.loads(body["view"].get("private_metadata") or "{}")
    view = views.form(
        translator(actor.locale),
        teams=options.teams,
        team=options.team,
        recent_projects=options.recent_projects,
        prefill=None,
        response_url=metadata.get("url"),
    )
    await notify.update_modal(client, view_id=body["view"]["id"], view=view)


def read_form(view: dict) -> progress.ReportForm:
    """The submitted values, by field; absent inputs read as empty."""
    values = view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    return progress.ReportForm(
        team_key=view_state.chosen(values, Progress.TEAM_BLOCK, Progress.TEAM) or metadata.get("team"),
        project_chosen=view_state.chosen(values, Progress.PROJECT_BLOCK, Progress.PROJECT),
        project_typed=view_state.text(values, Progress.NEW_PROJECT_BLOCK, Progress.NEW_PROJECT),
        done=view_state.text(values, Progress.DONE_BLOCK, Progress.DONE),
        next_steps=view_state.text(values, Progress.NEXT_BLOCK, Progress.NEXT),
        blockers=view_state.text(values, Progress.BLOCKERS_BLOCK, Progress.BLOCKERS),
        percent=view_state.value(values, Progress.PERCENT_BLOCK, Progress.PERCENT).get("value"),
        status=view_state.chosen(values, Progress.STATUS_BLOCK, Progress.STATUS),
        response_url=metadata.get("url"),
    )


async def submit_form(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    await forms.answer(ack, actor, progress.submit(services, actor, read_form(view)), views.FIELD_BLOCKS)


async def open_report(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext, client):
    """The blocked alert's button: the whole report, for the team's leads (checked again here)."""
    services, actor = context["services"], context["actor"]
    report = await progress.report_for(services, actor, int(action["value"]))
    await ack()
    await notify.open_modal(
        client, trigger_id=body["trigger_id"], view=views.report_modal(translator(actor.locale), report)
    )


def register(app: Routes) -> None:
    app.command(Command.PROGRESS)(progress_command)
    app.action(Progress.OPEN_FORM)(open_from_reminder)
    app.action(Progress.OPEN_REPORT)(open_report)
    app.action({"action_id": Progress.TEAM, "block_id": Progress.TEAM_BLOCK})(choose_team)
    app.view(Progress.FORM)(submit_form)
