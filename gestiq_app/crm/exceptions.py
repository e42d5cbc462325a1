"""Domain errors of customers and suppliers."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class PartyNotFoundError(NotFoundError):
    """No customer or supplier with that id in the current tenant."""


class PartyInvalidError(InvalidError):
    """Customer or supplier data breaks a fiscal rule (tax id, country flags)."""


class PartyConflictError(ConflictError):
    """The tax id is already used, or the row changed since the caller read it."""


class CustomerNotFoundError(PartyNotFoundError):
    """No customer with that id in the current tenant."""


class CustomerInvalidError(PartyInvalidError):
    """Customer data breaks a fiscal rule."""


class CustomerConflictError(PartyConflictError):
    """Duplicate tax id or stale version of a customer."""


class SupplierNotFoundError(PartyNotFoundError):
    """No supplier with that id in the current tenant."""


class SupplierInvalidError(PartyInvalidError):
    """Supplier data breaks a fiscal rule."""


class SupplierConflictError(PartyConflictError):
    """Duplicate tax id or stale version of a supplier."""
