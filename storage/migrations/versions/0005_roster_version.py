"""the roster's version: one number the database raises whenever teams, members or people change

Revision ID: 0005
Revises: 0004

Triggers, not application code, raise it, so that no writer can forget to: the bot, the CLI in
another process, a hand-written UPDATE. On PostgreSQL the trigger is a deferred constraint trigger:
the row is raised at commit, after every other row the transaction locks, so two transactions that
change the roster queue for it instead of deadlocking on it.

A later migration that rebuilds teams, members or people on SQLite (Alembic's batch mode copies the
table and drops the original) drops these triggers with it and must create them again;
tests/storage/test_roster_version.py fails if it does not.
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ("teams", "members", "people")


def upgrade() -> None:
    op.create_table(
        'roster_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_version')),
    )
    op.execute("INSERT INTO roster_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION roster_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE roster_version SET version = version + 1;
                RETURN NULL;
            END
            $$
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER roster_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION roster_changed()"
            )
        return
    for table in TABLES:
        for change in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER roster_changed_{table}_{change.lower()} AFTER {change} ON {table} "
                "BEGIN UPDATE roster_version SET version = version + 1; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER roster_changed ON {table}")
        op.execute("DROP FUNCTION roster_changed()")
    else:
        for table in TABLES:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER roster_changed_{table}_{change}")
    op.drop_table('roster_version')
