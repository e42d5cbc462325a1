"""Domain errors of the product catalog."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class ProductNotFoundError(NotFoundError):
    """No product with that id in the current tenant."""


class ProductInvalidError(InvalidError):
    """Product data breaks a rule (e.g. a tax category missing from the catalog)."""


class ProductConflictError(ConflictError):
    """The SKU is already used, or the product changed since the caller read it."""


class PriceListNotFoundError(NotFoundError):
    """No price list with that id in the current tenant (or the product is not in it)."""


class PriceListConflictError(ConflictError):
    """The code is already used, or the price list changed since the caller read it."""
