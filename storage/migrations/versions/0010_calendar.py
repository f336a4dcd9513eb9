"""one calendar per team: the stored per-feature holidays move into the team's `calendar` block

Revision ID: 0010
Revises: 0008

Teams imported from an older roster keep `complaint_sla.holidays`, `standup.holidays` and
`complaint_sla.business_hours.days` in their settings; the bot now reads the team's one `calendar`
block (working_days, holidays, workdays), and an unknown key in a stored block is an error. The same
move `teams import` makes on an old file (bot.rules.roster.lift_legacy_calendar), written here on its
own because a migration imports nothing of the application.
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None

TEAMS = sa.table("teams", sa.column("id", sa.Integer), sa.column("settings", sa.JSON))


def _lifted(settings: dict) -> dict | None:
    settings = {k: (dict(v) if isinstance(v, dict) else v) for k, v in settings.items()}
    calendar = dict(settings.get("calendar") or {})
    moved = False
    for block in ("complaint_sla", "standup"):
        if isinstance(settings.get(block), dict) and "holidays" in settings[block]:
            holidays = settings[block].pop("holidays")
            calendar["holidays"] = list(dict.fromkeys([*calendar.get("holidays", []), *holidays]))
            moved = True
    hours = (settings.get("complaint_sla") or {}).get("business_hours")
    if isinstance(hours, dict) and "days" in hours:
        hours = dict(hours)
        calendar.setdefault("working_days", hours.pop("days"))
        settings["complaint_sla"]["business_hours"] = hours
        moved = True
    if not moved:
        return None
    settings["calendar"] = calendar
    return settings


def upgrade() -> None:
    bind = op.get_bind()
    for team_id, settings in bind.execute(sa.select(TEAMS.c.id, TEAMS.c.settings)).all():
        lifted = _lifted(settings or {})
        if lifted is not None:
            bind.execute(TEAMS.update().where(TEAMS.c.id == team_id).values(settings=lifted))


def downgrade() -> None:
    # The older form had holidays per feature: the complaint SLA's are the ones that counted time.
    bind = op.get_bind()
    for team_id, settings in bind.execute(sa.select(TEAMS.c.id, TEAMS.c.settings)).all():
        settings = dict(settings or {})
        calendar = settings.pop("calendar", None)
        if calendar is None:
            continue
        if calendar.get("holidays"):
            sla = dict(settings.get("complaint_sla") or {})
            sla["holidays"] = calendar["holidays"]
            settings["complaint_sla"] = sla
        bind.execute(TEAMS.update().where(TEAMS.c.id == team_id).values(settings=settings))
