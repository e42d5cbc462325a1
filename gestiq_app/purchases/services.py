"""Use cases of purchase documents: supplier invoices (draft -> recorded -> partially paid / paid) and expenses.

A draft is priced on every save with the catalog rates valid on its issue date; recording re-prices and
freezes it, numbers its comprobante de retención (Ecuador, when it bears withholdings) and emits
`purchases.invoice_recorded` inside the same transaction (the accounting journal subscribes to it: both
commit or neither does). A recorded document is immutable except for its payments (409 otherwise; the
model refuses any other change too). The supplier number is unique per supplier and tenant (a database
constraint; the clash is answered 409 naming `supplier_number`). Overdue is shown, not stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, not_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from gestiq_app import domain_events
from gestiq_app.audit.services import record_event
from gestiq_app.db import call_after_commit, contains_pattern, is_unique_violation, session, unit_of_work, utcnow
from gestiq_app.purchases.attachments import delete_files
from gestiq_app.purchases.exceptions import PurchaseConflictError, PurchaseInvalidError, PurchaseNotFoundError
from gestiq_app.purchases.models import PurchaseDocument
from gestiq_app.purchases.pricing import (
    default_expense_account,
    due_date_for,
    line_drafts,
    load_supplier,
    price_document,
    price_expense,
    snapshot_supplier,
)
from gestiq_app.purchases.withholdings import issue_withholding
from gestiq_app.sales.settings import get_sales_settings

D = PurchaseDocument
NOT_FOUND = {"supplier_invoice": "Factura de proveedor no encontrada", "expense": "Gasto no encontrado"}
DUPLICATE = "Ya hay un documento de este proveedor con ese número."
SORTABLE = {"issue_date": D.issue_date, "due_date": D.due_date, "supplier_number": D.supplier_number, "total": D.total,
            "supplier_name": D.supplier_name, "created_at": D.created_at}
DEFAULT_SORT = "-issue_date"


def _document_query(document_id: uuid.UUID, kind: str) -> Select:
    return (select(D).where(D.id == document_id, D.kind == kind)
            .options(selectinload(D.lines), selectinload(D.taxes), selectinload(D.withholdings), selectinload(D.attachments)))


def get_document(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kind: str) -> PurchaseDocument:
    """Return a supplier invoice or expense with its lines, taxes, withholdings and attachments (404 otherwise)."""
    document = session().scalar(_document_query(document_id, kind))
    if document is None:
        raise PurchaseNotFoundError(NOT_FOUND[kind])
    return document


def lock_document(document_id: uuid.UUID, kind: str) -> PurchaseDocument:
    """Load a document FOR UPDATE (fresh from the database) inside the caller's transaction."""
    statement = _document_query(document_id, kind).with_for_update(of=D).execution_options(populate_existing=True)
    document = session().scalar(statement)
    if document is None:
        raise PurchaseNotFoundError(NOT_FOUND[kind])
    return document


def _check_dates(document: PurchaseDocument) -> None:
    if document.due_date is not None and document.due_date < document.issue_date:
        raise PurchaseInvalidError("Fechas no válidas", errors={"due_date": ["No puede ser anterior a la fecha de la factura."]})


def _flush_unique(current: Any) -> None:
    try:
        current.flush()
    except IntegrityError as error:
        if is_unique_violation(error, "purchase_documents", "tenant_id", "supplier_id", "supplier_number"):
            raise PurchaseConflictError(DUPLICATE, errors={"supplier_number": [DUPLICATE]}) from error
        raise


