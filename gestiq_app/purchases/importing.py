"""Legacy supplier invoices brought by an import batch: recorded like any supplier invoice, inside the caller's transaction.

`record_imported_invoice` builds the draft with the purchases helpers (supplier snapshot, lines priced with the rates
valid on its date), records it (`services._record`) and emits `purchases.invoice_recorded` (the journal posts it);
an amount already paid goes through `services._apply_payment` (its `purchases.payment_recorded` entry). Imported
lines carry no withholdings, so no comprobante de retención is ever numbered for them.

`remove_imported_invoice` (import rollback): recorded purchase documents are immutable for the ORM and journal entries
are append-only, so the document's entry and its import payment's entry get reversal entries and the document is
deleted with a Core DELETE (lines, taxes, withholdings and attachments go by ON DELETE CASCADE). The caller checks
first that nothing happened to it since (`imported_invoice_in_use`).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select

from gestiq_app import domain_events
from gestiq_app.audit.services import record_event
from gestiq_app.db import metadata, session
from gestiq_app.purchases.exceptions import PurchaseInvalidError
from gestiq_app.purchases.models import PurchaseDocument
from gestiq_app.purchases.pricing import (
    default_expense_account,
    due_date_for,
    line_drafts,
    load_supplier,
    price_document,
    snapshot_supplier,
)
from gestiq_app.sales.settings import get_sales_settings

ZERO = Decimal("0")
OWN_CHILDREN = ("purchase_document_lines", "purchase_document_taxes", "purchase_withholding_lines")


def find_invoice_keys(pairs: list[tuple[uuid.UUID, str]]) -> set[tuple[uuid.UUID, str]]:
    """Return which (supplier id, supplier number) pairs the tenant already has as supplier invoices."""
    numbers = sorted({number for _, number in pairs})
    found: set[tuple[uuid.UUID, str]] = set()
    for start in range(0, len(numbers), 500):
        found.update((supplier_id, number) for supplier_id, number in session().execute(
            select(PurchaseDocument.supplier_id, PurchaseDocument.supplier_number).where(
                PurchaseDocument.kind == "supplier_invoice", PurchaseDocument.supplier_number.in_(numbers[start:start + 500]))))
    return found


def preview_imported_invoice(*, tenant_id: uuid.UUID, data: dict[str, Any]) -> PurchaseDocument:
    """Price an imported supplier invoice without saving it (validation)."""
    settings = get_sales_settings(tenant_id=tenant_id)
    document = PurchaseDocument(kind="supplier_invoice", state="draft", issue_date=data["issue_date"], currency=settings.currency,
                                is_iva_deductible=True, amount_paid=ZERO)
    price_document(document, country=settings.country, drafts=line_drafts(data.get("lines") or [], country=settings.country))
    return document


def record_imported_invoice(*, tenant_id: uuid.UUID, data: dict[str, Any], amount_paid: Decimal, actor: str) -> PurchaseDocument:
    """Create a recorded supplier invoice (SupplierInvoiceCreateSchema data), posted, with what was already paid."""
    from gestiq_app.purchases.services import _apply_payment, _flush_unique, _record

    settings = get_sales_settings(tenant_id=tenant_id)
    current = session()
    supplier = load_supplier(data["supplier_id"], require_active=False)
    issue_date = data["issue_date"]
    document = PurchaseDocument(
        kind="supplier_invoice", state="draft", supplier_number=data["supplier_number"].strip(), issue_date=issue_date,
        due_date=data.get("due_date") or due_date_for(issue_date, supplier), currency=settings.currency,
        description=data.get("description"), expense_account=default_expense_account(settings.country, "supplier_invoice"),
        is_iva_deductible=True, amount_paid=ZERO)
    snapshot_supplier(document, supplier)
    price_document(document, country=settings.country, drafts=line_drafts(data.get("lines") or [], country=settings.country))
    current.add(document)
    _flush_unique(current)
    _record(document, country=settings.country, today=settings.today(), withholding_date=None)
    if amount_paid > document.amount_due:
        raise PurchaseInvalidError("Importe pagado mayor que el total",
                                   errors={"amount_paid": [f"Lo pagado ({amount_paid}) supera el importe de la factura ({document.amount_due})."]})
    _flush_unique(current)
    record_event(actor=actor, action="supplier_invoice.imported", entity="purchase_document", entity_id=document.id,
                 changes={"supplier_number": document.supplier_number, "issue_date": issue_date, "total": document.total})
    domain_events.emit("purchases.invoice_recorded", document=document)
    if amount_paid > ZERO:
        _apply_payment(document, amount_paid, paid_on=issue_date, method="bank_transfer")
    return document


def imported_invoice_in_use(document_id: uuid.UUID, *, amount_paid: Decimal) -> str | None:
    """Return why an imported supplier invoice can no longer be removed (a later payment, an attachment…), or None."""
    document = session().get(PurchaseDocument, document_id)
    if document is None:
        return None
    if document.amount_paid != amount_paid:
        return f"la factura {document.supplier_number} tiene pagos posteriores a la importación"
    for table in metadata.tables.values():
        if table.name in OWN_CHILDREN:
            continue
        for foreign_key in table.foreign_key_constraints:
            if foreign_key.referred_table.name != "purchase_documents":
                continue
            column = next(element.parent for element in foreign_key.elements if element.column.name == "id")
            used = session().connection().execute(select(func.count()).select_from(table).where(
                table.c.tenant_id == document.tenant_id, column == document_id)).scalar()
            if used:
                return f"la factura {document.supplier_number} se usa en {table.name}"
    return None


def remove_imported_invoice(document_id: uuid.UUID, *, actor: str) -> None:
    """Reverse the journal entries of an imported supplier invoice (and its import payment), then delete it."""
    from gestiq_app.accounting.journal import LineDraft, post_entry
    from gestiq_app.accounting.models import JournalEntry, JournalLine

    current = session()
    document = current.get(PurchaseDocument, document_id)
    if document is None:
        return
    entries = list(current.scalars(select(JournalEntry).where(JournalEntry.source_type == "purchase_document",
                                                              JournalEntry.source_id == document_id)))
    if document.amount_paid > ZERO:  # the import's payment (in_use refused any other): its entry names the number and supplier
        entries += list(current.scalars(select(JournalEntry).where(
            JournalEntry.source_type == "purchase_payment", JournalEntry.reference == (document.supplier_number or "")[:60],
            JournalEntry.id.in_(select(JournalLine.entry_id).where(JournalLine.party_id == document.supplier_id)))))
    for entry in entries:
        drafts = [LineDraft(amount=line.credit - line.debit, account_id=line.account_id, party_id=line.party_id,
                            description=line.description) for line in entry.lines]
        post_entry(tenant_id=document.tenant_id, entry_date=entry.entry_date, description=f"Anulación: {entry.description}"[:300],
                   lines=drafts, actor=actor, reference=entry.reference, reversal_of_id=entry.id)
    tenant_id, number = document.tenant_id, document.supplier_number
    current.expunge(document)
    table = PurchaseDocument.__table__
    current.connection().execute(delete(table).where(table.c.tenant_id == tenant_id, table.c.id == document_id))
    record_event(actor=actor, action="supplier_invoice.import_removed", entity="purchase_document", entity_id=document_id,
                 changes={"supplier_number": number})
