"""Pieces shared by the quote and invoice endpoints: list queries, paging schemas, created responses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import functools
import json
import time
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import orjson
from flask import Response, g
from marshmallow import fields, validate
from sqlalchemy import Select, func, select

from api.common import PageQuerySchema, apply_sort, page_schema
from api.security import current_principal
from gestiq_app.sales.queries import DEFAULT_SORT, FILTER_ARGUMENTS, SORTABLE, dump_list_row, list_documents_query
from gestiq_app.sales.schemas import DocumentListItemSchema, DocumentQuerySchema, DocumentSchema
from gestiq_app.db import session
from gestiq_app.sales.settings import get_sales_settings

#: tenant id -> (time zone, monotonic expiry): a tenant's zone changes only by a back-office edit.
_TIME_ZONES: dict[uuid.UUID, tuple[ZoneInfo, float]] = {}
TIME_ZONE_TTL_SECONDS = 300

DocumentPageSchema = page_schema(DocumentListItemSchema)


class DocumentListQuerySchema(PageQuerySchema, DocumentQuerySchema):
    """?page=&page_size=&sort= plus the document filters."""


class InvoiceListQuerySchema(PageQuerySchema, DocumentQuerySchema):
    """Document filters plus the kind (invoices, credit notes or both)."""

    kind = fields.String(load_default=None, validate=validate.OneOf(("invoice", "credit_note")))


def list_documents(kinds: Sequence[str], args: dict[str, Any]) -> Response:
    """Answer one page of documents of `kinds` in one query (the total comes from a window count).

    The hot list of the app: no ORM objects, no marshmallow dump (rows are serialized by `dump_list_row`,
    documented as DocumentPageSchema and kept equal to it by a test; orjson encodes them), the page and its total in a single
    round trip (`count(*) OVER ()`; only a page past the end needs a second query), and the tenant's local
    date from a per-process cache of its time zone. The response is returned ready, flask-smorest passes it.
    """
    tenant_id = current_principal().tenant_id
    if args.get("kind"):
        kinds = [args["kind"]]
    today = cached_tenant_today(tenant_id)  # type: ignore[arg-type]
    page, page_size = args["page"], args["page_size"]
    if any(args.get(name) for name in FILTER_ARGUMENTS):
        statement = list_documents_query(tenant_id=tenant_id, kinds=kinds, filters=args, today=today)  # type: ignore[arg-type]
        page_statement = _page_of(statement, args.get("sort"), page, page_size)
    else:
        statement = None
        page_statement = _unfiltered_page(tuple(kinds), args.get("sort"), page, page_size, today)
    rows = session().execute(page_statement).all()
    if rows:
        total = rows[0].total_rows
    else:
        # an empty page: past the end (count again) or an empty list
        if page > 1 and statement is None:
            statement = list_documents_query(tenant_id=tenant_id, kinds=kinds, filters={}, today=today)  # type: ignore[arg-type]
        total = (session().scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0) if page > 1 else 0  # type: ignore[union-attr]
    meta = {"total": total, "page": page, "page_size": page_size, "pages": (total + page_size - 1) // page_size}
    g.pagination_header = json.dumps(meta)
    body = orjson.dumps({"items": [dump_list_row(row) for row in rows], **meta})
    return Response(body, mimetype="application/json")


def _page_of(statement: Select, sort: str | None, page: int, page_size: int) -> Select:
    counted = apply_sort(statement.add_columns(func.count().over().label("total_rows")), sort, SORTABLE, DEFAULT_SORT)
    return counted.limit(page_size).offset((page - 1) * page_size)


@functools.lru_cache(maxsize=256)
def _unfiltered_page(kinds: tuple[str, ...], sort: str | None, page: int, page_size: int, today: date) -> Select:
    """Return the page statement of an unfiltered list, built once per process and shape (the common request).

    It holds no tenant: the ORM tenant guard adds the tenant criteria at every execution (and PostgreSQL's
    row-level security applies), exactly as for a statement built per request.
    """
    return _page_of(list_documents_query(tenant_id=None, kinds=kinds, filters={}, today=today), sort, page, page_size)  # type: ignore[arg-type]


def cached_tenant_today(tenant_id: uuid.UUID) -> date:
    """Return today's date in the tenant's time zone, read from the database at most every 5 minutes per process."""
    cached = _TIME_ZONES.get(tenant_id)
    if cached is None or cached[1] < time.monotonic():
        cached = (ZoneInfo(get_sales_settings(tenant_id=tenant_id).timezone), time.monotonic() + TIME_ZONE_TTL_SECONDS)
        _TIME_ZONES[tenant_id] = cached
    return datetime.now(cached[0]).date()


def created(document: Any, location: str) -> tuple[Any, int, dict[str, str]]:
    """Return a 201 answer with the new document and its Location."""
    return document, 201, {"Location": location}


__all__ = ["DocumentListQuerySchema", "DocumentPageSchema", "DocumentSchema", "InvoiceListQuerySchema", "created", "list_documents"]
