"""Payment use cases: manual payments, provider payments (once per provider reference), refunds, lists.

Each entry point is one transaction. Provider calls (refunds) happen before the recording transaction, with an
idempotency key, so a failed call records nothing and a retried one never refunds twice.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from gestiq_app.audit.services import record_event
from gestiq_app.db import is_unique_violation, session, unit_of_work
from gestiq_app.payments import credentials
from gestiq_app.payments.exceptions import PaymentInvalidError, PaymentNotFoundError, ProviderError, provider_problem
from gestiq_app.payments.ledger import apply_payment, apply_refund, lock_invoice, lock_invoice_any_state, lock_payment
from gestiq_app.payments.models import MANUAL_METHODS, PROVIDERS, REQUEST_STATE_RANK, Payment, PaymentRequest, Refund
from gestiq_app.payments.providers import provider_for
from gestiq_app.sales.models import SalesDocument
from gestiq_app.sales.settings import get_sales_settings


def record_payment(*, tenant_id: uuid.UUID, document_id: uuid.UUID, data: dict[str, Any], actor: str) -> Payment:
    """Record a manual payment (bank transfer, cash, card terminal) of an issued invoice; any excess is customer credit."""
    if data["method"] not in MANUAL_METHODS:
        raise PaymentInvalidError("Método no válido", errors={"method": [f"Use uno de: {', '.join(MANUAL_METHODS)}."]})
    paid_on = data.get("paid_on") or get_sales_settings(tenant_id=tenant_id).today()
    with unit_of_work():
        invoice = lock_invoice(document_id)
        if paid_on < invoice.issue_date:
            raise PaymentInvalidError("Fecha no válida", errors={"paid_on": ["No puede ser anterior a la fecha de la factura."]})
        payment = apply_payment(tenant_id=tenant_id, invoice=invoice, customer_id=invoice.customer_id, amount=data["amount"],
                                currency=data.get("currency") or invoice.currency, method=data["method"], paid_on=paid_on,
                                actor=actor, reference=data.get("reference"), notes=data.get("notes"))
        record_event(actor=actor, action="payment.recorded", entity="payment", entity_id=payment.id,
                     changes={"invoice": invoice.full_number, "amount": payment.amount, "method": payment.method})
    return payment


def record_provider_payment(*, tenant_id: uuid.UUID, provider: str, reference: str, invoice_id: uuid.UUID, amount: Decimal,
                            currency: str, paid_on: date, operation_id: str | None = None) -> Payment | None:
    """Record a provider's payment once (per provider reference) on its invoice; None when it was already recorded."""
    try:
        with unit_of_work() as current:
            invoice = lock_invoice_any_state(invoice_id)
            if invoice is None or invoice.kind != "invoice" or invoice.state == "draft":
                raise PaymentNotFoundError("Factura no encontrada")
            _advance_requests(invoice_id=invoice_id, provider=provider, operation_id=operation_id, state="paid")
            existing = current.scalars(select(Payment).where(Payment.method == provider, Payment.provider_reference == reference)).first()
            if existing is not None:
                return None
            # Money taken for a voided invoice is still the customer's: held as credit, not applied.
            payment = apply_payment(tenant_id=tenant_id, invoice=None if invoice.state == "voided" else invoice,
                                    customer_id=invoice.customer_id, amount=amount,
                                    currency=currency, method=provider, paid_on=paid_on, actor=f"provider:{provider}",
                                    provider_reference=reference)
            record_event(actor=f"provider:{provider}", action="payment.recorded", entity="payment", entity_id=payment.id,
                         changes={"invoice": invoice.full_number, "amount": payment.amount, "method": provider, "reference": reference})
    except IntegrityError as error:
        if is_unique_violation(error, "payments", "tenant_id", "method", "provider_reference"):
            return None
        raise
    return payment


def mark_request_failed(*, invoice_id: uuid.UUID, provider: str, operation_id: str | None, error: str) -> None:
    """Mark the invoice's open payment request failed (never one already paid: states only move forward)."""
    with unit_of_work():
        _advance_requests(invoice_id=invoice_id, provider=provider, operation_id=operation_id, state="failed", error=error)


def _advance_requests(*, invoice_id: uuid.UUID, provider: str, operation_id: str | None, state: str, error: str | None = None) -> None:
    statement = select(PaymentRequest).where(PaymentRequest.document_id == invoice_id, PaymentRequest.provider == provider)
    if operation_id:
        statement = statement.where(PaymentRequest.operation_id == operation_id)
    for request in session().scalars(statement.with_for_update()):
        if REQUEST_STATE_RANK[state] > REQUEST_STATE_RANK[request.state]:
            request.state = state
            request.last_error = error[:500] if error else None


