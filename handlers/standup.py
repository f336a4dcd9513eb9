"""/standup, the stand-up's Answer button and its form."""

from __future__ import annotations

import json

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import notify, view_state
from bot.i18n import translator
from bot.ids import Command
from bot.ids import Standup as Ids
from bot.parsing import HELP_WORDS
from bot.services import standup
from bot.slackapp.routing import Routes
from bot.views import standup as views
from handlers import forms, replies


async def standup_command(ack: AsyncAck, command: dict, context: AsyncBoltContext, respond: AsyncRespond):
    services, actor = context["services"], context["actor"]
    t = translator(actor.locale)
    words = command.get("text", "").split()
    action = words[0].lower() if words else ""
    if action in HELP_WORDS:
        await ack(views.help_message(t))
    elif action == "attendance":
        found = await standup.attendance(services, actor, standup.weeks_of(words[1:]))
        await replies.in_order(ack, respond, views.attendance(t, found))
    else:
        await replies.in_order(ack, respond, views.today(t, await standup.today(services, actor)))


async def open_form(
    ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext, client: AsyncWebClient
):
    """The Answer button (the ask, the reminder, /standup): the form, prefilled with the answer so far.
    Who may answer is checked before the ack (see handlers/progress.py)."""
    services, actor = context["services"], context["actor"]
    options = await standup.form_options(services, actor, action.get("value", ""))
    await ack()
    view = views.form(
        translator(actor.locale),
        options.team,
        options.day,
        options.questions,
        options.prefill,
        late=options.late,
        response_url=body.get("response_url"),
    )
    await notify.open_modal(client, trigger_id=body["trigger_id"], view=view)


def read_form(view: dict) -> standup.AnswerForm:
    values = view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    prefix = Ids.QUESTION_BLOCK
    answers = {
        block[len(prefix) :]: view_state.text(values, block, Ids.QUESTION)
        for block in values
        if block.startswith(prefix)
    }
    return standup.AnswerForm(
        team_key=str(metadata.get("team", "")),
        day=str(metadata.get("day", "")),
        answers=answers,
        response_url=metadata.get("url"),
    )


class _QuestionBlocks(dict):
    """Each question's input block: its key after the prefix (the questions are the day's own)."""

    def __missing__(self, key: str) -> str:
        return Ids.QUESTION_BLOCK + key


async def submit_form(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    await forms.answer(ack, actor, standup.submit(services, actor, read_form(view)), _QuestionBlocks())


def register(app: Routes) -> None:
    app.command(Command.STANDUP)(standup_command)
    app.action(Ids.ANSWER)(open_form)
    app.view(Ids.FORM)(submit_form)
