from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from src.columns import UtcDateTime, utcnow
from src.extensions import db

ROLES = ("user", "admin")


class User(db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(map(repr, ROLES))})", name="role_known"),
        CheckConstraint("length(username) BETWEEN 3 AND 150", name="username_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="user")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


# Usernames are unique whatever their case: "Alice" cannot register when "alice" exists.
Index("uq_users_username_lower", func.lower(User.username), unique=True)


class LoginSession(db.Model):  # type: ignore[name-defined]
    """One login: the `sid` claim of its tokens, and the one refresh token that may rotate it."""

    __tablename__ = "login_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    refresh_jti: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When every token of the session has expired; the daily purge forgets it afterwards.
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
