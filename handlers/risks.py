"""/risk: anyone in a team raises a risk; its owner and the leads change it from the card; members
look it up."""

from __future__ import annotations

import json
from datetime import date

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import notify, view_state
from bot.errors import UserError
from bot.i18n import translator
from bot.ids import Command
from bot.ids import Risk as Ids
from bot.parsing import HELP_WORDS
from bot.services import risks
from bot.slackapp.routing import Routes
from bot.views import risks as views
from handlers import forms, replies


async def risk_command(
    ack: AsyncAck, command: dict, context: AsyncBoltContext, client: AsyncWebClient, respond: AsyncRespond
):
    services, actor = context["services"], context["actor"]
    t = translator(actor.locale)
    text = command.get("text", "").strip()
    words = text.split()
    action = words[0].lower() if words else ""
    if action in HELP_WORDS or (action == "show" and len(words) == 1):
        await ack(views.help_message(t))
    elif action == "show":
        shown, events = await risks.show(services, actor, words[1])
        await ack(views.show(t, shown, events))
    elif action == "list":
        listing = await risks.register(services, actor, words[1] if len(words) > 1 else None)
        await replies.in_order(ack, respond, views.register(t, listing))
    elif action == "value":
        await ack(views.recorded(t, await _value_line(services, actor, words[1:])))
    else:
        teams = risks.form_teams(actor)
        await ack()
        view = views.form(t, teams=teams, owner=actor.user_id, title=text)
        await notify.open_modal(client, trigger_id=command["trigger_id"], view=view)


async def _value_line(services, actor, words: list[str]) -> risks.Recorded:
    """`/risk value R-2026-0007 [NAME] 15.2`."""
    if len(words) == 2:
        return await risks.record_line(services, actor, words[0], None, words[1])
    if len(words) == 3:
        return await risks.record_line(services, actor, words[0], words[1], words[2])
    raise UserError("risks.error.value_usage")


def _picked_date(values: dict, block: str, action: str) -> date | None:
    picked = view_state.value(values, block, action).get("selected_date")
    return date.fromisoformat(picked) if picked else None


def _owner(values: dict) -> str | None:
    return view_state.value(values, Ids.OWNER_BLOCK, Ids.OWNER).get("selected_user")


def read_form(view: dict) -> risks.RiskInput:
    """The submitted values as RiskInput names them; absent inputs read as empty."""
    values = view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    return risks.RiskInput(
        team_key=view_state.chosen(values, Ids.TEAM_BLOCK, Ids.TEAM) or metadata.get("team"),
        title=view_state.text(values, Ids.TITLE_BLOCK, Ids.TITLE),
        category=view_state.chosen(values, Ids.CATEGORY_BLOCK, Ids.CATEGORY),
        cause=view_state.text(values, Ids.CAUSE_BLOCK, Ids.CAUSE),
        consequence=view_state.text(values, Ids.CONSEQUENCE_BLOCK, Ids.CONSEQUENCE),
        likelihood=view_state.chosen(values, Ids.LIKELIHOOD_BLOCK, Ids.LIKELIHOOD),
        impact=view_state.chosen(values, Ids.IMPACT_BLOCK, Ids.IMPACT),
        owner_id=_owner(values),
        department=view_state.text(values, Ids.DEPARTMENT_BLOCK, Ids.DEPARTMENT),
        strategy=view_state.chosen(values, Ids.STRATEGY_BLOCK, Ids.STRATEGY),
        plan=view_state.text(values, Ids.PLAN_BLOCK, Ids.PLAN),
        review_on=_picked_date(values, Ids.REVIEW_DATE_BLOCK, Ids.REVIEW_DATE),
        indicator=risks.IndicatorInput(
            name=view_state.text(values, Ids.INDICATOR_NAME_BLOCK, Ids.INDICATOR_NAME),
            unit=view_state.text(values, Ids.INDICATOR_UNIT_BLOCK, Ids.INDICATOR_UNIT),
            direction=view_state.chosen(values, Ids.INDICATOR_DIRECTION_BLOCK, Ids.INDICATOR_DIRECTION),
            threshold=view_state.text(values, Ids.INDICATOR_THRESHOLD_BLOCK, Ids.INDICATOR_THRESHOLD),
        ),
    )


