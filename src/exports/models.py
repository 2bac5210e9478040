from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from src.columns import UtcDateTime, utcnow
from src.extensions import db

KINDS = ("prices", "catalog")
STATUSES = ("queued", "running", "succeeded", "failed")
PENDING = ("queued", "running")
# What clients see: a finished export whose file the retention purge deleted is "purged".
SHOWN_STATUSES = (*STATUSES, "purged")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


class Export(db.Model):  # type: ignore[name-defined]
    """One requested CSV export and where its job stands; the row is the job's truth."""

    __tablename__ = "exports"
    __table_args__ = (
        CheckConstraint(_one_of("kind", KINDS), name="kind_known"),
        CheckConstraint(_one_of("status", STATUSES), name="status_known"),
        CheckConstraint("until > since", name="window_order"),
        CheckConstraint("attempts >= 0", name="attempts_positive"),
        Index("ix_exports_requested_by_created_at", "requested_by", "created_at"),
        Index("ix_exports_status_not_before", "status", "not_before"),
        # The daily export (no requester) is made once per window, however often the task runs.
        Index(
            "uq_exports_daily_window",
            "kind",
            "since",
            "until",
            unique=True,
            sqlite_where=text("requested_by IS NULL"),
            postgresql_where=text("requested_by IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)  # noqa: A003
    requested_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="prices")
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    until: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    row_count: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    file: Mapped[str | None] = mapped_column(String(255))
    # When the next attempt is due (retries back off); the reconciler goes by it.
    not_before: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # Set when the retention purge deleted the file; the row stays a while to answer 410.
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def shown_status(self) -> str:
        """The status clients see: the job's own, or "purged" once its file is gone."""
        return "purged" if self.purged_at is not None else self.status
