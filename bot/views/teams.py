"""/team: the roster as members see it, help, and the answer to a lead's change."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Translator
from bot.rules.roles import is_lead
from bot.rules.team_changes import Action, RosterChange, RosterEntry, TeamRoster
from bot.views.blocks import MESSAGE_BLOCK_LIMIT, divider, ephemeral, message, sections
from bot.views.mrkdwn import mention, name


def rosters(t: Translator, teams: Sequence[TeamRoster]) -> dict:
    if not teams:
        return ephemeral(t("team.none"))
    blocks: list[dict] = []
    for team in teams:
        if blocks:
            blocks.append(divider())
        blocks.extend(_team_blocks(t, team))
    heading = t("team.heading", name=name(teams[0].name), key=teams[0].key, kind=t(f"kind.{teams[0].kind}"))
    return ephemeral(heading, blocks[:MESSAGE_BLOCK_LIMIT])


def _team_blocks(t: Translator, team: TeamRoster) -> list[dict]:
    leads: list[RosterEntry] = []
    members: list[RosterEntry] = []
    for entry in team.entries:
        (leads if is_lead(entry.role) else members).append(entry)
    lines = [
        t("team.heading", name=name(team.name), key=team.key, kind=t(f"kind.{team.kind}")),
        t("team.leads", people=_people(t, leads, with_role=True)),
        t("team.members", people=_people(t, members, with_role=False)),
    ]
    return sections("\n".join(lines))


def _people(t: Translator, entries: list[RosterEntry], *, with_role: bool) -> str:
    if not entries:
        return t("team.nobody")
    return t.join(_person(t, e, with_role=with_role) for e in entries)


def _person(t: Translator, entry: RosterEntry, *, with_role: bool) -> str:
    shown = mention(entry.user_id)
    details = [t(f"role.{entry.role}")] if with_role else []
    if entry.title:
        details.append(name(entry.title))
    if details:
        shown = t("common.aside", text=shown, inside=t.join(details))
    if entry.away_until is not None:
        shown = t("team.person_away", person=shown, date=entry.away_until.isoformat())
    return shown


def help_message(t: Translator) -> dict:
    return ephemeral(t("team.help"), sections(t("team.help")))


_CHANGE_KEYS = {
    Action.ADD: "team.added",
    Action.ROLE: "team.role_changed",
    Action.REMOVE: "team.removed",
    Action.AWAY: "team.away_set",
    Action.BACK: "team.away_cleared",
}


def change_message(t: Translator, change: RosterChange) -> dict:
    text = t(
        _CHANGE_KEYS[change.action],
        person=mention(change.user_id),
        team=name(change.team_name),
        role=t(f"role.{change.role}") if change.role else "",
        date=change.away_until.isoformat() if change.away_until else "",
    )
    return ephemeral(text, sections(text))


def welcome_dm(t: Translator, change: RosterChange, *, added_by: str, team_key: str) -> dict:
    """The DM to someone a lead has just added: text and blocks for the outbox."""
    text = t(
        "team.welcome",
        by=mention(added_by),
        team=name(change.team_name),
        key=team_key,
        role=t(f"role.{change.role}"),
    )
    return message(text)
