"""Who is calling: what the token check establishes and the views use, instead of a User row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of this request, from its verified token and its login session's row.

    The role is the token's signed claim: a role change or a deletion revokes the user's
    sessions in the same transaction, so no token outlives the role it names.
    """

    id: int  # noqa: A003 (the user id, as everywhere in this service)
    username: str
    role: str
    sid: str  # the login session
    token_id: str  # the presented token's jti (a refresh spends it)
    created_at: datetime  # the account's, for GET /me/

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
