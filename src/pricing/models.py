from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from src.columns import UtcDateTime
from src.extensions import db

# SQLite only auto-increments an INTEGER PRIMARY KEY.
HISTORY_ID = BigInteger().with_variant(Integer(), "sqlite")
MONEY = Numeric(10, 2)


class PriceObservation(db.Model):  # type: ignore[name-defined]
    """One price seen at one provider at one time; appended, never updated (exports read it)."""

    __tablename__ = "price_history"
    __table_args__ = (
        Index("ix_price_history_observed_at", "observed_at"),
        Index("ix_price_history_movie_provider", "movie_id", "provider", "observed_at"),
    )

    id: Mapped[int] = mapped_column(HISTORY_ID, primary_key=True, autoincrement=True)  # noqa: A003
    provider: Mapped[str] = mapped_column(String(32))
    provider_movie_id: Mapped[str] = mapped_column(String(32))
    movie_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(MONEY)
    observed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProviderOffer(db.Model):  # type: ignore[name-defined]
    """A provider's current offer for one movie: the last good record it sent."""

    __tablename__ = "provider_offers"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        Index("ix_provider_offers_movie_id", "movie_id"),
    )

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider_movie_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    movie_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    poster: Mapped[str | None] = mapped_column(String(2000))
    price: Mapped[Decimal] = mapped_column(MONEY)
    details: Mapped[dict[str, str]] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProviderStatus(db.Model):  # type: ignore[name-defined]
    """How the last fetches from one provider went."""

    __tablename__ = "provider_status"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The state the refresh last logged (ok, stale, unavailable): a change is logged once.
    reported_status: Mapped[str | None] = mapped_column(String(16))


class PriceRefresh(db.Model):  # type: ignore[name-defined]
    """The refresh's one row (`prices`): the interval it last claimed, so that one refresh
    runs per interval however many workers run. (The revision every stored refresh bumps is
    the read caches' `prices`, in `revisions`.)"""

    __tablename__ = "price_refresh"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    interval_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RefreshCount(db.Model):  # type: ignore[name-defined]
    """How many refreshes of a provider ended with an outcome (ok, partial, failed, paused),
    kept in the database so that /metrics shows them whichever process refreshed."""

    __tablename__ = "price_refresh_counts"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
