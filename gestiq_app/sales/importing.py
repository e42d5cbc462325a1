"""Legacy invoices brought by an import batch: issued here with the old system's number, never sent to SRI / VERI*FACTU.

`issue_imported_invoice` prices the invoice with the same helpers as a draft (`drafting`: customer snapshot, lines,
rates valid on its issue date), marks it `origin="import"`, keeps the legacy number as `full_number` (the numeric
`number` is taken from an inactive per-tenant series «IMP-» that no user picks: the unique (series, year, number) key
still holds and the tenant's real series are untouched) and emits `sales.document_issued` so the accounting journal
posts it like any invoice. e-invoicing subscribers skip `origin == "import"` documents (the old system declared them).
An amount already collected is recorded as a payment (`payments.ledger.apply_payment`) with the import's reference,
so amount_paid stays the sum of payments and the receivable in the journal equals the amount due.

`remove_imported_invoice` undoes one (import rollback): posted journal entries are append-only, so the invoice's and
its import payment's entries get reversal entries (`reversal_of_id`); then the payment rows and the invoice are
deleted with Core DELETE statements. That bypasses the ORM guard that refuses deleting an issued document
(`models._refuse_delete_after_issue`) on purpose and only here: the caller (imports rollback) has checked that
nothing else refers to the invoice (`imported_invoice_in_use`). Lines and tax rows go with it (ON DELETE CASCADE).

Every function works inside the caller's transaction (add and flush, never commit).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gestiq_app import domain_events
from gestiq_app.audit.services import record_event
from gestiq_app.db import metadata, session, utcnow
from gestiq_app.sales.drafting import due_date_for, line_drafts, load_customer, price_document, snapshot_customer
from gestiq_app.sales.exceptions import DocumentInvalidError
from gestiq_app.sales.models import DocumentSeries, SalesDocument
from gestiq_app.sales.settings import get_sales_settings
from gestiq_app.tenancy.context import current_tenant_id

IMPORT_SERIES_PREFIX = "IMP-"
ZERO = Decimal("0")
#: Tables that may refer to an imported invoice because the import itself wrote them.
OWN_CHILDREN = ("sales_document_lines", "sales_document_taxes")


def import_series() -> DocumentSeries:
    """Return (creating it inactive) the tenant's series that holds imported invoices, locked for update."""
    values = {"kind": "invoice", "prefix": IMPORT_SERIES_PREFIX, "name": "Facturas importadas (numeración del sistema anterior)",
              "is_yearly_reset": False, "number_width": 6, "next_number": 1, "is_active": False,
              "tenant_id": current_tenant_id(), "id": uuid.uuid4()}
    insert = postgresql_insert if session().get_bind().dialect.name == "postgresql" else sqlite_insert
    session().execute(insert(DocumentSeries).values(**values).on_conflict_do_nothing(index_elements=["tenant_id", "kind", "prefix"]))
    return session().scalar(select(DocumentSeries).where(DocumentSeries.kind == "invoice", DocumentSeries.prefix == IMPORT_SERIES_PREFIX)
                            .with_for_update().execution_options(populate_existing=True))  # type: ignore[return-value]


def find_invoice_numbers(numbers: list[str]) -> set[str]:
    """Return which of these invoice numbers (full numbers) the tenant already has."""
    found: set[str] = set()
    for start in range(0, len(numbers), 500):
        found.update(session().scalars(select(SalesDocument.full_number).where(
            SalesDocument.kind == "invoice", SalesDocument.full_number.in_(numbers[start:start + 500]))))
    return found


def preview_imported_invoice(*, tenant_id: uuid.UUID, data: dict[str, Any]) -> SalesDocument:
    """Price an imported invoice without saving it (validation): its lines, taxes and totals."""
    settings = get_sales_settings(tenant_id=tenant_id)
    customer = load_customer(data["customer_id"], require_active=False)
    document = SalesDocument(kind="invoice", state="draft", issue_date=data["issue_date"], currency=settings.currency,
                             due_date=data.get("due_date") or due_date_for(data["issue_date"], customer))
    snapshot_customer(document, customer)
    price_document(document, settings=settings, customer=customer, drafts=line_drafts(data.get("lines") or []))
    return document


