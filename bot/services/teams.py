"""Teams and their people: the roster as members see it, and the changes leads make to it."""

from __future__ import annotations

from datetime import date

from bot.errors import UserError
from bot.i18n import translator
from bot.rules.roles import RANK, Role, is_lead, may_manage, supervisor_of
from bot.rules.team_changes import Action, RosterChange
from bot.services import complaints
from bot.services.chain import chain_of
from bot.services.context import Services
from bot.services.directory import Actor
from bot.views import teams as views
from storage import teams as repo
from storage.models import Member, Team


def team_for_change(actor: Actor, team_key: str | None, action: Action) -> str:
    """The key of the team a lead's roster change is about: the one named, or the only one they lead."""
    if team_key is not None:
        return team_key
    led = [m.team_key for m in actor.memberships if is_lead(m.role)]
    if not led:
        raise UserError("error.leads_nothing")
    if len(led) > 1:
        raise UserError("error.which_team", example=led[0], action=action.value, keys=list(led))
    return led[0]


async def change_roster(
    services: Services,
    actor: Actor,
    *,
    team_key: str | None,
    action: Action,
    user_id: str,
    role: Role | None = None,
    away_until: date | None = None,
) -> RosterChange:
    """Apply one lead's change to a team's roster, after checking that they may make it."""
    key = team_for_change(actor, team_key, action)
    async with services.unit_of_work() as session:
        team = await repo.team_by_key(session, key)
        if team is None:
            raise UserError("error.unknown_team", key=key)
        by_user = {m.user_id: m for m in team.members}
        mine = by_user.get(actor.user_id)
        if mine is None or not is_lead(mine.role):
            raise UserError("error.not_lead", team=team.name)
        target = by_user.get(user_id)
        if action is Action.ADD:
            change = await _add(session, team, mine, target, user_id, role or Role.MEMBER)
            await services.notices(session).dm(
                f"team-welcome:{team.id}:{user_id}:{services.now().isoformat()}",
                user=user_id,
                **views.welcome_dm(
                    translator(team.locale), change, added_by=actor.user_id, team_key=team.key
                ),
            )
            return change
        if target is None:
            raise UserError("error.not_in_team", person=user_id, team=team.name)
        if action is Action.REMOVE:
            _check(mine, target, None)
            _keep_a_lead(team, target, None)
            await complaints.hand_over(services, session, team, {user_id}, by=actor.user_id)
            before = chain_of(team.members)
            team.members.remove(target)
            await session.delete(target)
            _supervise(team.members, before)
            return RosterChange(action, team.name, user_id)
        if action is Action.ROLE:
            assert role is not None
            _check(mine, target, role)
            _keep_a_lead(team, target, role)
            before = chain_of(team.members)
            target.role = role.value
            _supervise(team.members, before, changed=user_id)
            return RosterChange(action, team.name, user_id, role=role.value)
        _check(mine, target, None)
        target.person.away_until = away_until if action is Action.AWAY else None
        return RosterChange(action, team.name, user_id, away_until=target.person.away_until)


async def _add(session, team: Team, mine: Member, target: Member | None, user_id: str, role: Role):
    if target is not None:
        raise UserError("error.already_in_team", person=user_id, team=team.name, role=target.role)
    _check(mine, None, role)
    await repo.ensure_person(session, user_id)
    before = chain_of(team.members)
    team.members.append(Member(team_id=team.id, user_id=user_id, role=role.value))
    _supervise(team.members, before, changed=user_id)
    return RosterChange(Action.ADD, team.name, user_id, role=role.value)


def _check(mine: Member, target: Member | None, new_role: Role | None) -> None:
    if not may_manage(mine.role, target.role if target else None, new_role):
        raise UserError("error.outranked")


def _keep_a_lead(team: Team, target: Member, new_role: Role | None) -> None:
    """A team is never left without anyone at lead level or above."""
    if new_role is not None and is_lead(new_role):
        return
    others = [m for m in team.members if m is not target and is_lead(m.role)]
    if is_lead(target.role) and not others:
        raise UserError("error.last_lead", team=team.name)


def _supervise(members: list[Member], before: list[tuple[str, str]], changed: str | None = None) -> None:
    """The one supervisor rule after a roster change (domain.md section 1). Whoever had the rule's
    supervisor before the change (or now has none that ranks above them), and the person changed,
    get the rule's supervisor after it; a supervisor the roster file chose otherwise stays while it
    still ranks above them."""
    after = chain_of(members)
    ranks = dict(after)
    for member in members:
        current = member.supervisor_id
        holds = current in ranks and RANK[ranks[current]] > RANK[member.role]
        by_rule = current == supervisor_of(member.user_id, before)
        if member.user_id == changed or not holds or by_rule:
            member.supervisor_id = supervisor_of(member.user_id, after)