def refund_payment(*, tenant_id: uuid.UUID, payment_id: uuid.UUID, data: dict[str, Any], actor: str,
                   provider_reference: str | None = None) -> Refund:
    """Refund part or all of a payment; a provider payment is refunded at the provider first (idempotent key)."""
    payment = get_payment(tenant_id=tenant_id, payment_id=payment_id)
    amount = Decimal(data["amount"]).quantize(Decimal("0.01"))
    if amount <= 0 or amount > payment.amount - payment.amount_refunded:
        raise PaymentInvalidError("Importe no válido", errors={"amount": [f"Entre 0.01 y {payment.amount - payment.amount_refunded}."]})
    if payment.method in PROVIDERS and provider_reference is None:
        provider_reference = _refund_at_provider(payment, amount, operation_id=data.get("operation_id") or uuid.uuid4().hex)
    refunded_on = data.get("refunded_on") or get_sales_settings(tenant_id=tenant_id).today()
    with unit_of_work():
        locked = lock_payment(payment_id)
        refund = apply_refund(payment=locked, amount=amount, refunded_on=refunded_on, actor=actor,
                              provider_reference=provider_reference, reason=data.get("reason"))
        record_event(actor=actor, action="payment.refunded", entity="payment", entity_id=locked.id,
                     changes={"amount": amount, "refund_id": str(refund.id)})
    return refund


def _refund_at_provider(payment: Payment, amount: Decimal, *, operation_id: str) -> str:
    from gestiq_app.payments.providers.payphone import check_refund_amount

    account = credentials.get_provider_account(provider=payment.method, require_active=False)
    if payment.method == "payphone":
        check_refund_amount(payment.amount - payment.amount_refunded, amount)
    client = provider_for(payment.method, credentials.load_secrets(account), account.settings)
    try:
        return client.refund(payment.provider_reference or "", amount, currency=payment.currency, operation_id=operation_id).reference
    except ProviderError as error:
        raise provider_problem(error) from error


def record_provider_refund(*, payment: Payment, reference: str, amount: Decimal, refunded_on: date) -> Refund | None:
    """Record a refund made at the provider (webhook) once per provider refund id; None when already recorded."""
    with unit_of_work() as current:
        locked = lock_payment(payment.id)
        if current.scalars(select(Refund).where(Refund.payment_id == locked.id, Refund.provider_reference == reference)).first():
            return None
        amount = min(amount, locked.amount - locked.amount_refunded)
        if amount <= 0:
            return None
        return apply_refund(payment=locked, amount=amount, refunded_on=refunded_on, actor=f"provider:{locked.method}",
                            provider_reference=reference)


def get_payment(*, tenant_id: uuid.UUID, payment_id: uuid.UUID) -> Payment:
    """Return one payment of the tenant (404 otherwise)."""
    payment = session().get(Payment, payment_id)
    if payment is None:
        raise PaymentNotFoundError("Cobro no encontrado")
    return payment


def find_provider_payment(*, provider: str, reference: str) -> Payment | None:
    """Return the payment recorded for a provider reference, if any."""
    return session().scalars(select(Payment).where(Payment.method == provider, Payment.provider_reference == reference)).first()


def payments_query(args: dict[str, Any]) -> Select:
    """Return the list query of payments with the filters of `args` (invoice, customer, method, dates)."""
    statement = select(Payment)
    for name, column in (("document_id", Payment.document_id), ("customer_id", Payment.customer_id), ("method", Payment.method)):
        if args.get(name):
            statement = statement.where(column == args[name])
    if args.get("paid_from"):
        statement = statement.where(Payment.paid_on >= args["paid_from"])
    if args.get("paid_to"):
        statement = statement.where(Payment.paid_on <= args["paid_to"])
    return statement


def list_refunds(*, tenant_id: uuid.UUID, payment_id: uuid.UUID) -> list[Refund]:
    """Return a payment's refunds, oldest first."""
    get_payment(tenant_id=tenant_id, payment_id=payment_id)
    return list(session().scalars(select(Refund).where(Refund.payment_id == payment_id).order_by(Refund.created_at, Refund.id)))


def customer_credit(*, customer_id: uuid.UUID) -> Decimal:
    """Return a customer's credit: overpayments not applied to any invoice and not refunded."""
    total = session().scalar(select(func.coalesce(func.sum(Payment.credit_amount), 0)).where(Payment.customer_id == customer_id))
    return Decimal(total).quantize(Decimal("0.01"))


def get_invoice(*, document_id: uuid.UUID) -> SalesDocument:
    """Return an invoice of the current tenant (404 otherwise)."""
    invoice = session().scalar(select(SalesDocument).where(SalesDocument.id == document_id, SalesDocument.kind == "invoice"))
    if invoice is None:
        raise PaymentNotFoundError("Factura no encontrada")
    return invoice


def today(tenant_id: uuid.UUID) -> date:
    """Return today's date where the tenant is."""
    return get_sales_settings(tenant_id=tenant_id).today()
