"""complaints as the revised regulations have them: the stage, the first reply to the client, the
cause and what the client was told at resolution, the return visit (回访).

Existing complaints are carried over: a resolved one gets a return visit due from the migration
time (the working days of the team's calendar, as bot.rules.sla.return_visit_due counts them, copied here so that
this migration means the same whatever that rule becomes), and the sweep is told when. Steps that
already fired stay recorded, so none fires again. What a resolver typed as the client's feedback
and satisfaction before there were return visits moves into the trail: those columns now hold what
the client says at the return visit.

Revision ID: 0012
Revises: 0011 (after the team calendar, whose block it reads)
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

teams = sa.table(
    'teams', sa.column('id', sa.Integer), sa.column('timezone', sa.String), sa.column('settings', sa.JSON)
)
complaints = sa.table(
    'complaints',
    sa.column('id', sa.Integer),
    sa.column('team_id', sa.Integer),
    sa.column('status', sa.String),
    sa.column('resolved_at', sa.DateTime(timezone=True)),
    sa.column('client_feedback', sa.Text),
    sa.column('satisfaction', sa.Integer),
    sa.column('next_escalation_at', sa.DateTime(timezone=True)),
    sa.column('return_visit_from', sa.DateTime(timezone=True)),
    sa.column('return_visit_due', sa.DateTime(timezone=True)),
)
events = sa.table(
    'complaint_events',
    sa.column('complaint_id', sa.Integer),
    sa.column('at', sa.DateTime(timezone=True)),
    sa.column('actor', sa.String),
    sa.column('kind', sa.String),
    sa.column('from_status', sa.String),
    sa.column('to_status', sa.String),
    sa.column('note', sa.Text),
)

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('first_reply_via', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('first_reply', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('cause', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('client_told', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('return_visit_from', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_visit_due', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_visited_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_visit_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('return_visit_via', sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column('client_unreachable', sa.Boolean(), nullable=False, server_default=sa.false())
        )


    _carry_over(datetime.now(UTC))


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite keeps no offset: what it gives back is UTC.
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _return_visit_due(settings: dict, timezone: str, start: datetime) -> datetime:
    # The team's one calendar (migration 0010 moved the older per-feature keys into it).
    sla = settings.get('complaint_sla') or {}
    calendar = settings.get('calendar') or {}
    working = {WEEKDAYS.index(d) for d in calendar.get('working_days') or WEEKDAYS[:5]}
    holidays = {date.fromisoformat(str(d)) for d in calendar.get('holidays') or []}
    workdays = {date.fromisoformat(str(d)) for d in calendar.get('workdays') or []}

    def works(day: date) -> bool:
        return day in workdays or (day.weekday() in working and day not in holidays)

    zone = ZoneInfo(timezone)
    local = start.astimezone(zone)
    day = local.date()
    for _ in range(int(sla.get('return_visit_days', 3))):
        day += timedelta(days=1)
        while not works(day):
            day += timedelta(days=1)
    return datetime.combine(day, local.time(), zone).astimezone(UTC)


def _carry_over(now: datetime) -> None:
    bind = op.get_bind()
    team_of = {row.id: row for row in bind.execute(sa.select(teams))}
    rows = bind.execute(
        sa.select(complaints).where(
            sa.or_(
                complaints.c.status == 'resolved',
                complaints.c.satisfaction.is_not(None),
                complaints.c.client_feedback != '',
            )
        )
    ).all()
    for row in rows:
        change = {}
        if row.satisfaction is not None or row.client_feedback:
            score = f"{row.satisfaction}/5" if row.satisfaction is not None else "-"
            note = f"{score} · {row.client_feedback}" if row.client_feedback else score
            bind.execute(
                events.insert().values(
                    complaint_id=row.id, at=now, actor=None, kind='carried_over', note=note
                )
            )
            change |= {'satisfaction': None, 'client_feedback': ''}
        if row.status == 'resolved':
            team = team_of[row.team_id]
            due = _return_visit_due(team.settings or {}, team.timezone, now)
            pending = _utc(row.next_escalation_at)
            change |= {
                'return_visit_from': now,
                'return_visit_due': due,
                'next_escalation_at': due if pending is None else min(pending, due),
            }
        bind.execute(complaints.update().where(complaints.c.id == row.id).values(**change))


def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_column('client_unreachable')
        batch_op.drop_column('return_visit_via')
        batch_op.drop_column('return_visit_on')
        batch_op.drop_column('return_visited_at')
        batch_op.drop_column('return_visit_due')
        batch_op.drop_column('return_visit_from')
        batch_op.drop_column('client_told')
        batch_op.drop_column('cause')
        batch_op.drop_column('first_reply')
        batch_op.drop_column('first_reply_via')
        batch_op.drop_column('stage')
