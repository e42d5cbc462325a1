"""Domain errors of the tax catalog."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class TaxRateNotFoundError(InvalidError):
    """No rate of that category is valid on the date (the document cannot be priced)."""


class TaxRateMissingError(NotFoundError):
    """No such catalog entry."""


class TaxRateInvalidError(InvalidError):
    """A catalog entry breaks a rule (unknown country or tax, rate out of range, period ends before it starts)."""


class TaxRateConflictError(ConflictError):
    """The period overlaps another rate of the same country, tax and category."""
