"""outbox: which sender holds a row's claim

Revision ID: 0007
Revises: 0005

A claim is now short and renewed by its holder while it works on the row, so a sender that died
(SIGKILL) holds back its lanes for seconds, not minutes; the holder's id says whose claim it is.
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
