"""Use cases of draft documents: read, create, change, delete, preview, and convert a quote into an invoice.

Drafts are priced on every save with the catalog rates valid on their issue date; issuing re-prices and
freezes them (see `issuing`). The due date follows the customer's payment terms whenever the issue date
or the customer changes, unless the same request sets it. Quotes take their number when created (they
are not fiscal documents, so a deleted quote may leave a gap); their `due_date` means "valid until".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work
from gestiq_app.sales.drafting import due_date_for, line_drafts, load_customer, price_document, snapshot_customer, draft_of
from gestiq_app.sales.exceptions import DocumentConflictError, DocumentInvalidError, DocumentNotFoundError
from gestiq_app.sales.models import SalesDocument
from gestiq_app.sales.numbering import ensure_default_series, resolve_series, take_next_number
from gestiq_app.sales.settings import get_sales_settings

INVOICE_KINDS = ("invoice", "credit_note")
NOT_FOUND = {"quote": "Presupuesto no encontrado", "invoice": "Factura no encontrada", "credit_note": "Factura no encontrada"}
CREDIT_NOTE_FIXED_FIELDS = ("customer_id", "series_id", "lines")


def _document_query(document_id: uuid.UUID, kinds: Sequence[str]):  # type: ignore[no-untyped-def]
    return (
        select(SalesDocument)
        .where(SalesDocument.id == document_id, SalesDocument.kind.in_(kinds))
        .options(selectinload(SalesDocument.lines), selectinload(SalesDocument.taxes))
    )


def get_document(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kinds: Sequence[str] = INVOICE_KINDS) -> SalesDocument:
    """Return a document of one of `kinds` with its lines and taxes, or raise DocumentNotFoundError."""
    document = session().scalar(_document_query(document_id, kinds))
    if document is None:
        raise DocumentNotFoundError(NOT_FOUND[kinds[0]])
    return document


def lock_document(document_id: uuid.UUID, kinds: Sequence[str]) -> SalesDocument:
    """Load a document FOR UPDATE (fresh from the database) inside the caller's transaction."""
    statement = _document_query(document_id, kinds).with_for_update(of=SalesDocument).execution_options(populate_existing=True)
    document = session().scalar(statement)
    if document is None:
        raise DocumentNotFoundError(NOT_FOUND[kinds[0]])
    return document


def _check_dates(document: SalesDocument) -> None:
    if document.due_date is not None and document.due_date < document.issue_date:
        raise DocumentInvalidError("Fechas no válidas", errors={"due_date": ["No puede ser anterior a la fecha de emisión."]})


def create_document(*, tenant_id: uuid.UUID, kind: str, data: dict[str, Any], actor: str) -> SalesDocument:
    """Create a draft quote or invoice for a customer, priced with today's (or the given date's) rates."""
    settings = get_sales_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        customer = load_customer(data["customer_id"])
        drafts = line_drafts(data.get("lines") or [])
        issue_date = data.get("issue_date") or settings.today()
        default_due = None if kind == "quote" else due_date_for(issue_date, customer)
        series = resolve_series(kind=kind, country=settings.country, series_id=data.get("series_id"))
        document = SalesDocument(kind=kind, state="draft", series_id=series.id, issue_date=issue_date,
                                 due_date=data.get("due_date") or default_due, currency=settings.currency, notes=data.get("notes"))
        snapshot_customer(document, customer)
        _check_dates(document)
        price_document(document, settings=settings, customer=customer, drafts=drafts)
        if kind == "quote":
            taken = take_next_number(series_id=series.id, issue_date=issue_date)
            document.year, document.number, document.full_number = taken.year, taken.number, taken.full_number
        current.add(document)
        current.flush()
        record_event(actor=actor, action=f"{kind}.created", entity="sales_document", entity_id=document.id,
                     changes={"customer_id": customer.id, "total": document.total, "lines": len(drafts)})
    return document


