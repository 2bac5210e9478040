"""Helpers for the collections tests: movies as the movie list sends them."""

import uuid

NAMESPACE = uuid.UUID("5b0c8f5e-3c1e-4d0e-9a57-4f3b1f6f2a10")


def listed(number, *, genres="Drama", title=None, description=None):
    """Movie number `number` of an imaginary movie list (its uuid is stable)."""
    return {
        "title": title or f"Movie {number}",
        "description": f"About movie {number}." if description is None else description,
        "genres": genres,
        "uuid": str(uuid.uuid5(NAMESPACE, str(number))),
    }


def collection(title="Favourites", *, description="Films I like", movies=()):
    return {"title": title, "description": description, "movies": list(movies)}


def create(client, headers, body):
    """POST a collection and return its uuid (asserting the 201)."""
    response = client.post("/collection/", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json["collection_uuid"]


def favourite_genres(client, headers):
    response = client.get("/collection/", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["data"]["favourite_genres"]