def create_invoice(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> PurchaseDocument:
    """Create a draft supplier invoice, priced with the rates valid on its date."""
    settings = get_sales_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        supplier = load_supplier(data["supplier_id"])
        drafts = line_drafts(data.get("lines") or [], country=settings.country)
        issue_date = data["issue_date"]
        document = D(kind="supplier_invoice", state="draft", supplier_number=data["supplier_number"].strip(), issue_date=issue_date,
                     due_date=data.get("due_date") or due_date_for(issue_date, supplier), currency=settings.currency,
                     description=data.get("description"), notes=data.get("notes"),
                     expense_account=data.get("expense_account") or default_expense_account(settings.country, "supplier_invoice"),
                     is_iva_deductible=data.get("is_iva_deductible", True), authorization_number=data.get("authorization_number"),
                     amount_paid=Decimal("0"))
        snapshot_supplier(document, supplier)
        _check_dates(document)
        price_document(document, country=settings.country, drafts=drafts)
        current.add(document)
        _flush_unique(current)
        record_event(actor=actor, action="supplier_invoice.created", entity="purchase_document", entity_id=document.id,
                     changes={"supplier_id": supplier.id, "supplier_number": document.supplier_number, "total": document.total})
    return document


def update_invoice(*, tenant_id: uuid.UUID, document_id: uuid.UUID, data: dict[str, Any], actor: str) -> PurchaseDocument:
    """Change a draft supplier invoice's header and/or replace its lines, then re-price it (409 once recorded)."""
    settings = get_sales_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        document = lock_document(document_id, "supplier_invoice")
        if not document.is_draft:
            raise PurchaseConflictError("La factura ya está registrada y no se puede modificar")
        # Catalog and supplier reads must not autoflush a half-changed row (a taken number is answered by _flush_unique).
        with current.no_autoflush:
            supplier = load_supplier(data["supplier_id"]) if "supplier_id" in data else load_supplier(document.supplier_id, require_active=False)  # type: ignore[arg-type]
            if "supplier_id" in data:
                snapshot_supplier(document, supplier)
            for field in ("supplier_number", "issue_date", "description", "notes", "expense_account", "is_iva_deductible", "authorization_number"):
                if field in data:
                    value = data[field]
                    setattr(document, field, value.strip() if field == "supplier_number" else value)
            if "due_date" in data:
                document.due_date = data["due_date"]
            elif "issue_date" in data or "supplier_id" in data:
                document.due_date = due_date_for(document.issue_date, supplier)
            if not document.expense_account:
                document.expense_account = default_expense_account(settings.country, "supplier_invoice")
            _check_dates(document)
            drafts = line_drafts(data["lines"], country=settings.country) if "lines" in data else None
            price_document(document, country=settings.country, drafts=drafts)
        _flush_unique(current)
        record_event(actor=actor, action="supplier_invoice.updated", entity="purchase_document", entity_id=document.id,
                     changes={"fields": sorted(data), "total": document.total})
    return document


def delete_document(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kind: str, actor: str) -> None:
    """Delete a draft (409 once recorded); its attachments' files go after the commit."""
    with unit_of_work() as current:
        document = lock_document(document_id, kind)
        if not document.is_draft:
            raise PurchaseConflictError("El documento ya está registrado y no se puede borrar")
        keys = [attachment.storage_key for attachment in document.attachments]
        current.delete(document)
        record_event(actor=actor, action=f"{kind}.deleted", entity="purchase_document", entity_id=document.id,
                     changes={"supplier_number": document.supplier_number, "total": document.total})
        call_after_commit(lambda: delete_files(tenant_id, keys))


def _record(document: PurchaseDocument, *, country: str, today: date, withholding_date: date | None) -> None:
    """Freeze a priced document as recorded; Ecuador: issue its comprobante de retención (the caller emits the event)."""
    if document.supplier_id is not None:
        supplier = load_supplier(document.supplier_id, require_active=False)
        snapshot_supplier(document, supplier)
    else:
        supplier = None
    document.state = "recorded"
    document.recorded_at = utcnow()
    document.amount_due = document.total - document.withholding_total - document.amount_paid
    if document.withholdings and country == "EC":
        if supplier is None:
            raise PurchaseInvalidError("Falta el proveedor", errors={"supplier_id": ["Una retención necesita proveedor."]})
        day = withholding_date or max(today, document.issue_date)
        if day < document.issue_date:
            raise PurchaseInvalidError("Fecha no válida", errors={"withholding_date": ["No puede ser anterior a la factura."]})
        issue_withholding(document, issue_date=day, supplier_tax_id_type=supplier.tax_id_type)


def record_invoice(*, tenant_id: uuid.UUID, document_id: uuid.UUID, actor: str, withholding_date: date | None = None) -> PurchaseDocument:
    """Record a draft supplier invoice: re-price it, make it immutable, issue its retención, emit the event."""
    settings = get_sales_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        document = lock_document(document_id, "supplier_invoice")
        if not document.is_draft:
            raise PurchaseConflictError("La factura ya está registrada")
        if not document.lines:
            raise PurchaseInvalidError("La factura no tiene líneas", errors={"lines": ["Añada al menos una línea antes de registrar."]})
        price_document(document, country=settings.country)
        _record(document, country=settings.country, today=settings.today(), withholding_date=withholding_date)
        _flush_unique(current)
        record_event(actor=actor, action="supplier_invoice.recorded", entity="purchase_document", entity_id=document.id,
                     changes={"supplier_number": document.supplier_number, "issue_date": document.issue_date, "total": document.total,
                              "withholding_total": document.withholding_total})
        domain_events.emit("purchases.invoice_recorded", document=document)
    return document


def create_expense(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> PurchaseDocument:
    """Create an expense receipt from its amount including IVA; recorded at once unless `record` is false."""
    settings = get_sales_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        supplier = load_supplier(data["supplier_id"]) if data.get("supplier_id") else None
        document = D(kind="expense", state="draft", supplier_number=(data.get("supplier_number") or "").strip() or None,
                     issue_date=data["issue_date"], due_date=data.get("due_date"), currency=settings.currency,
                     description=data["description"], notes=data.get("notes"),
                     expense_account=data.get("expense_account") or default_expense_account(settings.country, "expense"),
                     is_iva_deductible=data.get("is_iva_deductible", True), amount_paid=Decimal("0"))
        snapshot_supplier(document, supplier)
        _check_dates(document)
        price_expense(document, country=settings.country, gross=data["amount"], tax_category=data.get("tax_category") or "general",
                      tax_amount=data.get("tax_amount"))
        current.add(document)
        _flush_unique(current)
        if data.get("record", True):
            _record(document, country=settings.country, today=settings.today(), withholding_date=None)
            _flush_unique(current)
            domain_events.emit("purchases.invoice_recorded", document=document)
            if data.get("is_paid", True) and document.amount_due > 0:
                _apply_payment(document, document.amount_due, paid_on=document.issue_date, method="bank_transfer")
            elif data.get("is_paid", True):
                document.state = "paid"  # nothing owed (all withheld)
        record_event(actor=actor, action="expense.created", entity="purchase_document", entity_id=document.id,
                     changes={"state": document.state, "total": document.total})
    return document


def record_expense(*, tenant_id: uuid.UUID, document_id: uuid.UUID, actor: str) -> PurchaseDocument:
    """Record a draft expense (it keeps the amounts it was created with) and emit the event."""
    settings = get_sales_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        document = lock_document(document_id, "expense")
        if not document.is_draft:
            raise PurchaseConflictError("El gasto ya está registrado")
        _record(document, country=settings.country, today=settings.today(), withholding_date=None)
        current.flush()
        record_event(actor=actor, action="expense.recorded", entity="purchase_document", entity_id=document.id,
                     changes={"total": document.total})
        domain_events.emit("purchases.invoice_recorded", document=document)
    return document


PAYMENT_METHODS = ("bank_transfer", "cash", "card")


def _apply_payment(document: PurchaseDocument, amount: Decimal, *, paid_on: date, method: str) -> None:
    """Settle `amount` of the document and emit ``purchases.payment_recorded`` (the accounting entry) in this transaction."""
    document.amount_paid += amount
    document.amount_due -= amount
    document.state = "paid" if document.amount_due == 0 else "partially_paid"
    session().flush()
    domain_events.emit("purchases.payment_recorded", payment_id=uuid.uuid4(), document=document, amount=amount,
                       paid_on=paid_on, method=method)


def record_payment(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kind: str, amount: Decimal, actor: str,
                   paid_on: date | None = None, method: str = "bank_transfer") -> PurchaseDocument:
    """Register a payment to the supplier of a recorded document (up to what is still owed); the books post it too."""
    if method not in PAYMENT_METHODS:
        raise PurchaseInvalidError("Forma de pago no válida", errors={"method": [f"Use una de: {', '.join(PAYMENT_METHODS)}."]})
    today = get_sales_settings(tenant_id=tenant_id).today()
    with unit_of_work() as current:
        document = lock_document(document_id, kind)
        if document.state not in ("recorded", "partially_paid"):
            raise PurchaseConflictError("Solo se pagan documentos registrados con importe pendiente")
        if amount > document.amount_due:
            raise PurchaseInvalidError("Importe excesivo", errors={"amount": [f"Queda pendiente {document.amount_due}."]})
        day = paid_on or max(today, document.issue_date)
        if day < document.issue_date:
            raise PurchaseInvalidError("Fecha no válida", errors={"paid_on": ["No puede ser anterior a la fecha del documento."]})
        _apply_payment(document, amount, paid_on=day, method=method)
        current.flush()
        record_event(actor=actor, action=f"{kind}.paid", entity="purchase_document", entity_id=document.id,
                     changes={"amount": amount, "amount_due": document.amount_due, "paid_on": day, "method": method})
    return document


def overdue_condition(today: date) -> ColumnElement[bool]:
    """Return the SQL test of a recorded, unpaid document past its due date (as PurchaseDocument.status_on)."""
    return and_(D.state.in_(("recorded", "partially_paid")), D.due_date.is_not(None), D.due_date < today, D.amount_due > 0)


def _status_condition(status: str, today: date) -> ColumnElement[bool]:
    if status == "overdue":
        return overdue_condition(today)
    if status in ("recorded", "partially_paid"):
        return and_(D.state == status, not_(overdue_condition(today)))
    return D.state == status


def list_documents_query(*, kinds: Sequence[str], filters: dict[str, Any], today: date) -> Select:
    """Return the list query of purchase documents with the status, supplier, date and text filters applied."""
    statement = select(D).where(D.kind.in_(kinds))
    if filters.get("status"):
        statement = statement.where(or_(*(_status_condition(status, today) for status in filters["status"])))
    if filters.get("supplier_id"):
        statement = statement.where(D.supplier_id == filters["supplier_id"])
    if filters.get("issue_date_from"):
        statement = statement.where(D.issue_date >= filters["issue_date_from"])
    if filters.get("issue_date_to"):
        statement = statement.where(D.issue_date <= filters["issue_date_to"])
    if filters.get("q"):
        pattern = contains_pattern(filters["q"].strip())
        statement = statement.where(or_(D.supplier_number.ilike(pattern, escape="\\"), D.supplier_name.ilike(pattern, escape="\\"),
                                        D.description.ilike(pattern, escape="\\"), D.notes.ilike(pattern, escape="\\")))
    return statement

