"""Domain errors of tenancy."""

from __future__ import annotations


class DomainError(Exception):
    """Base of domain errors: a Spanish message and optional per-field errors."""

    status = 400

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFoundError(DomainError):
    """The object does not exist (or belongs to another tenant)."""

    status = 404


class InvalidError(DomainError):
    """The input breaks a business rule."""

    status = 422


class ConflictError(DomainError):
    """The request conflicts with the current state."""

    status = 409


class TenantNotFoundError(NotFoundError):
    """No tenant with that id or slug."""


class TenantInvalidError(InvalidError):
    """Tenant data is invalid."""


class TenantConflictError(ConflictError):
    """The slug or tax id is already taken."""
