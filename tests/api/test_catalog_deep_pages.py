"""A page by number deep in a sort starts from a position kept every POSITION_EVERY rows
(src/catalog/service.py) instead of skipping the whole offset: its movies must be those of
the plain offset, in every sort, with filters, ties and past the end, and a write must move
the positions with the catalog."""

from __future__ import annotations

import pytest

from src.catalog import service

LIST = "/catalog/movies/"
EVERY = 4  # rows between kept positions here, so that a catalog of 30 movies has seven


@pytest.fixture
def positions_every_few_rows(monkeypatch):
    monkeypatch.setattr(service, "POSITION_EVERY", EVERY)


@pytest.fixture
def catalog(client, admin_headers):
    ids = []
    for number in range(30):
        body = {
            "title": ("Same", "Heat", f"Movie {number:02}")[number % 3],  # ties break by id
            "format": ("VHS", "DVD", "Streaming")[number % 3 if number % 5 else 1],
            "length": 90 + number % 4 * 10,
            "release_year": 1980 + number % 6,
            "rating": 1 + number % 5,
        }
        response = client.post(LIST, json=body, headers=admin_headers)
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
    return ids


def _ids(client, headers, **params):
    response = client.get(LIST, query_string=params, headers=headers)
    assert response.status_code == 200, response.json
    return [movie["id"] for movie in response.json["data"]]


def _in_full(client, headers, **params):
    """The whole order by following the cursors, which never use the kept positions."""
    seen, cursor = [], None
    while True:
        query = {"page_size": 7, **params, **({"cursor": cursor} if cursor else {})}
        response = client.get(LIST, query_string=query, headers=headers)
        assert response.status_code == 200, response.json
        seen.extend(movie["id"] for movie in response.json["data"])
        if response.json["next"] is None:
            return seen
        cursor = response.json["next"].rpartition("cursor=")[2]


@pytest.mark.parametrize(
    ("sort", "filters"),
    [
        ("title", {}),
        ("-title", {}),
        ("-rating,title", {}),
        ("release_year,-length", {"format": "DVD"}),
        ("-created_at", {}),
        ("format", {"release_year": 1981}),
    ],
)
def test_every_page_by_number_is_the_plain_offsets_page(
    client, user_headers, catalog, positions_every_few_rows, sort, filters
):
    expected = _in_full(client, user_headers, sort=sort, **filters)
    assert len(expected) > EVERY
    for page_size in (1, 3, 5, 9):  # each its own query: its positions, or those kept before
        pages = -(-len(expected) // page_size)
        for page in (pages, *range(1, pages + 2)):  # the last page first, then in order
            query = {"sort": sort, "page": page, "page_size": page_size, **filters}
            listed = _ids(client, user_headers, **query)
            start = (page - 1) * page_size
            assert listed == expected[start : start + page_size], (page_size, page)


def test_a_write_moves_the_positions_with_the_catalog(
    client, admin_headers, user_headers, catalog, positions_every_few_rows
):
    assert _ids(client, user_headers, sort="title", page=6, page_size=4)  # positions kept
    first = {"title": "Aardvark", "format": "DVD", "length": 90, "release_year": 1990, "rating": 3}
    added = client.post(LIST, json=first, headers=admin_headers)
    assert added.status_code == 201, added.json
    gone = client.delete(f"{LIST}{catalog[-1]}/", headers=admin_headers)
    assert gone.status_code == 204
    expected = _in_full(client, user_headers, sort="title")
    for page in (6, 5, 7, 2):
        listed = _ids(client, user_headers, sort="title", page=page, page_size=4)
        assert listed == expected[(page - 1) * 4 : page * 4], page
