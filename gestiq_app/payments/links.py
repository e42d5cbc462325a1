"""Payment requests (links) for invoices: one open request per invoice, provider and amount, reused on retries.

The row is committed before the provider call and carries our operation id, so a retried create sends the same
Idempotency-Key (Stripe) or clientTransactionId (Payphone) and never opens two sessions for one request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select

from gestiq_app.db import session, unit_of_work
from gestiq_app.payments import credentials
from gestiq_app.payments.exceptions import PaymentConflictError, ProviderError, provider_problem
from gestiq_app.payments.ledger import lock_invoice
from gestiq_app.payments.models import PaymentRequest
from gestiq_app.payments.providers import provider_for
from gestiq_app.payments.providers.base import CheckoutRequest
from gestiq_app.sales.models import SalesDocument


@dataclass
class PaymentLink:
    """A payment request and, for providers paid in the browser (Kushki), the data their library needs."""

    request: PaymentRequest
    client_data: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str | None:
        """Return the link to send to the customer."""
        return self.request.url


def _checkout(tenant_id: uuid.UUID, invoice: SalesDocument, request: PaymentRequest) -> CheckoutRequest:
    base = current_app.config["GESTIQ_PUBLIC_URL"].rstrip("/")
    return CheckoutRequest(
        tenant_id=str(tenant_id), invoice_id=str(invoice.id), operation_id=request.operation_id, amount=request.amount,
        currency=request.currency, description=f"Factura {invoice.full_number}",
        success_url=f"{base}/app/invoices/{invoice.id}?payment=ok", cancel_url=f"{base}/app/invoices/{invoice.id}?payment=cancel",
    )


def create_payment_link(*, tenant_id: uuid.UUID, document_id: uuid.UUID, provider: str | None, actor: str) -> PaymentLink:
    """Return the invoice's open payment link for its amount due, creating it at the provider when needed."""
    with unit_of_work() as current:
        invoice = lock_invoice(document_id)
        if invoice.amount_due <= 0:
            raise PaymentConflictError("La factura no tiene importe pendiente")
        account = credentials.get_provider_account(provider=provider) if provider else credentials.active_provider()
        if account is None:
            raise PaymentConflictError("La empresa no tiene ningún proveedor de pagos activo")
        request = current.scalars(select(PaymentRequest).where(
            PaymentRequest.document_id == invoice.id, PaymentRequest.provider == account.provider, PaymentRequest.state == "open",
            PaymentRequest.amount == invoice.amount_due).order_by(PaymentRequest.created_at.desc())).first()
        if request is None:
            request = PaymentRequest(document_id=invoice.id, provider=account.provider, operation_id=uuid.uuid4().hex,
                                     amount=invoice.amount_due, currency=invoice.currency, state="open")
            current.add(request)
            current.flush()
        checkout = _checkout(tenant_id, invoice, request)
        client = provider_for(account.provider, credentials.load_secrets(account), account.settings)
        request_id = request.id
    if request.url and request.provider_reference:
        return PaymentLink(request)
    try:
        result = client.create_payment_request(checkout)
    except ProviderError as error:
        with unit_of_work():
            stored = session().get(PaymentRequest, request_id)
            if stored is not None:
                stored.last_error = str(error)[:500]
        raise provider_problem(error) from error
    with unit_of_work():
        stored = session().get(PaymentRequest, request_id)
        stored.provider_reference, stored.url, stored.last_error = result.reference, result.url, None  # type: ignore[union-attr]
    if result.url:
        from gestiq_app.pdf.services import invalidate_document_pdf

        invalidate_document_pdf(tenant_id=tenant_id, document_id=document_id)  # the next PDF prints the new link
    return PaymentLink(stored, result.client_data)  # type: ignore[arg-type]


def payment_url_for(document: SalesDocument) -> str | None:
    """Return the open payment link of an invoice (for the PDF and the PWA), or None when there is none.

    Read-only: it never calls a provider (the PDF renders in a task); create links with `create_payment_link`.
    """
    if document.kind != "invoice" or document.amount_due <= 0:
        return None
    return session().scalar(select(PaymentRequest.url).where(
        PaymentRequest.document_id == document.id, PaymentRequest.state == "open", PaymentRequest.url.is_not(None),
        PaymentRequest.amount == document.amount_due).order_by(PaymentRequest.created_at.desc()).limit(1))


def charge_card_token(*, tenant_id: uuid.UUID, document_id: uuid.UUID, token: str, actor: str):  # type: ignore[no-untyped-def]
    """Charge a kushki.js card token for the invoice's amount due and record the payment (once per Kushki ticket)."""
    from gestiq_app.payments import services
    from gestiq_app.payments.exceptions import ProviderRejectedError
    from gestiq_app.payments.providers.kushki import KushkiProvider

    link = create_payment_link(tenant_id=tenant_id, document_id=document_id, provider="kushki", actor=actor)
    with unit_of_work():
        invoice = lock_invoice(document_id)
        account = credentials.get_provider_account(provider="kushki")
        checkout = _checkout(tenant_id, invoice, link.request)
        client = KushkiProvider(credentials.load_secrets(account), account.settings)
    try:
        charged = client.charge(token, checkout)
    except ProviderError as error:
        raise provider_problem(error) from error
    if charged.status != "succeeded":
        services.mark_request_failed(invoice_id=document_id, provider="kushki", operation_id=checkout.operation_id, error="declined")
        raise ProviderRejectedError("Kushki rechazó el cobro.", errors={"token": ["Cobro rechazado por Kushki."]})
    services.record_provider_payment(tenant_id=tenant_id, provider="kushki", reference=charged.reference, invoice_id=document_id,
                                     amount=charged.amount, currency=charged.currency, paid_on=services.today(tenant_id),
                                     operation_id=checkout.operation_id)
    payment = services.find_provider_payment(provider="kushki", reference=charged.reference)
    assert payment is not None
    return payment
