"""the clock's runs: one row per occurrence of a scheduled job that has run; APScheduler's job store goes

Revision ID: 0006
Revises: 0005

The scheduler now keeps its jobs in memory (its SQLAlchemy job store called the database
synchronously on the event loop's thread, and one failed call there stopped the clock for good).
What must survive a restart is which occurrences already ran: clock_runs holds that.
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'clock_runs',
        sa.Column('job_id', sa.String(length=191), nullable=False),
        sa.Column('occurrence', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('job_id', 'occurrence', name=op.f('pk_clock_runs')),
    )
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apscheduler_jobs_next_run_time'))
    op.drop_table('apscheduler_jobs')


def downgrade() -> None:
    op.create_table(
        'apscheduler_jobs',
        sa.Column('id', sa.Unicode(length=191), nullable=False),
        sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
        sa.Column('job_state', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_apscheduler_jobs')),
    )
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apscheduler_jobs_next_run_time'), ['next_run_time'], unique=False)
    op.drop_table('clock_runs')
