"""Domain errors of the tax catalog."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import InvalidError, NotFoundError


class TaxRateNotFoundError(InvalidError):
    """No rate of that category is valid on the date (the document cannot be priced)."""


class TaxRateMissingError(NotFoundError):
    """No such catalog entry."""
