"""Importing and exporting the roster file (the admin's CLI)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.rules.roster import RosterFile, default_supervisor
from bot.services import complaints
from bot.services.context import Services
from storage import teams as repo
from storage.models import Member, Team


@dataclass(frozen=True)
class ImportSummary:
    teams_created: int
    teams_updated: int
    members_added: int
    members_updated: int
    members_removed: int


async def import_roster(services: Services, roster: RosterFile) -> ImportSummary:
    """Upsert every team by key and every member by user, in one transaction.

    The file holds the whole of each team it lists: someone no longer listed leaves that team, and
    their open complaints of it go to its default owner (the same unit of work). Teams the file does
    not list are left as they are.
    """
    created = updated = added = changed = removed = 0
    async with services.unit_of_work() as session:
        workspace = await repo.installation_workspace(session)
        for spec in roster.teams:
            team = await repo.team_by_key(session, spec.key)
            if team is None:
                team = Team(key=spec.key, workspace_id=workspace.id, members=[])
                session.add(team)
                created += 1
            else:
                updated += 1
            team.name = spec.name
            team.kind = spec.kind
            team.channel_id = spec.channel
            team.digest_channel_id = spec.digest_channel
            team.timezone = spec.timezone or services.settings.timezone
            team.locale = spec.locale or services.settings.locale
            team.settings = spec.settings_blocks()
            existing = {m.user_id: m for m in team.members}
            leaving = existing.keys() - {m.user for m in spec.members}
            for member_spec in spec.members:
                await repo.ensure_person(session, member_spec.user)
                member = existing.get(member_spec.user)
                if member is None:
                    member = Member(user_id=member_spec.user)
                    team.members.append(member)
                    added += 1
                else:
                    changed += 1
                member.role = member_spec.role.value
                member.title = member_spec.title
                member.supervisor_id = default_supervisor(spec, member_spec)
            if leaving:
                # Handed over as the file has the team now: its default owner, else its first lead.
                await session.flush()
                await complaints.hand_over(services, session, team, leaving, by=None)
                for user_id in leaving:
                    team.members.remove(existing[user_id])
            removed += len(leaving)
    return ImportSummary(created, updated, added, changed, removed)


async def export_roster(services: Services) -> dict:
    """The roster as a file would hold it: import(export()) changes nothing."""
    async with services.db.reader() as session:
        teams = await repo.teams_with_members(session)
        return {"teams": [_team_entry(team) for team in teams]}


def _team_entry(team: Team) -> dict:
    entry: dict = {
        "key": team.key,
        "name": team.name,
        "kind": team.kind,
        "channel": team.channel_id,
        "digest_channel": team.digest_channel_id,
        "timezone": team.timezone,
        "locale": team.locale,
        "members": [_member_entry(m) for m in sorted(team.members, key=lambda m: m.id)],
    }
    entry.update(team.settings or {})
    return entry


def _member_entry(member: Member) -> dict:
    entry: dict = {"user": member.user_id, "role": member.role}
    if member.supervisor_id:
        entry["supervisor"] = member.supervisor_id
    if member.title:
        entry["title"] = member.title
    return entry
