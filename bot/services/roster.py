"""Importing and exporting the roster file (the admin's CLI)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.rules.roster import RosterFile, TeamSpec, default_supervisor
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

    The roster is validated before this is called, and the transaction holds SQLite's one write
    lock while it lasts, so it is a few batched statements (the same number for any roster), never
    a statement per person: a large import must not stall the bot and its clock.
    """
    keys = [spec.key for spec in roster.teams]
    async with services.unit_of_work() as session:
        workspace = await repo.installation_workspace(session)
        known = await repo.team_ids(session, keys)
        await repo.ensure_people(session, {member.user for spec in roster.teams for member in spec.members})
        new_teams = [spec for spec in roster.teams if spec.key not in known]
        await repo.insert_rows(
            session,
            Team,
            [
                {**_team_values(services, spec), "key": spec.key, "workspace_id": workspace.id}
                for spec in new_teams
            ],
        )
        await repo.update_rows(
            session,
            Team,
            [
                {**_team_values(services, spec), "id": known[spec.key]}
                for spec in roster.teams
                if spec.key in known
            ],
        )
        ids = await repo.team_ids(session, keys)
        existing = await repo.member_ids(session, known.values())
        new_members, changed_members = [], []
        for spec in roster.teams:
            for member_spec in spec.members:
                values = {
                    "role": member_spec.role.value,
                    "title": member_spec.title,
                    "supervisor_id": default_supervisor(spec, member_spec),
                }
                member_id = existing.get((ids[spec.key], member_spec.user))
                if member_id is None:
                    new_members.append({**values, "team_id": ids[spec.key], "user_id": member_spec.user})
                else:
                    changed_members.append({**values, "id": member_id})
        await repo.insert_rows(session, Member, new_members)
        await repo.update_rows(session, Member, changed_members)
        listed = {(ids[spec.key], member.user) for spec in roster.teams for member in spec.members}
        leaving = [key for key in existing if key not in listed]
        for spec in roster.teams:
            users = {user for team_id, user in leaving if team_id == ids[spec.key]}
            if users:
                # Handed over as the file has the team now: its default owner, else its first lead.
                team = await repo.team_by_key(session, spec.key)
                await complaints.hand_over(services, session, team, users, by=None)
        await repo.delete_rows(session, Member, [existing[key] for key in leaving])
    return ImportSummary(
        teams_created=len(new_teams),
        teams_updated=len(known),
        members_added=len(new_members),
        members_updated=len(changed_members),
        members_removed=len(leaving),
    )


def _team_values(services: Services, spec: TeamSpec) -> dict:
    return {
        "name": spec.name,
        "kind": spec.kind,
        "channel_id": spec.channel,
        "digest_channel_id": spec.digest_channel,
        "timezone": spec.timezone or services.settings.timezone,
        "locale": spec.locale or services.settings.locale,
        "settings": spec.settings_blocks(),
    }


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
