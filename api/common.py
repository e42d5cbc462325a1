"""Shared API pieces: money fields documented as strings (re-exported), paging and sorting of lists."""

from __future__ import annotations

import json
from typing import Any

from flask import g
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute

import gestiq_app.validation  # noqa: F401 - Spanish messages
from gestiq_app.fields import Money  # noqa: F401 - re-exported: schemas live in the domain packages
from api.errors import ApiProblem
from gestiq_app.db import session

MAX_PAGE_SIZE = 200


class PageQuerySchema(Schema):
    """?page=&page_size=&sort= (sort: a field name, `-field` for descending)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    sort = fields.String(load_default=None, validate=validate.Length(max=60))


class PageMetaSchema(Schema):
    """Paging metadata of a list response."""

    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    pages = fields.Integer(required=True)


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """Return a list-response schema `{items: [...], total, page, page_size, pages}` for an item schema."""
    return type(
        f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
        (PageMetaSchema,),
        {"items": fields.List(fields.Nested(item_schema), required=True)},
    )


def apply_sort(statement: Select, sort: str | None, sortable: dict[str, InstrumentedAttribute], default: str) -> Select:
    """Order a statement by an allowed field (422 for an unknown one); the id breaks ties for stable pages."""
    key = sort or default
    descending = key.startswith("-")
    name = key.lstrip("-")
    column = sortable.get(name)
    if column is None:
        raise ApiProblem(422, "Campo de orden no admitido.", errors={"sort": [f"Use uno de: {', '.join(sorted(sortable))} (con - delante para descendente)."]})
    entity = column.class_
    return statement.order_by(column.desc() if descending else column.asc(), entity.id.asc())


def paginate(statement: Select, args: dict[str, Any], *, sortable: dict[str, InstrumentedAttribute], default_sort: str,
             rows: bool = False) -> dict[str, Any]:
    """Run a list query a page at a time and return `{items, total, page, page_size, pages}` (also in X-Pagination).

    `rows=True` returns the selected columns as rows (lean lists) instead of the first column's objects.
    """
    page, page_size = args["page"], args["page_size"]
    total = session().scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    ordered = apply_sort(statement, args.get("sort"), sortable, default_sort)
    result = session().execute(ordered.limit(page_size).offset((page - 1) * page_size))
    items = result.all() if rows else result.scalars().all()
    meta = {"total": total, "page": page, "page_size": page_size, "pages": (total + page_size - 1) // page_size}
    g.pagination_header = json.dumps(meta)
    return {"items": items, **meta}
