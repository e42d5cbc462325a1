"""Payphone (Ecuador) over its public HTTP API, Bearer token of an API application.

- Payment request: `POST /api/Links` (amounts in cents: amount = amountWithoutTax + amountWithTax + tax + service
  + tip; clientTransactionId at most 15 characters) answers the link as a JSON string.
- Notification ("Notificación externa", POST with StoreId, ClientTransactionId, TransactionId, Amount, Currency,
  StatusCode) carries no signature, so it is never trusted as is: the processing task confirms the transaction
  with `POST /api/button/V2/Confirm` `{"id", "clientTxId"}` and only statusCode 3 (approved) with the expected
  amount records a payment. Confirm must happen within minutes or Payphone reverses the payment.
- Status: `GET /api/Sale/{id}`. Refund: `POST /api/Reverse` `{"id"}`: the whole payment, same day only.
Error bodies carry Payphone codes (`errorCode`, `message`); HTTP 5xx and timeouts are retryable.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app

from gestiq_app.payments.exceptions import PaymentInvalidError, ProviderError
from gestiq_app.payments.providers.base import (
    CheckoutRequest,
    CheckoutResult,
    PaymentProvider,
    ProviderPayment,
    ProviderRefund,
    call_json,
    from_minor_units,
    to_minor_units,
)

APPROVED, CANCELLED = 3, 2
CLIENT_TRANSACTION_ID_LENGTH = 15
ACK = {"Response": True, "ErrorCode": "000"}


def client_transaction_id(operation_id: str) -> str:
    """Return Payphone's clientTransactionId for our operation id (Links allow 15 characters)."""
    return operation_id.replace("-", "")[:CLIENT_TRANSACTION_ID_LENGTH]


class PayphoneProvider(PaymentProvider):
    """A tenant's Payphone store."""

    name = "payphone"
    supports_partial_refunds = False

    def _url(self, path: str) -> str:
        return current_app.config["GESTIQ_PAYPHONE_API_BASE"].rstrip("/") + path

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._secrets['token']}"}

    def create_payment_request(self, request: CheckoutRequest) -> CheckoutResult:
        """Create a one-time payment link for the amount due (no tax split: the invoice already bears its IVA)."""
        cents = to_minor_units(request.amount)
        reference = client_transaction_id(request.operation_id)
        body: dict[str, Any] = {
            "amount": cents, "amountWithoutTax": cents, "amountWithTax": 0, "tax": 0, "service": 0, "tip": 0,
            "currency": request.currency, "clientTransactionId": reference, "reference": request.description[:100],
            "oneTime": True, "expireIn": 24, "additionalData": f"{request.tenant_id}:{request.invoice_id}"[:250],
        }
        if self.settings.get("store_id"):
            body["storeId"] = self.settings["store_id"]
        link = call_json("POST", self._url("/api/Links"), headers=self._headers(), body=body, provider=self.name)
        if not isinstance(link, str) or not link.startswith("http"):
            raise ProviderError("payphone: respuesta sin enlace", is_retryable=False)
        return CheckoutResult(reference=reference, url=link)

    def confirm(self, transaction_id: int, client_transaction_id: str) -> ProviderPayment:
        """Confirm a transaction (`api/button/V2/Confirm`): the authoritative status and amount."""
        body = call_json("POST", self._url("/api/button/V2/Confirm"), headers=self._headers(),
                         body={"id": int(transaction_id), "clientTxId": client_transaction_id}, provider=self.name)
        return self._payment(body)

    def fetch_payment(self, reference: str) -> ProviderPayment:
        """Return a transaction's status (`GET api/Sale/{id}`)."""
        return self._payment(call_json("GET", self._url(f"/api/Sale/{int(reference)}"), headers=self._headers(), provider=self.name))

    def refund(self, reference: str, amount: Decimal, *, currency: str, operation_id: str) -> ProviderRefund:
        """Reverse a whole transaction (`POST api/Reverse`); Payphone has no partial refunds."""
        body = call_json("POST", self._url("/api/Reverse"), headers=self._headers(), body={"id": int(reference)}, provider=self.name)
        if body is not True and not (isinstance(body, dict) and body.get("statusCode") in (CANCELLED, "Canceled")):
            raise ProviderError("payphone: anulación rechazada", is_retryable=False)
        return ProviderRefund(reference=f"reverse-{reference}", amount=amount, status="succeeded")

    @staticmethod
    def _payment(body: Any) -> ProviderPayment:
        if not isinstance(body, dict) or "statusCode" not in body:
            raise ProviderError("payphone: respuesta inesperada", is_retryable=False)
        status = {APPROVED: "succeeded", CANCELLED: "failed"}.get(int(body["statusCode"]), "pending")
        return ProviderPayment(reference=str(body.get("transactionId")), status=status, amount=from_minor_units(body.get("amount", 0)),
                               currency=str(body.get("currency") or "USD"),
                               metadata={"client_transaction_id": str(body.get("clientTransactionId") or "")})


def check_refund_amount(payment_amount: Decimal, amount: Decimal) -> None:
    """Refuse a partial Payphone refund before calling it (422)."""
    if amount != payment_amount:
        raise PaymentInvalidError("Payphone solo anula el cobro completo", errors={"amount": ["Payphone no admite devoluciones parciales."]})
