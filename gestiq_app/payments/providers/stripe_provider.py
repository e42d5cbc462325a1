"""Stripe through the pinned `stripe` SDK: Checkout Sessions, PaymentIntents, refunds, webhook signatures.

The API base is configurable (GESTIQ_STRIPE_API_BASE) so tests talk to a local fake that speaks Stripe's wire
format (form-encoded requests, JSON objects, Idempotency-Key and Stripe-Signature headers).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import stripe
from flask import current_app

from gestiq_app.payments.exceptions import ProviderError, SignatureError
from gestiq_app.payments.providers.base import (
    CheckoutRequest,
    CheckoutResult,
    PaymentProvider,
    ProviderPayment,
    ProviderRefund,
    from_minor_units,
    timeout_seconds,
    to_minor_units,
)

#: Stripe's documented default tolerance; never 0 (that would accept replays of any age).
SIGNATURE_TOLERANCE_SECONDS = 300
PI_STATUS = {"succeeded": "succeeded", "requires_payment_method": "failed", "canceled": "failed"}


def verify_event(payload: bytes, signature_header: str | None, secret: str) -> dict[str, Any]:
    """Verify a raw webhook body against `Stripe-Signature` (HMAC-SHA256, 300 s tolerance) and return the event."""
    if not signature_header or not secret:
        raise SignatureError("missing signature or secret")
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise SignatureError(type(error).__name__) from error
    return event.to_dict()


def _translate(error: stripe.StripeError) -> ProviderError:
    retryable = isinstance(error, (stripe.APIConnectionError, stripe.RateLimitError)) or (
        isinstance(error, stripe.APIError) or (error.http_status or 0) >= 500)
    return ProviderError(f"stripe: {type(error).__name__} {error.http_status or ''}".strip(), is_retryable=retryable,
                         status=error.http_status)


class StripeProvider(PaymentProvider):
    """A tenant's Stripe account."""

    name = "stripe"

    def _client(self) -> stripe.StripeClient:
        return stripe.StripeClient(
            self._secrets["api_key"], base_addresses={"api": current_app.config["GESTIQ_STRIPE_API_BASE"]},
            http_client=stripe.RequestsClient(timeout=timeout_seconds()), max_network_retries=0,
        )

    def create_payment_request(self, request: CheckoutRequest) -> CheckoutResult:
        """Create a Checkout Session for the amount due; the Idempotency-Key derives from our operation id."""
        metadata = {"tenant_id": request.tenant_id, "invoice_id": request.invoice_id, "operation_id": request.operation_id}
        params: dict[str, Any] = {
            "mode": "payment", "client_reference_id": request.invoice_id, "success_url": request.success_url,
            "cancel_url": request.cancel_url, "metadata": metadata, "payment_intent_data": {"metadata": metadata},
            "line_items": [{"quantity": 1, "price_data": {"currency": request.currency.lower(), "unit_amount": to_minor_units(request.amount),
                                                          "product_data": {"name": request.description}}}],
        }
        try:
            session = self._client().v1.checkout.sessions.create(params, {"idempotency_key": f"gestiq-checkout-{request.operation_id}"})  # type: ignore[arg-type]
        except stripe.StripeError as error:
            raise _translate(error) from error
        return CheckoutResult(reference=session.id, url=session.url)

    def fetch_payment(self, reference: str) -> ProviderPayment:
        """Re-fetch a PaymentIntent (the truth when events arrive out of order)."""
        try:
            intent = self._client().v1.payment_intents.retrieve(reference)
        except stripe.StripeError as error:
            raise _translate(error) from error
        amount = intent.amount_received if intent.status == "succeeded" else intent.amount
        return ProviderPayment(reference=intent.id, status=PI_STATUS.get(intent.status, "pending"), amount=from_minor_units(amount),
                               currency=intent.currency.upper(), metadata=intent.metadata.to_dict() if intent.metadata else {})

    def refund(self, reference: str, amount: Decimal, *, currency: str, operation_id: str) -> ProviderRefund:
        """Refund part or all of a PaymentIntent."""
        try:
            refund = self._client().v1.refunds.create({"payment_intent": reference, "amount": to_minor_units(amount)},
                                                      {"idempotency_key": f"gestiq-refund-{operation_id}"})
        except stripe.StripeError as error:
            raise _translate(error) from error
        return ProviderRefund(reference=refund.id, amount=from_minor_units(refund.amount), status=refund.status or "pending")

    def list_refunds(self, payment_intent: str) -> list[ProviderRefund]:
        """Return the refunds of a PaymentIntent (re-fetched when a charge.refunded event arrives)."""
        try:
            refunds = self._client().v1.refunds.list({"payment_intent": payment_intent, "limit": 100})
        except stripe.StripeError as error:
            raise _translate(error) from error
        return [ProviderRefund(reference=item.id, amount=from_minor_units(item.amount), status=item.status or "pending")
                for item in refunds.data]
