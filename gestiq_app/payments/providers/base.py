"""The provider interface and what its calls return; an HTTP helper that tells retryable from final errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests
from flask import current_app

from gestiq_app.payments.exceptions import ProviderError

CONNECT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class CheckoutRequest:
    """What we ask a provider to collect: an invoice's amount due."""

    tenant_id: str
    invoice_id: str
    operation_id: str
    amount: Decimal
    currency: str
    description: str
    success_url: str
    cancel_url: str


@dataclass(frozen=True)
class CheckoutResult:
    """A payment request at the provider: a link for the customer, or data for the provider's client library."""

    reference: str
    url: str | None = None
    client_data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderPayment:
    """A provider's view of one payment (re-fetched: the source of truth when notifications arrive out of order)."""

    reference: str
    status: str  # "succeeded" | "failed" | "pending"
    amount: Decimal
    currency: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderRefund:
    """A refund at the provider."""

    reference: str
    amount: Decimal
    status: str


class PaymentProvider:
    """Create a payment request, confirm or fetch a payment, refund it (total or partial)."""

    name = ""
    supports_partial_refunds = True

    def __init__(self, secrets: dict[str, str], settings: dict[str, Any]) -> None:
        self._secrets = secrets
        self.settings = settings

    def __repr__(self) -> str:  # never show secrets in logs or tracebacks
        return f"<{type(self).__name__}>"

    def create_payment_request(self, request: CheckoutRequest) -> CheckoutResult:
        """Ask the provider for a link (or client data) to pay `request.amount`."""
        raise NotImplementedError

    def fetch_payment(self, reference: str) -> ProviderPayment:
        """Return the provider's current view of a payment."""
        raise NotImplementedError

    def refund(self, reference: str, amount: Decimal, *, currency: str, operation_id: str) -> ProviderRefund:
        """Refund part or all of a payment; `operation_id` makes a retried call idempotent."""
        raise NotImplementedError


def to_minor_units(amount: Decimal) -> int:
    """Return cents of a two-decimal currency (EUR, USD)."""
    return int((Decimal(amount) * 100).to_integral_value())


def from_minor_units(value: int | str) -> Decimal:
    """Return a Decimal amount from cents."""
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


def timeout_seconds() -> float:
    """Return the read timeout of provider calls."""
    return float(current_app.config["GESTIQ_PAYMENTS_TIMEOUT_SECONDS"])


def call_json(method: str, url: str, *, headers: dict[str, str], body: Any = None, provider: str) -> Any:
    """Call a provider's JSON API; network errors, 429 and 5xx are retryable, other 4xx and bad bodies final."""
    try:
        response = requests.request(method, url, headers={"Content-Type": "application/json", **headers},
                                    data=None if body is None else json.dumps(body),
                                    timeout=(min(CONNECT_TIMEOUT_SECONDS, timeout_seconds()), timeout_seconds()))
    except requests.RequestException as error:
        raise ProviderError(f"{provider}: sin respuesta ({type(error).__name__})", is_retryable=True) from error
    if response.status_code == 429 or response.status_code >= 500:
        raise ProviderError(f"{provider}: error temporal HTTP {response.status_code}", is_retryable=True, status=response.status_code)
    if response.status_code >= 400:
        raise ProviderError(f"{provider}: rechazado HTTP {response.status_code}: {_message(response)}", is_retryable=False,
                            status=response.status_code)
    try:
        return response.json()
    except ValueError as error:
        raise ProviderError(f"{provider}: respuesta no JSON", is_retryable=False, status=response.status_code) from error


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("Message") or body.get("errorCode") or "")[:200]
    return str(body)[:200]
