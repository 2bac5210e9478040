"""exports: retention (purged_at)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

The retention purge deletes an export's file EXPORT_RETENTION_DAYS after it finished and
stamps purged_at; the row stays as a tombstone for as long again, so that a download answers
410 Gone rather than 404, and is then deleted.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("exports", sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("exports", "purged_at")  # SQLite 3.35+ drops an unindexed column in place
