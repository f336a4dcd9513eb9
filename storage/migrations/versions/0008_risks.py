"""risks: the register, each risk's audit trail, its indicators and their values, the reference sequences

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'risk_sequences',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_risk_sequences_workspace_id_workspaces'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('workspace_id', 'year', name=op.f('pk_risk_sequences')),
    )
    op.create_table(
        'risks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('cause', sa.Text(), nullable=False),
        sa.Column('consequence', sa.Text(), nullable=False),
        sa.Column('likelihood', sa.Integer(), nullable=False),
        sa.Column('impact', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('owner_id', sa.String(length=32), nullable=False),
        sa.Column('department', sa.String(length=100), nullable=False),
        sa.Column('strategy', sa.String(length=16), nullable=False),
        sa.Column('plan', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reviewed_on', sa.Date(), nullable=False),
        sa.Column('next_review', sa.Date(), nullable=False),
        sa.Column('remind_on', sa.Date(), nullable=True),
        sa.Column('raised_by', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_risks_team_id_teams'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_risks_workspace_id_workspaces'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risks')),
        sa.UniqueConstraint('reference', name=op.f('uq_risks_reference')),
        sa.UniqueConstraint('workspace_id', 'year', 'number', name=op.f('uq_risks_workspace_id')),
    )
    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risks_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_risks_team_status', ['team_id', 'status'], unique=False)
        batch_op.create_index('ix_risks_team_remind_on', ['team_id', 'remind_on'], unique=False)
    op.create_table(
        'risk_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('risk_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=32), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], name=op.f('fk_risk_events_risk_id_risks'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_events')),
    )
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_events_risk_id'), ['risk_id'], unique=False)
    op.create_table(
        'risk_indicators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('risk_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('unit', sa.String(length=32), nullable=False),
        sa.Column('direction', sa.String(length=8), nullable=False),
        sa.Column('threshold', sa.Float(), nullable=False),
        sa.Column('last_value', sa.Float(), nullable=True),
        sa.Column('breached', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], name=op.f('fk_risk_indicators_risk_id_risks'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_indicators')),
        sa.UniqueConstraint('risk_id', 'name', name=op.f('uq_risk_indicators_risk_id')),
    )
    op.create_table(
        'risk_values',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['indicator_id'], ['risk_indicators.id'], name=op.f('fk_risk_values_indicator_id_risk_indicators'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_values')),
    )
    with op.batch_alter_table('risk_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_values_indicator_id'), ['indicator_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('risk_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_values_indicator_id'))
    op.drop_table('risk_values')
    op.drop_table('risk_indicators')
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_events_risk_id'))
    op.drop_table('risk_events')
    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.drop_index('ix_risks_team_remind_on')
        batch_op.drop_index('ix_risks_team_status')
        batch_op.drop_index(batch_op.f('ix_risks_owner_id'))
    op.drop_table('risks')
    op.drop_table('risk_sequences')
