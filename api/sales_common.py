"""Pieces shared by the quote and invoice endpoints: list queries, paging schemas, created responses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, jsonify
from marshmallow import fields, validate

from api.common import PageQuerySchema, page_schema, paginate
from api.security import current_principal
from gestiq_app.sales.queries import DEFAULT_SORT, SORTABLE, dump_list_row, list_documents_query
from gestiq_app.sales.schemas import DocumentListItemSchema, DocumentQuerySchema, DocumentSchema
from gestiq_app.sales.settings import tenant_today

DocumentPageSchema = page_schema(DocumentListItemSchema)


class DocumentListQuerySchema(PageQuerySchema, DocumentQuerySchema):
    """?page=&page_size=&sort= plus the document filters."""


class InvoiceListQuerySchema(PageQuerySchema, DocumentQuerySchema):
    """Document filters plus the kind (invoices, credit notes or both)."""

    kind = fields.String(load_default=None, validate=validate.OneOf(("invoice", "credit_note")))


def list_documents(kinds: Sequence[str], args: dict[str, Any]) -> Response:
    """Answer one page of documents of `kinds` (one query for the page, one for the count).

    The rows are serialized by `dump_list_row` and returned as a ready Response, which flask-smorest
    passes through: dumping 200 rows through marshmallow took half of the request's time. The documented
    schema stays DocumentPageSchema, and a test keeps both serializations equal.
    """
    tenant_id = current_principal().tenant_id
    if args.get("kind"):
        kinds = [args["kind"]]
    statement = list_documents_query(tenant_id=tenant_id, kinds=kinds, filters=args,  # type: ignore[arg-type]
                                     today=tenant_today(tenant_id=tenant_id))  # type: ignore[arg-type]
    page = paginate(statement, args, sortable=SORTABLE, default_sort=DEFAULT_SORT, rows=True)
    return jsonify({**page, "items": [dump_list_row(row) for row in page["items"]]})


def created(document: Any, location: str) -> tuple[Any, int, dict[str, str]]:
    """Return a 201 answer with the new document and its Location."""
    return document, 201, {"Location": location}


__all__ = ["DocumentListQuerySchema", "DocumentPageSchema", "DocumentSchema", "InvoiceListQuerySchema", "created", "list_documents"]
