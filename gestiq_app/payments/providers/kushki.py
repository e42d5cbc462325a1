"""Kushki (Ecuador) over its REST API, `Private-Merchant-Id` header.

- Payment request: the card is tokenized in the browser by kushki.js with the public merchant id, so the request
  returns client data (public merchant id, amount, our reference) instead of a link; the server then charges the
  token with `POST /card/v1/charges` (amount: subtotalIva, subtotalIva0, ice, iva, currency; metadata with our
  tenant, invoice and operation ids).
- Webhooks: JSON POSTs signed with the merchant's webhook signature (a secret from Kushki's console): headers
  `X-Kushki-Id` and `X-Kushki-Signature` = hex HMAC-SHA256(secret, "<X-Kushki-Id>.<raw body>").
- Refund: `DELETE /v1/refund/{ticketNumber}` (partial with an amount body). Status: `GET /v1/charges/{ticketNumber}`.
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from typing import Any

from flask import current_app

from gestiq_app.payments.exceptions import ProviderError, SignatureError
from gestiq_app.payments.providers.base import (
    CheckoutRequest,
    CheckoutResult,
    PaymentProvider,
    ProviderPayment,
    ProviderRefund,
    call_json,
)

APPROVED = "APPROVAL"


def sign(secret: str, kushki_id: str, body: bytes) -> str:
    """Return the expected X-Kushki-Signature of a webhook body."""
    return hmac.new(secret.encode(), kushki_id.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_webhook(body: bytes, headers: Any, secret: str) -> None:
    """Raise SignatureError unless X-Kushki-Signature matches the body signed with the tenant's webhook secret."""
    kushki_id = headers.get("X-Kushki-Id") or ""
    signature = headers.get("X-Kushki-Signature") or ""
    if not kushki_id or not signature or not secret:
        raise SignatureError("missing Kushki signature headers")
    if not hmac.compare_digest(sign(secret, kushki_id, body), signature):
        raise SignatureError("bad Kushki signature")


def _amount(body: dict[str, Any]) -> Decimal:
    details = body.get("details") or body
    value = details.get("approvedTransactionAmount")
    if value is None:
        amount = body.get("amount") or {}
        value = sum(Decimal(str(amount.get(key, 0))) for key in ("subtotalIva", "subtotalIva0", "ice", "iva"))
    return Decimal(str(value)).quantize(Decimal("0.01"))


def payment_from_body(body: dict[str, Any]) -> ProviderPayment:
    """Read a Kushki transaction (charge answer or webhook body)."""
    details = body.get("details") or body
    status = details.get("transactionStatus") or body.get("transactionStatus") or ""
    ticket = body.get("ticketNumber") or details.get("ticketNumber")
    if not ticket:
        raise ProviderError("kushki: transacción sin ticketNumber", is_retryable=False)
    currency = details.get("currencyCode") or (body.get("amount") or {}).get("currency") or "USD"
    return ProviderPayment(reference=str(ticket), status="succeeded" if status == APPROVED else "failed", amount=_amount(body),
                           currency=str(currency), metadata={k: str(v) for k, v in (body.get("metadata") or details.get("metadata") or {}).items()})


class KushkiProvider(PaymentProvider):
    """A tenant's Kushki merchant."""

    name = "kushki"

    def _url(self, path: str) -> str:
        return current_app.config["GESTIQ_KUSHKI_API_BASE"].rstrip("/") + path

    def _headers(self) -> dict[str, str]:
        return {"Private-Merchant-Id": self._secrets["private_merchant_id"]}

    def create_payment_request(self, request: CheckoutRequest) -> CheckoutResult:
        """Return what kushki.js needs to tokenize the card for this amount (no server call)."""
        return CheckoutResult(reference=request.operation_id, url=None, client_data={
            "public_merchant_id": str(self.settings.get("public_merchant_id") or ""), "amount": str(request.amount),
            "currency": request.currency, "reference": request.operation_id})

    def charge(self, token: str, request: CheckoutRequest) -> ProviderPayment:
        """Charge a kushki.js card token (`POST card/v1/charges`)."""
        body = {
            "token": token, "fullResponse": "v2",
            "amount": {"subtotalIva": 0, "subtotalIva0": float(request.amount), "ice": 0, "iva": 0, "currency": request.currency},
            "metadata": {"tenant_id": request.tenant_id, "invoice_id": request.invoice_id, "operation_id": request.operation_id},
        }
        return payment_from_body(call_json("POST", self._url("/card/v1/charges"), headers=self._headers(), body=body, provider=self.name))

    def fetch_payment(self, reference: str) -> ProviderPayment:
        """Return a charge's status by ticket number."""
        return payment_from_body(call_json("GET", self._url(f"/v1/charges/{reference}"), headers=self._headers(), provider=self.name))

    def refund(self, reference: str, amount: Decimal, *, currency: str, operation_id: str) -> ProviderRefund:
        """Refund part or all of a charge (`DELETE v1/refund/{ticketNumber}`)."""
        body = {"fullResponse": "v2", "amount": {"subtotalIva": 0, "subtotalIva0": float(amount), "ice": 0, "iva": 0, "currency": currency}}
        answer = call_json("DELETE", self._url(f"/v1/refund/{reference}"), headers=self._headers(), body=body, provider=self.name)
        ticket = str(answer.get("ticketNumber") or f"refund-{operation_id}") if isinstance(answer, dict) else f"refund-{operation_id}"
        return ProviderRefund(reference=ticket, amount=amount, status="succeeded")
