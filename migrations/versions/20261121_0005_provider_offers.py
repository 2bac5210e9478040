"""provider offers and provider status

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "provider_offers",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_movie_id", sa.String(length=32), nullable=False),
        sa.Column("movie_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("poster", sa.String(length=2000), nullable=True),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price >= 0", name=op.f("ck_provider_offers_price_not_negative")),
        sa.PrimaryKeyConstraint("provider", "provider_movie_id", name=op.f("pk_provider_offers")),
    )
    op.create_index("ix_provider_offers_movie_id", "provider_offers", ["movie_id"])
    op.create_table(
        "provider_status",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("provider", name=op.f("pk_provider_status")),
    )


def downgrade():
    op.drop_table("provider_status")
    op.drop_index("ix_provider_offers_movie_id", table_name="provider_offers")
    op.drop_table("provider_offers")
