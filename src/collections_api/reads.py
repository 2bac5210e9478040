"""A user's collections, answered from the read cache under that user's revision.

Every write of a user's collections (service.py) bumps the user's revision in its
transaction; these reads look it up first, in the transaction that would compute the answer
(in the token check's own statement: the routes declare it).
"""

from __future__ import annotations

from uuid import UUID

from flask import Response

from src import caching, revisions
from src.collections_api import service
from src.collections_api.schemas import CollectionListSchema, CollectionSchema

_list = CollectionListSchema()
_collection = CollectionSchema()


def list_collections(*, owner_id: int) -> Response:
    """The owner's collections and favourite genres."""
    revision = revisions.request_revision(service.revision_name(owner_id))
    key = caching.cache_key("collections.list", revision, str(owner_id))

    def make() -> caching.CachedBody:
        return caching.CachedBody.of(_list.dump(service.list_collections(owner_id=owner_id)))

    return caching.answer_body(caching.read_cache().get_or_make(key, make), key=key)


def get_collection(*, owner_id: int, collection_uuid: UUID) -> Response:
    """One of the owner's collections (another user's is NotFound, never kept)."""
    revision = revisions.request_revision(service.revision_name(owner_id))
    key = caching.cache_key("collections.one", revision, f"{owner_id}|{collection_uuid}")

    def make() -> caching.CachedBody:
        found = service.get_collection(owner_id=owner_id, collection_uuid=collection_uuid)
        return caching.CachedBody.of(_collection.dump(found))

    return caching.answer_body(caching.read_cache().get_or_make(key, make), key=key)
