"""price refresh: the worker's lease and the prices revision, refresh counts, reported status

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

Only the worker's periodic refresh calls the providers. `price_refresh` holds, in its one row
`prices`, the interval a refresh last claimed (so that one refresh runs per interval however
many workers there are) and the prices revision every stored refresh bumps.
`price_refresh_counts` counts each provider's refresh outcomes for /metrics, and
`provider_status.reported_status` is the state last logged, so that a change is logged once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    refresh = op.create_table(
        "price_refresh",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("interval_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_price_refresh")),
    )
    op.bulk_insert(refresh, [{"name": "prices", "revision": 0}])
    op.create_table(
        "price_refresh_counts",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("provider", "outcome", name=op.f("pk_price_refresh_counts")),
    )
    op.add_column("provider_status", sa.Column("reported_status", sa.String(16), nullable=True))


def downgrade():
    op.drop_column("provider_status", "reported_status")
    op.drop_table("price_refresh_counts")
    op.drop_table("price_refresh")
