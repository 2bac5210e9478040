"""What a logout must do to a token, whichever path the token check takes."""

from __future__ import annotations

from typing import Any


def assert_logout_refuses_the_next_cached_read(client: Any, headers: dict[str, str]) -> None:
    """A cached catalog read answers, the session logs out, the same read is a 401 problem."""
    assert client.get("/catalog/movies/", headers=headers).status_code == 200
    assert client.post("/logout/", headers=headers).status_code == 200
    refused = client.get("/catalog/movies/", headers=headers)
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert refused.json["detail"] == "The token has been revoked; log in again."
