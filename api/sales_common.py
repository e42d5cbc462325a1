"""Pieces shared by the quote and invoice endpoints: list queries, paging schemas, created responses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marshmallow import fields, validate

from api.common import PageQuerySchema, page_schema, paginate
from api.security import current_principal
from gestiq_app.sales.queries import DEFAULT_SORT, SORTABLE, list_documents_query
from gestiq_app.sales.schemas import DocumentListItemSchema, DocumentQuerySchema, DocumentSchema
from gestiq_app.sales.settings import tenant_today

DocumentPageSchema = page_schema(DocumentListItemSchema)


class QuoteListQuerySchema(PageQuerySchema, DocumentQuerySchema):
    """?page=&page_size=&sort= plus the document filters."""


class InvoiceListQuerySchema(PageQuerySchema, DocumentQuerySchema):
    """Document filters plus the kind (invoices, credit notes or both)."""

    kind = fields.String(load_default=None, validate=validate.OneOf(("invoice", "credit_note")))


def list_documents(kinds: Sequence[str], args: dict[str, Any]) -> dict[str, Any]:
    """Return one page of documents of `kinds` as lean rows (one query for the page, one for the count)."""
    tenant_id = current_principal().tenant_id
    if args.get("kind"):
        kinds = [args["kind"]]
    statement = list_documents_query(tenant_id=tenant_id, kinds=kinds, filters=args,  # type: ignore[arg-type]
                                     today=tenant_today(tenant_id=tenant_id))  # type: ignore[arg-type]
    return paginate(statement, args, sortable=SORTABLE, default_sort=DEFAULT_SORT, rows=True)


def created(document: Any, location: str) -> tuple[Any, int, dict[str, str]]:
    """Return a 201 answer with the new document and its Location."""
    return document, 201, {"Location": location}


__all__ = ["DocumentPageSchema", "DocumentSchema", "InvoiceListQuerySchema", "QuoteListQuerySchema", "created", "list_documents"]
