"""Browsing the third-party movie list through this service."""

from __future__ import annotations

from typing import Any

from flask import current_app

from src.clients import movie_list
from src.database import outbound_call
from src.errors import UpstreamUnavailable
from src.pagination import page_link


def movie_list_settings() -> movie_list.MovieListSettings:
    """The movie list's address and credentials from the app's configuration."""
    config = current_app.config
    url, username = config.get("MOVIE_LIST_URL"), config.get("MOVIE_LIST_USERNAME")
    password = config.get("MOVIE_LIST_PASSWORD")
    if not (url and username and password):
        raise UpstreamUnavailable(
            "The movie list is not configured: set MOVIE_LIST_URL, MOVIE_LIST_USERNAME "
            "and MOVIE_LIST_PASSWORD."
        )
    return movie_list.MovieListSettings(
        url=url,
        username=username,
        password=password,
        deadline_s=float(config["MOVIE_LIST_DEADLINE_S"]),
    )


def list_page(*, page: int) -> dict[str, Any]:
    """One page of the movie list, with links to this service's neighbouring pages."""
    settings = movie_list_settings()
    with outbound_call(settings.deadline_s):
        listed = movie_list.fetch_page(settings=settings, page=page)
    return {
        "count": listed.count,
        "next": page_link(page + 1) if listed.has_next else None,
        "previous": page_link(page - 1) if listed.has_previous else None,
        "data": listed.movies,
    }
