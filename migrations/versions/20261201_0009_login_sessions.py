"""accounts: login sessions replace the revoked-token list

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

A login session is a row: the `sid` claim of its tokens, the one refresh token that may
rotate it (refresh_jti) and when it was revoked. The token check reads it by primary key in
the same query as the user, so a session unknown or revoked is refused on every instance.
Revocations in revoked_tokens cannot be carried over (the sessions they left alive are not
known either): tokens issued before this migration are refused, and their users log in again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "login_sessions",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("refresh_jti", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("revoked_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_login_sessions")),
    )
    op.create_index("ix_login_sessions_expires_at", "login_sessions", ["expires_at"])
    op.create_index("ix_login_sessions_user_id", "login_sessions", ["user_id"])
    op.drop_index("ix_revoked_tokens_user_id", table_name="revoked_tokens")
    op.drop_index("ix_revoked_tokens_expires_at", table_name="revoked_tokens")
    op.drop_table("revoked_tokens")


def downgrade():
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("revoked_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_revoked_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_tokens")),
    )
    op.create_index("ix_revoked_tokens_expires_at", "revoked_tokens", ["expires_at"])
    op.create_index("ix_revoked_tokens_user_id", "revoked_tokens", ["user_id"])
    # Sessions still alive stay alive: their sid is simply not in the revoked list.
    op.execute(
        "INSERT INTO revoked_tokens (jti, user_id, expires_at, revoked_at) "
        "SELECT sid, user_id, expires_at, revoked_at FROM login_sessions "
        "WHERE revoked_at IS NOT NULL"
    )
    op.drop_index("ix_login_sessions_user_id", table_name="login_sessions")
    op.drop_index("ix_login_sessions_expires_at", table_name="login_sessions")
    op.drop_table("login_sessions")
