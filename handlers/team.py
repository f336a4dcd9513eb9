"""/team: see your teams; leads change the roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot import parsing
from bot.errors import UserError
from bot.i18n import translator
from bot.ids import Command
from bot.rules.roles import Role
from bot.rules.team_changes import Action
from bot.services import teams
from bot.slackapp.routing import Routes
from bot.views import teams as views


@dataclass(frozen=True)
class TeamCommand:
    """`/team [team-key] action @user [role | until DATE]`; no action lists your teams."""

    action: Action | None = None
    help: bool = False
    team_key: str | None = None
    user_id: str | None = None
    role: Role | None = None
    away_until: date | None = None


def parse(text: str, today: date) -> TeamCommand:
    words = parsing.words(text)
    if not words:
        return TeamCommand()
    team_key = None
    if words[0].lower() not in parsing.HELP_WORDS and words[0].lower() not in set(Action) and len(words) > 1:
        team_key, words = words[0].lower(), words[1:]
    if words[0].lower() in parsing.HELP_WORDS:
        return TeamCommand(help=True)
    try:
        action = Action(words[0].lower())
    except ValueError:
        raise UserError("error.unknown_action", word=words[0]) from None
    user_id = parsing.user_id(words[1]) if len(words) > 1 else None
    if user_id is None:
        raise UserError("error.need_person", action=action.value)
    rest = [w for w in words[2:] if w.lower() != "until"]
    role = away_until = None
    if action is Action.ADD and rest:
        role = parsing.role(rest[0])
    elif action is Action.ROLE:
        role = parsing.role(rest[0] if rest else "")
    elif action is Action.AWAY:
        away_until = parsing.future_date(rest[0] if rest else "", today)
    return TeamCommand(action, False, team_key, user_id, role, away_until)


async def team(ack: AsyncAck, command: dict, context: AsyncBoltContext) -> None:
    services, actor = context["services"], context["actor"]
    t = translator(actor.locale)
    parsed = parse(command.get("text", ""), services.now().date())
    if parsed.help:
        await ack(views.help_message(t))
    elif parsed.action is None:
        await ack(views.rosters(t, actor.teams))
    else:
        change = await teams.change_roster(
            services,
            actor,
            team_key=parsed.team_key,
            action=parsed.action,
            user_id=parsed.user_id,
            role=parsed.role,
            away_until=parsed.away_until,
        )
        await ack(views.change_message(t, change))


def register(app: Routes) -> None:
    app.command(Command.TEAM)(team)
