from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from flask_smorest import Blueprint

from src.accounts.auth import current_principal, reads_revision
from src.caching import NOT_MODIFIED
from src.collections_api import reads, service
from src.collections_api.models import Collection
from src.collections_api.schemas import (
    CollectionCreatedSchema,
    CollectionCreateSchema,
    CollectionListSchema,
    CollectionSchema,
    CollectionUpdateSchema,
)
from src.repeat_reads import answers_repeats

bp = Blueprint(
    "collections",
    __name__,
    url_prefix="/collection",
    description="Each user's own collections of movies from the movie list",
)
NOT_YOURS = "No such collection among yours (another user's is 404 too)."


@bp.get("/")
@answers_repeats
@bp.response(200, CollectionListSchema)
@bp.alt_response(304, description=NOT_MODIFIED)
@reads_revision(service.revision_name)
def list_collections() -> Response:
    """Your collections and your 3 favourite genres across all of them."""
    return reads.list_collections(owner_id=current_principal().id)


@bp.post("/")
@bp.arguments(CollectionCreateSchema)
@bp.response(201, CollectionCreatedSchema)
def create_collection(data: dict[str, Any]) -> dict[str, UUID]:
    """Create a collection; it keeps its movies exactly as you send them."""
    return service.create_collection(owner_id=current_principal().id, **data)


@bp.get("/<uuid:collection_uuid>/")
@answers_repeats
@bp.response(200, CollectionSchema)
@bp.alt_response(404, description=NOT_YOURS)
@bp.alt_response(304, description=NOT_MODIFIED)
@reads_revision(service.revision_name)
def get_collection(collection_uuid: UUID) -> Response:
    """One of your collections with its movies."""
    return reads.get_collection(owner_id=current_principal().id, collection_uuid=collection_uuid)


@bp.put("/<uuid:collection_uuid>/")
@bp.arguments(CollectionUpdateSchema)
@bp.response(200, CollectionSchema)
@bp.alt_response(404, description=NOT_YOURS)
def update_collection(data: dict[str, Any], collection_uuid: UUID) -> Collection:
    """Change any of title, description and movies (movies replaces the whole list)."""
    return service.update_collection(
        owner_id=current_principal().id, collection_uuid=collection_uuid, **data
    )


@bp.delete("/<uuid:collection_uuid>/")
@bp.response(204)
@bp.alt_response(404, description=NOT_YOURS)
def delete_collection(collection_uuid: UUID) -> None:
    """Delete one of your collections."""
    service.delete_collection(owner_id=current_principal().id, collection_uuid=collection_uuid)