def issue_imported_invoice(*, tenant_id: uuid.UUID, number: str, data: dict[str, Any], amount_paid: Decimal, reference: str,
                           actor: str) -> SalesDocument:
    """Create an issued legacy invoice numbered `number` (DocumentCreateSchema data), posted to the journal, with its payment."""
    from gestiq_app.payments.ledger import apply_payment

    settings = get_sales_settings(tenant_id=tenant_id)
    current = session()
    customer = load_customer(data["customer_id"], require_active=False)
    issue_date: date = data["issue_date"]
    series = import_series()
    document = SalesDocument(kind="invoice", state="draft", series_id=series.id, issue_date=issue_date,
                             due_date=data.get("due_date") or due_date_for(issue_date, customer), currency=settings.currency,
                             notes=data.get("notes"), origin="import")
    snapshot_customer(document, customer)
    price_document(document, settings=settings, customer=customer, drafts=line_drafts(data.get("lines") or []))
    if amount_paid > document.total:
        raise DocumentInvalidError("Importe cobrado mayor que el total",
                                   errors={"amount_paid": [f"Lo cobrado ({amount_paid}) supera el total de la factura ({document.total})."]})
    document.year, document.number, document.full_number = issue_date.year, series.next_number, number
    series.next_number += 1
    document.state, document.issued_at, document.amount_due = "issued", utcnow(), document.total
    current.add(document)
    current.flush()
    record_event(actor=actor, action="invoice.imported", entity="sales_document", entity_id=document.id,
                 changes={"number": number, "issue_date": issue_date, "total": document.total, "reference": reference})
    domain_events.emit("sales.document_issued", document=document)
    if amount_paid > ZERO:
        apply_payment(tenant_id=tenant_id, invoice=document, customer_id=document.customer_id, amount=amount_paid,
                      currency=document.currency, method="bank_transfer", paid_on=issue_date, actor=actor, reference=reference,
                      notes="Cobrado en el sistema anterior (importación).")
    return document


def imported_invoice_in_use(document_id: uuid.UUID, *, reference: str) -> str | None:
    """Return why an imported invoice can no longer be removed (a later payment, credit note, void…), or None."""
    from gestiq_app.payments.models import Payment

    document = session().get(SalesDocument, document_id)
    if document is None:
        return None
    if document.state in ("voided", "rectified") or document.amount_credited > ZERO:
        return f"la factura {document.full_number} está anulada o rectificada"
    later = session().scalar(select(func.count()).select_from(Payment).where(
        Payment.document_id == document_id, func.coalesce(Payment.reference, "") != reference))
    refunded = session().scalar(select(func.count()).select_from(Payment).where(
        Payment.document_id == document_id, Payment.amount_refunded > ZERO))
    if later or refunded:
        return f"la factura {document.full_number} tiene cobros o devoluciones posteriores a la importación"
    for table in metadata.tables.values():
        if table.name in (*OWN_CHILDREN, "payments"):
            continue
        for foreign_key in table.foreign_key_constraints:
            if foreign_key.referred_table.name != "sales_documents":
                continue
            column = next(element.parent for element in foreign_key.elements if element.column.name == "id")
            used = session().connection().execute(select(func.count()).select_from(table).where(
                table.c.tenant_id == document.tenant_id, column == document_id)).scalar()
            if used:
                return f"la factura {document.full_number} se usa en {table.name}"
    return None


def remove_imported_invoice(document_id: uuid.UUID, *, reference: str, actor: str) -> None:
    """Reverse the journal entries of an imported invoice and its import payment, then delete them (see the module doc)."""
    from gestiq_app.accounting.journal import LineDraft, post_entry
    from gestiq_app.accounting.models import JournalEntry
    from gestiq_app.payments.models import Payment

    current = session()
    document = current.get(SalesDocument, document_id)
    if document is None or document.origin != "import":
        return
    payment_ids = list(current.scalars(select(Payment.id).where(Payment.document_id == document_id, Payment.reference == reference)))
    sources = [("sales_document", document_id), *(("payment", payment_id) for payment_id in payment_ids)]
    for source_type, source_id in sources:
        entry = current.scalar(select(JournalEntry).where(JournalEntry.source_type == source_type, JournalEntry.source_id == source_id))
        if entry is None:
            continue
        drafts = [LineDraft(amount=line.credit - line.debit, account_id=line.account_id, party_id=line.party_id,
                            description=line.description) for line in entry.lines]
        post_entry(tenant_id=document.tenant_id, entry_date=entry.entry_date, description=f"Anulación: {entry.description}"[:300],
                   lines=drafts, actor=actor, reference=entry.reference, reversal_of_id=entry.id)
    tenant_id, number = document.tenant_id, document.full_number
    current.expunge(document)
    connection = current.connection()
    if payment_ids:
        connection.execute(delete(Payment.__table__).where(Payment.__table__.c.tenant_id == tenant_id,
                                                           Payment.__table__.c.id.in_(payment_ids)))
    table = SalesDocument.__table__
    connection.execute(delete(table).where(table.c.tenant_id == tenant_id, table.c.id == document_id))
    record_event(actor=actor, action="invoice.import_removed", entity="sales_document", entity_id=document_id,
                 changes={"number": number, "reference": reference})
