"""Apply payments and refunds to invoices inside the caller's transaction (helpers: they flush, never commit).

An invoice's amount_paid is always the sum of its payments' applied amounts; amount_due and the state follow
from it. Lock order (stable, so use cases never deadlock): the invoice, then the payment.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from gestiq_app import domain_events
from gestiq_app.db import session
from gestiq_app.payments.exceptions import PaymentConflictError, PaymentInvalidError, PaymentNotFoundError
from gestiq_app.payments.models import Payment, Refund
from gestiq_app.sales.models import SalesDocument
from gestiq_app.webhooks.services import publish_event

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PAYABLE_STATES = ("issued", "partially_paid", "paid", "rectified")


def lock_invoice(document_id: uuid.UUID) -> SalesDocument:
    """Load an issued invoice FOR UPDATE (fresh); 404 for another tenant's or unknown id, 409 for a draft."""
    statement = (select(SalesDocument).where(SalesDocument.id == document_id, SalesDocument.kind == "invoice")
                 .with_for_update().execution_options(populate_existing=True))
    invoice = session().scalar(statement)
    if invoice is None:
        raise PaymentNotFoundError("Factura no encontrada")
    if invoice.state not in PAYABLE_STATES:
        raise PaymentConflictError("Solo se pueden cobrar facturas emitidas")
    return invoice


def sync_invoice(invoice: SalesDocument) -> bool:
    """Recompute amount_paid, amount_due and the state from the payments; return True when it just became paid."""
    current = session()
    current.flush()
    paid = current.scalar(select(func.coalesce(func.sum(Payment.applied_amount), 0)).where(Payment.document_id == invoice.id))
    paid = Decimal(paid).quantize(CENT)
    was_paid = invoice.state == "paid"
    invoice.amount_paid = paid
    invoice.amount_due = max(invoice.total - paid - invoice.amount_credited, ZERO)
    if invoice.state not in ("rectified", "voided"):
        if paid > 0 and invoice.amount_due == 0:
            invoice.state = "paid"
        elif paid > 0:
            invoice.state = "partially_paid"
        else:
            invoice.state = "issued"
    current.flush()
    return invoice.state == "paid" and not was_paid


def apply_payment(*, tenant_id: uuid.UUID, invoice: SalesDocument | None, customer_id: uuid.UUID, amount: Decimal,
                  currency: str, method: str, paid_on: date, actor: str, provider_reference: str | None = None,
                  reference: str | None = None, notes: str | None = None) -> Payment:
    """Add a payment: what the invoice still owes is applied to it, the rest is held as customer credit."""
    amount = Decimal(amount).quantize(CENT)
    if amount <= 0:
        raise PaymentInvalidError("Importe no válido", errors={"amount": ["Debe ser mayor que cero."]})
    if invoice is not None and currency != invoice.currency:
        raise PaymentInvalidError("Moneda distinta", errors={"currency": [f"La factura está en {invoice.currency}."]})
    applied = min(amount, invoice.amount_due) if invoice is not None else ZERO
    payment = Payment(document_id=invoice.id if invoice is not None else None, customer_id=customer_id, method=method,
                      provider_reference=provider_reference, amount=amount, applied_amount=applied, credit_amount=amount - applied,
                      amount_refunded=ZERO, currency=currency, paid_on=paid_on, reference=reference, notes=notes,
                      recorded_by=actor[:200])
    session().add(payment)
    session().flush()
    became_paid = sync_invoice(invoice) if invoice is not None else False
    domain_events.emit("payments.payment_recorded", payment=payment, document=invoice, applied_amount=applied)
    publish_event(tenant_id=tenant_id, event="payment.received", payload=payment_payload(payment))
    if became_paid and invoice is not None:
        publish_event(tenant_id=tenant_id, event="invoice.paid", payload={
            "id": str(invoice.id), "number": invoice.full_number, "total": str(invoice.total),
            "amount_paid": str(invoice.amount_paid), "currency": invoice.currency, "customer_id": str(invoice.customer_id)})
    return payment


def apply_refund(*, payment: Payment, amount: Decimal, refunded_on: date, actor: str, provider_reference: str | None = None,
                 reason: str | None = None) -> Refund:
    """Give back part or all of a (locked) payment: customer credit first, then the invoice's paid amount."""
    amount = Decimal(amount).quantize(CENT)
    refundable = payment.amount - payment.amount_refunded
    if amount <= 0:
        raise PaymentInvalidError("Importe no válido", errors={"amount": ["Debe ser mayor que cero."]})
    if amount > refundable:
        raise PaymentInvalidError("Importe excesivo", errors={"amount": [f"Como máximo {refundable} (lo no devuelto del cobro)."]})
    from_credit = min(amount, payment.credit_amount)
    payment.credit_amount -= from_credit
    payment.applied_amount -= amount - from_credit
    payment.amount_refunded += amount
    refund = Refund(payment_id=payment.id, amount=amount, currency=payment.currency, refunded_on=refunded_on,
                    provider_reference=provider_reference, reason=reason, recorded_by=actor[:200])
    session().add(refund)
    session().flush()
    if payment.document_id is not None:
        invoice = session().get(SalesDocument, payment.document_id)
        if invoice is not None:
            sync_invoice(invoice)
    domain_events.emit("payments.refund_recorded", refund=refund, payment=payment)
    return refund


def lock_payment(payment_id: uuid.UUID) -> Payment:
    """Lock a payment and, first, its invoice (the stable lock order); 404 when unknown."""
    payment = session().get(Payment, payment_id)
    if payment is None:
        raise PaymentNotFoundError("Cobro no encontrado")
    if payment.document_id is not None:
        lock_invoice_any_state(payment.document_id)
    statement = select(Payment).where(Payment.id == payment_id).with_for_update().execution_options(populate_existing=True)
    return session().scalars(statement).one()


def lock_invoice_any_state(document_id: uuid.UUID) -> SalesDocument | None:
    """Lock an invoice whatever its state (refunds of a paid or rectified invoice)."""
    statement = (select(SalesDocument).where(SalesDocument.id == document_id)
                 .with_for_update().execution_options(populate_existing=True))
    return session().scalar(statement)


def payment_payload(payment: Payment) -> dict[str, Any]:
    """Return the outbound webhook payload of a payment."""
    return {"id": str(payment.id), "invoice_id": str(payment.document_id) if payment.document_id else None,
            "customer_id": str(payment.customer_id), "method": payment.method, "amount": str(payment.amount),
            "applied_amount": str(payment.applied_amount), "credit_amount": str(payment.credit_amount),
            "currency": payment.currency, "paid_on": payment.paid_on.isoformat()}
