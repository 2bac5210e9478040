"""The list envelope {count, next, previous, data} with absolute page links."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import request, url_for
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from src.extensions import db

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


_envelopes: dict[type[Schema], type[Schema]] = {}


def envelope_schema(item_schema: type[Schema]) -> type[Schema]:
    """The paginated output schema around item_schema (one class per item schema)."""
    if item_schema not in _envelopes:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _envelopes[item_schema] = Schema.from_dict(
            {
                "count": fields.Integer(required=True),
                "next": fields.Url(allow_none=True, required=True),
                "previous": fields.Url(allow_none=True, required=True),
                "data": fields.List(fields.Nested(item_schema), required=True),
            },
            name=name,
        )
    return _envelopes[item_schema]


def page_link(page: int) -> str:
    """This request's absolute URL with `page` replaced (scheme and host as the client saw)."""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    args.update(request.view_args or {})
    return url_for(request.endpoint or "", _external=True, **args)


def envelope(*, items: Sequence[Any], count: int, page: int, page_size: int) -> dict[str, Any]:
    """Wrap one page of items in the contract's envelope."""
    last_page = max(1, -(-count // page_size))
    return {
        "count": count,
        "next": page_link(page + 1) if page < last_page else None,
        "previous": page_link(min(page - 1, last_page)) if page > 1 else None,
        "data": list(items),
    }


def paginate(
    statement: Select[*tuple[Any, ...]],
    *,
    page: int,
    page_size: int,
    scalars: bool = True,
    transform: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """Run one page of `statement` (and a count when the page cannot tell it), and wrap
    them in the envelope."""
    offset = (page - 1) * page_size
    result = db.session.execute(statement.limit(page_size).offset(offset))
    rows: Sequence[Any] = result.scalars().all() if scalars else result.all()
    if 0 < len(rows) < page_size or (page == 1 and not rows):
        count = offset + len(rows)  # this is the last page: the count is known
    else:
        count_query = select(func.count()).select_from(statement.order_by(None).subquery())
        count = db.session.execute(count_query).scalar_one()
    if transform is not None:
        rows = [transform(row) for row in rows]
    return envelope(items=rows, count=count, page=page, page_size=page_size)
