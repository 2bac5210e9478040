"""read caches: revisions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

A revision is a named counter that every write of some cached data bumps in its own
transaction (src/caching.py); reads look it up and answer what their process cached for it.
`stamp` is drawn anew at each bump, so a bump that was rolled back never names the same
revision as a later committed one. A counter of one user's data (owner_id) is deleted with
the user: a reused user id starts from no revision.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "revisions",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_revisions_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_revisions")),
    )
    op.create_index("ix_revisions_owner_id", "revisions", ["owner_id"])


def downgrade():
    op.drop_index("ix_revisions_owner_id", table_name="revisions")
    op.drop_table("revisions")