def update_document(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kinds: Sequence[str], data: dict[str, Any],
                    actor: str) -> SalesDocument:
    """Change a draft's header and/or replace its lines, then re-price it (409 once issued)."""
    settings = get_sales_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        document = lock_document(document_id, kinds)
        if not document.is_draft:
            raise DocumentConflictError("El documento ya está emitido y no se puede modificar")
        _check_updatable_fields(document, data)
        if "customer_id" in data:
            customer = load_customer(data["customer_id"])
            snapshot_customer(document, customer)
        else:
            customer = load_customer(document.customer_id, require_active=False)
        if "series_id" in data:
            document.series_id = resolve_series(kind=document.kind, country=settings.country, series_id=data["series_id"]).id
        for field in ("issue_date", "notes", "reason"):
            if field in data and (field != "issue_date" or data[field] is not None):
                setattr(document, field, data[field])
        if "due_date" in data:
            document.due_date = data["due_date"]
        elif document.kind == "invoice" and ("issue_date" in data or "customer_id" in data):
            document.due_date = due_date_for(document.issue_date, customer)
        _check_dates(document)
        drafts = line_drafts(data["lines"]) if "lines" in data else None
        price_document(document, settings=settings, customer=customer, drafts=drafts)
        current.flush()
        record_event(actor=actor, action=f"{document.kind}.updated", entity="sales_document", entity_id=document.id,
                     changes={"fields": sorted(data), "total": document.total})
    return document


def _check_updatable_fields(document: SalesDocument, data: dict[str, Any]) -> None:
    fixed: tuple[str, ...] = ()
    if document.kind == "credit_note":
        fixed = CREDIT_NOTE_FIXED_FIELDS
    elif document.kind == "quote":
        fixed = ("series_id",)
    errors = {field: ["No se puede cambiar en este documento."] for field in fixed if field in data}
    if "reason" in data and document.kind != "credit_note":
        errors["reason"] = ["Solo las rectificativas tienen motivo."]
    if errors:
        raise DocumentInvalidError("Campos no modificables", errors=errors)


def delete_document(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kinds: Sequence[str], actor: str) -> None:
    """Delete a draft (409 once issued); a quote whose invoice draft is deleted goes back to draft."""
    with unit_of_work() as current:
        document = lock_document(document_id, kinds)
        if not document.is_draft:
            raise DocumentConflictError("El documento ya está emitido y no se puede borrar")
        if document.source_quote_id is not None:
            quote = current.get(SalesDocument, document.source_quote_id)
            if quote is not None and quote.state == "converted":
                quote.state = "draft"
        current.delete(document)
        record_event(actor=actor, action=f"{document.kind}.deleted", entity="sales_document", entity_id=document.id,
                     changes={"customer_id": document.customer_id, "total": document.total})


def preview_document(*, tenant_id: uuid.UUID, data: dict[str, Any]) -> SalesDocument:
    """Price a draft body without saving it: an unsaved document with lines, breakdown and totals."""
    settings = get_sales_settings(tenant_id=tenant_id)
    customer = load_customer(data["customer_id"], require_active=False)
    issue_date = data.get("issue_date") or settings.today()
    document = SalesDocument(kind="invoice", state="draft", issue_date=issue_date, currency=settings.currency,
                             due_date=data.get("due_date") or due_date_for(issue_date, customer))
    snapshot_customer(document, customer)
    _check_dates(document)
    price_document(document, settings=settings, customer=customer, drafts=line_drafts(data.get("lines") or []))
    return document


def convert_quote(*, tenant_id: uuid.UUID, quote_id: uuid.UUID, actor: str) -> SalesDocument:
    """Turn a draft quote into a draft invoice dated today (priced with today's rates); the quote becomes converted."""
    settings = get_sales_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        quote = lock_document(quote_id, ("quote",))
        if quote.state != "draft":
            raise DocumentConflictError("El presupuesto ya se convirtió en factura")
        customer = load_customer(quote.customer_id)
        today = settings.today()
        series = ensure_default_series(kind="invoice", country=settings.country)
        invoice = SalesDocument(kind="invoice", state="draft", series_id=series.id, issue_date=today,
                                due_date=due_date_for(today, customer), currency=quote.currency, notes=quote.notes,
                                source_quote_id=quote.id)
        snapshot_customer(invoice, customer)
        drafts = [draft_of(line, is_credit=False) for line in quote.lines]
        price_document(invoice, settings=settings, customer=customer, drafts=drafts)
        quote.state = "converted"
        current.add(invoice)
        current.flush()
        record_event(actor=actor, action="quote.converted", entity="sales_document", entity_id=quote.id,
                     changes={"invoice_id": invoice.id, "total": invoice.total})
    return invoice
