"""progress reports say whether they are a major problem, and the solution proposed for it

Revision ID: 0011
Revises: 0010

Reports stored before are not major problems and propose nothing (the server defaults).
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('progress_reports') as batch:
        batch.add_column(sa.Column('major', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('solution', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('progress_reports') as batch:
        batch.drop_column('solution')
        batch.drop_column('major')
