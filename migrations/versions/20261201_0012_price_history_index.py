"""price history: an index for one movie's last 30 days

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

The movie page reads one movie's price history since a day 30 days back. The index on
(movie_id, provider, observed_at) can bound that read only by the movie (observed_at comes
after provider), so Postgres chose the observed_at index and filtered every movie's rows of
the window. (movie_id, observed_at) bounds it to the window itself; on Postgres provider and
price are included, so the daily lows come from the index alone (an index-only scan).
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_price_history_movie_observed",
        "price_history",
        ["movie_id", "observed_at"],
        postgresql_include=["provider", "price"],
    )


def downgrade():
    op.drop_index("ix_price_history_movie_observed", table_name="price_history")
