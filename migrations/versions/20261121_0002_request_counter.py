"""request counter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The default REQUEST_COUNTER_SLOTS; the app adds rows for more slots on first use.
DEFAULT_SLOTS = 32


def upgrade():
    counter = op.create_table(
        "request_counter",
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("slot >= 0", name=op.f("ck_request_counter_slot_not_negative")),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_request_counter")),
    )
    op.bulk_insert(counter, [{"slot": slot, "count": 0} for slot in range(DEFAULT_SLOTS)])


def downgrade():
    op.drop_table("request_counter")
