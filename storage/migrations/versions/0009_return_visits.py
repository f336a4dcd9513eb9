"""complaints as the revised regulations have them: the stage, the first reply to the client, the
cause and what the client was told at resolution

Revision ID: 0009
Revises: 0008 (0008_risks)
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
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
