"""prices revision: moved from price_refresh to the read caches' revisions table

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01

The refresh bumps the read caches' revision `prices` (src/caching.py) in the transaction that
stores the offers, so that `price_refresh` keeps only the interval lease. Its old counter
goes; a cache keyed by it lived in one process and does not outlive the deploy.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("price_refresh") as batch:
        batch.drop_column("revision")


def downgrade():
    with op.batch_alter_table("price_refresh") as batch:
        batch.add_column(sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0"))
