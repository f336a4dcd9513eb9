"""the daily stand-up: each team's day (asked, summarised) and each person's answer; people's names

Revision ID: 0013
Revises: 0012

Stored stand-up blocks lose `days`: the stand-up follows the team's calendar (the same drop
`teams import` makes on an older file, written here on its own because a migration imports nothing
of the application).
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TEAMS = sa.table("teams", sa.column("id", sa.Integer), sa.column("settings", sa.JSON))


def upgrade() -> None:
    op.create_table(
        'standup_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('questions', sa.JSON(), nullable=False),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('summary_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('summary_messages', sa.Integer(), nullable=False),
        sa.Column('late_answers', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_standup_days_team_id_teams'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_standup_days')),
        sa.UniqueConstraint('team_id', 'day', name=op.f('uq_standup_days_team_id')),
    )
    op.create_table(
        'standup_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('standup_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('away', sa.Boolean(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('reminded', sa.Boolean(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['standup_id'], ['standup_days.id'], name=op.f('fk_standup_answers_standup_id_standup_days'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_standup_answers')),
        sa.UniqueConstraint('standup_id', 'user_id', name=op.f('uq_standup_answers_standup_id')),
    )
    with op.batch_alter_table('standup_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standup_answers_standup_id'), ['standup_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standup_answers_user_id'), ['user_id'], unique=False)

    # A plain ADD COLUMN (no batch copy on SQLite), so people keeps its roster-version triggers.
    op.add_column('people', sa.Column('name', sa.String(length=200), nullable=True))

    bind = op.get_bind()
    for team_id, settings in bind.execute(sa.select(TEAMS.c.id, TEAMS.c.settings)).all():
        standup = (settings or {}).get("standup")
        if isinstance(standup, dict) and "days" in standup:
            kept = {**settings, "standup": {k: v for k, v in standup.items() if k != "days"}}
            bind.execute(TEAMS.update().where(TEAMS.c.id == team_id).values(settings=kept))


def downgrade() -> None:
    op.drop_column('people', 'name')
    with op.batch_alter_table('standup_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standup_answers_user_id'))
        batch_op.drop_index(batch_op.f('ix_standup_answers_standup_id'))
    op.drop_table('standup_answers')
    op.drop_table('standup_days')
