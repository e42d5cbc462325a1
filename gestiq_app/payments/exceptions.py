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


class ProviderUnavailableError(ConflictError):
    """The provider did not answer or failed temporarily (502: try again later)."""

    status = 502


class ProviderRejectedError(InvalidError):
    """The provider refused the request (bad credentials, amount or state): 422 with its message."""


def provider_problem(error: ProviderError) -> ConflictError | InvalidError:
    """Map a provider failure to the API error (its message never holds secrets)."""
    if error.is_retryable:
        return ProviderUnavailableError("El proveedor de pagos no responde; vuelva a intentarlo más tarde.",
                                        errors={"provider": [str(error)]})
    return ProviderRejectedError("El proveedor de pagos rechazó la operación.", errors={"provider": [str(error)]})


class WebhookRejectedError(InvalidError):
    """A provider notification failed verification (signature, timestamp, secret, store): 400, nothing stored."""

    status = 400
