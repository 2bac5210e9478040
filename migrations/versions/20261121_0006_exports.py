"""exports

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("since", UTC_DATETIME, nullable=False),
        sa.Column("until", UTC_DATETIME, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("file", sa.String(length=255), nullable=True),
        sa.Column("not_before", UTC_DATETIME, nullable=False),
        sa.Column("lease_expires_at", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=True),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("kind IN ('prices', 'catalog')", name=op.f("ck_exports_kind_known")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')",
            name=op.f("ck_exports_status_known"),
        ),
        sa.CheckConstraint("until > since", name=op.f("ck_exports_window_order")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_exports_attempts_positive")),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_exports_requested_by_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    op.create_index("ix_exports_requested_by_created_at", "exports", ["requested_by", "created_at"])
    op.create_index("ix_exports_status_not_before", "exports", ["status", "not_before"])
    op.create_index(
        "uq_exports_daily_window",
        "exports",
        ["kind", "since", "until"],
        unique=True,
        sqlite_where=sa.text("requested_by IS NULL"),
        postgresql_where=sa.text("requested_by IS NULL"),
    )


def downgrade():
    op.drop_table("exports")
