"""Domain errors of purchases (mapped to problem+json 404/409/413/422 by the API's one handler)."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, DomainError, InvalidError, NotFoundError


class PurchaseNotFoundError(NotFoundError):
    """No such supplier invoice, expense, withholding or attachment in this tenant."""


class PurchaseInvalidError(InvalidError):
    """The purchase breaks a business rule (unknown supplier, missing lines, bad dates, unknown rate)."""


class PurchaseConflictError(ConflictError):
    """The state does not allow the action (editing a recorded invoice) or the supplier number is taken."""


class AttachmentTooLargeError(DomainError):
    """The uploaded file is larger than the configured limit."""

    status = 413
