"""Collections business rules; each public function is one unit of work."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from src import revisions
from src.collections_api import repository
from src.collections_api.models import Collection
from src.columns import utcnow
from src.errors import NotFound
from src.extensions import db

FAVOURITE_GENRES = 3


def revision_name(owner_id: int) -> str:
    """The revision of one user's collections: each of their writes bumps it first (so their
    writes queue on it in one order); reads.py keeps answers by it."""
    return f"collections:{owner_id}"


def _begin_write(owner_id: int) -> None:
    revisions.bump(revision_name(owner_id), owner_id=owner_id)


def list_collections(*, owner_id: int) -> dict[str, Any]:
    """The owner's collections and their favourite genres across all of them."""
    genres = repository.favourite_genres(owner_id=owner_id, limit=FAVOURITE_GENRES)
    return {
        "is_success": True,
        "data": {
            "collections": repository.owned_by(owner_id=owner_id),
            "favourite_genres": ", ".join(genres),
        },
    }


def create_collection(
    *, owner_id: int, title: str, description: str, movies: list[dict[str, Any]]
) -> dict[str, UUID]:
    """Make a collection holding its own copy of each movie, as sent."""
    _begin_write(owner_id)
    collection = Collection(user_id=owner_id, title=title, description=description)
    repository.add(collection)
    repository.replace_movies(collection=collection, movies=movies)
    db.session.commit()
    return {"collection_uuid": collection.uuid}


def get_collection(*, owner_id: int, collection_uuid: UUID, for_update: bool = False) -> Collection:
    """The owner's collection, or NotFound (also when it is another user's)."""
    collection = repository.get_owned(
        collection_uuid=collection_uuid, owner_id=owner_id, for_update=for_update
    )
    if collection is None:
        raise NotFound(f"No collection with uuid {collection_uuid}.")
    return collection


def update_collection(
    *,
    owner_id: int,
    collection_uuid: UUID,
    movies: list[dict[str, Any]] | None = None,
    **changes: Any,
) -> Collection:
    """Change the given fields; `movies`, when given, replaces the whole list."""
    _begin_write(owner_id)
    # Locked: two PUTs of one collection each replace the whole list, one after the other.
    collection = get_collection(owner_id=owner_id, collection_uuid=collection_uuid, for_update=True)
    for name, value in changes.items():
        setattr(collection, name, value)
    if movies is not None:
        repository.replace_movies(collection=collection, movies=movies)
    collection.updated_at = utcnow()
    db.session.commit()
    return collection


def delete_collection(*, owner_id: int, collection_uuid: UUID) -> None:
    """Remove a collection with its movies; other collections keep their own copies."""
    _begin_write(owner_id)
    repository.delete_collection(get_collection(owner_id=owner_id, collection_uuid=collection_uuid))
    db.session.commit()
