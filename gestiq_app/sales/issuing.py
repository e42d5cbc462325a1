"""Issue an invoice or credit note: one transaction takes the number, freezes the totals and audits it.

Lock order (stable across use cases, so two issues never deadlock): the document, then the invoice a
credit note rectifies, then the series row. After the commit, `events.on_invoice_issued` tells the
subscribers (PDF rendering, e-invoicing) through the unit of work's after-commit calls; the
`invoice.issued` webhook (credit notes too, with their kind) is queued in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from gestiq_app.audit.services import record_event
from gestiq_app import domain_events
from gestiq_app.db import call_after_commit, is_unique_violation, unit_of_work, utcnow
from gestiq_app.sales import events
from gestiq_app.sales.credit_notes import apply_credit, credit_drafts, requested_lines
from gestiq_app.sales.drafting import due_date_for, load_customer, price_document, snapshot_customer
from gestiq_app.sales.exceptions import DocumentConflictError, DocumentInvalidError
from gestiq_app.sales.models import SalesDocument
from gestiq_app.sales.numbering import take_next_number
from gestiq_app.sales.services import INVOICE_KINDS, lock_document
from gestiq_app.sales.settings import get_sales_settings
from gestiq_app.webhooks.services import publish_event


def issue_document(*, tenant_id: uuid.UUID, document_id: uuid.UUID, actor: str, issue_date: date | None = None) -> SalesDocument:
    """Number a draft invoice or credit note, price it with the rates valid on its issue date and make it immutable."""
    settings = get_sales_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        document = lock_document(document_id, INVOICE_KINDS)
        if not document.is_draft:
            raise DocumentConflictError("El documento ya está emitido")
        if not document.lines:
            raise DocumentInvalidError("El documento no tiene líneas", errors={"lines": ["Añada al menos una línea antes de emitir."]})
        customer = load_customer(document.customer_id, require_active=False)
        if issue_date is not None:
            document.issue_date = issue_date
            if document.kind == "invoice":
                document.due_date = due_date_for(issue_date, customer)
        invoice = None
        if document.kind == "credit_note":
            invoice = _lock_rectified_invoice(document)
            drafts = credit_drafts(invoice, requested_lines(document), method=document.rectification_method)
            price_document(document, settings=settings, customer=customer, drafts=drafts)
        else:
            snapshot_customer(document, customer)
            price_document(document, settings=settings, customer=customer)
        taken = take_next_number(series_id=document.series_id, issue_date=document.issue_date)
        document.year, document.number, document.full_number = taken.year, taken.number, taken.full_number
        document.state = "issued"
        document.issued_at = utcnow()
        if document.kind == "invoice":
            document.amount_due = document.total
        if invoice is not None:
            apply_credit(invoice, document)
        try:
            current.flush()
        except IntegrityError as error:
            if is_unique_violation(error, "sales_documents", "tenant_id", "series_id", "year", "number"):
                raise DocumentConflictError("Ese número ya existe en la serie; vuelva a intentarlo") from error
            raise
        record_event(actor=actor, action=f"{document.kind}.issued", entity="sales_document", entity_id=document.id,
                     changes={"number": document.full_number, "issue_date": document.issue_date, "total": document.total})
        domain_events.emit("sales.document_issued", document=document)
        publish_event(tenant_id=tenant_id, event="invoice.issued", payload=_webhook_payload(document))
        document_id = document.id
        call_after_commit(lambda: events.on_invoice_issued(tenant_id, document_id))
    return document


def _lock_rectified_invoice(credit_note: SalesDocument) -> SalesDocument:
    invoice = lock_document(credit_note.rectified_document_id, ("invoice",))  # type: ignore[arg-type]
    if credit_note.issue_date < invoice.issue_date:
        raise DocumentInvalidError("Fecha no válida", errors={"issue_date": ["No puede ser anterior a la factura rectificada."]})
    if invoice.state not in ("issued", "partially_paid", "paid"):
        raise DocumentConflictError("La factura ya está totalmente rectificada")
    return invoice


def _webhook_payload(document: SalesDocument) -> dict[str, Any]:
    return {
        "id": str(document.id), "kind": document.kind, "number": document.full_number, "issue_date": document.issue_date.isoformat(),
        "due_date": document.due_date.isoformat() if document.due_date else None, "customer_id": str(document.customer_id),
        "customer_name": document.customer_name, "currency": document.currency, "subtotal": str(document.subtotal),
        "tax_total": str(document.tax_total), "total": str(document.total),
        "rectified_document_id": str(document.rectified_document_id) if document.rectified_document_id else None,
    }
