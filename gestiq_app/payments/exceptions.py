"""Domain errors of payments (mapped to problem+json 404/422/409 by the API's one handler)."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class PaymentNotFoundError(NotFoundError):
    """No such payment, invoice or provider account in this tenant."""


class PaymentInvalidError(InvalidError):
    """The payment or refund breaks a rule (amount, currency, method)."""


class PaymentConflictError(ConflictError):
    """The invoice or payment state does not allow it (draft invoice, nothing left to refund)."""


class ProviderError(RuntimeError):
    """A provider call failed; `is_retryable` tells a network error or 5xx (try later) from a final one (4xx, bad data)."""

    def __init__(self, message: str, *, is_retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.is_retryable = is_retryable
        self.status = status


class SignatureError(ValueError):
    """A provider notification's signature, timestamp or secret does not verify."""
