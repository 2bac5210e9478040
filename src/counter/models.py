from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from src.extensions import db


class RequestCounterSlot(db.Model):  # type: ignore[name-defined]
    """One stripe of the request count; the count is the sum over all slots.

    Concurrent increments spread over the slots, so they seldom wait for one row's lock.
    """

    __tablename__ = "request_counter"
    __table_args__ = (CheckConstraint("slot >= 0", name="slot_not_negative"),)

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