async def submit_form(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    await forms.answer(ack, actor, risks.raise_risk(services, actor, read_form(view)), views.FIELD_BLOCKS)


def _risk_id(view: dict) -> int:
    return int(json.loads(view["private_metadata"])["id"])


async def press_update(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext, client):
    await ack()
    await _open_form(body, action, context, client, views.update_form)


async def press_close(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext):
    await ack()
    services, actor = context["services"], context["actor"]
    risk_id = int(action["value"])
    change = risks.close(services, actor, risk_id)
    await risks.or_tell(services, actor, risk_id, change, response_url=body.get("response_url"))


async def submit_update(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    values = view["state"]["values"]
    change = risks.Change(
        likelihood=view_state.chosen(values, Ids.LIKELIHOOD_BLOCK, Ids.LIKELIHOOD),
        impact=view_state.chosen(values, Ids.IMPACT_BLOCK, Ids.IMPACT),
        strategy=view_state.chosen(values, Ids.STRATEGY_BLOCK, Ids.STRATEGY),
        plan=view_state.text(values, Ids.PLAN_BLOCK, Ids.PLAN),
        owner_id=_owner(values),
        status=view_state.chosen(values, Ids.STATUS_BLOCK, Ids.STATUS),
    )
    risk_id = _risk_id(view)
    updating = risks.update(services, actor, risk_id, change)
    await forms.answer(ack, actor, risks.or_tell(services, actor, risk_id, updating), views.FIELD_BLOCKS)


async def _open_form(body: dict, action: dict, context: AsyncBoltContext, client, form) -> None:
    """A card button's form, once it is clear that this person may."""
    services, actor = context["services"], context["actor"]
    shown = await risks.form_or_tell(
        services, actor, int(action["value"]), response_url=body.get("response_url")
    )
    if shown is not None:
        view = form(translator(actor.locale), shown)
        await notify.open_modal(client, trigger_id=body["trigger_id"], view=view)


async def press_add_indicator(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext, client):
    await ack()
    await _open_form(body, action, context, client, views.indicator_form)


async def press_record_value(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext, client):
    await ack()
    await _open_form(body, action, context, client, views.value_form)


async def press_review(ack: AsyncAck, body: dict, action: dict, context: AsyncBoltContext, client):
    await ack()
    await _open_form(body, action, context, client, views.review_form)


async def submit_review(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    values = view["state"]["values"]
    given = risks.Review(
        note=view_state.text(values, Ids.NOTE_BLOCK, Ids.NOTE),
        likelihood=view_state.chosen(values, Ids.LIKELIHOOD_BLOCK, Ids.LIKELIHOOD),
        impact=view_state.chosen(values, Ids.IMPACT_BLOCK, Ids.IMPACT),
        strategy=view_state.chosen(values, Ids.STRATEGY_BLOCK, Ids.STRATEGY),
        review_on=_picked_date(values, Ids.REVIEW_DATE_BLOCK, Ids.REVIEW_DATE),
    )
    risk_id = _risk_id(view)
    reviewing = risks.review(services, actor, risk_id, given)
    await forms.answer(ack, actor, risks.or_tell(services, actor, risk_id, reviewing), views.FIELD_BLOCKS)


async def submit_indicator(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    values = view["state"]["values"]
    given = risks.IndicatorInput(
        name=view_state.text(values, Ids.INDICATOR_NAME_BLOCK, Ids.INDICATOR_NAME),
        unit=view_state.text(values, Ids.INDICATOR_UNIT_BLOCK, Ids.INDICATOR_UNIT),
        direction=view_state.chosen(values, Ids.INDICATOR_DIRECTION_BLOCK, Ids.INDICATOR_DIRECTION),
        threshold=view_state.text(values, Ids.INDICATOR_THRESHOLD_BLOCK, Ids.INDICATOR_THRESHOLD),
    )
    risk_id = _risk_id(view)
    adding = risks.add_indicator(services, actor, risk_id, given)
    await forms.answer(ack, actor, risks.or_tell(services, actor, risk_id, adding), views.FIELD_BLOCKS)


async def submit_value(ack: AsyncAck, view: dict, context: AsyncBoltContext):
    services, actor = context["services"], context["actor"]
    values = view["state"]["values"]
    risk_id = _risk_id(view)
    recording = risks.record_value(
        services,
        actor,
        text=view_state.text(values, Ids.VALUE_BLOCK, Ids.VALUE),
        indicator=view_state.chosen(values, Ids.INDICATOR_BLOCK, Ids.INDICATOR),
        risk_id=risk_id,
    )
    await forms.answer(ack, actor, risks.or_tell(services, actor, risk_id, recording), views.FIELD_BLOCKS)


def register(app: Routes) -> None:
    app.command(Command.RISK)(risk_command)
    app.action(Ids.UPDATE)(press_update)
    app.action(Ids.CLOSE)(press_close)
    app.action(Ids.REVIEW)(press_review)
    app.action(Ids.ADD_INDICATOR)(press_add_indicator)
    app.action(Ids.RECORD_VALUE)(press_record_value)
    app.view(Ids.FORM)(submit_form)
    app.view(Ids.UPDATE_FORM)(submit_update)
    app.view(Ids.REVIEW_FORM)(submit_review)
    app.view(Ids.INDICATOR_FORM)(submit_indicator)
    app.view(Ids.VALUE_FORM)(submit_value)
