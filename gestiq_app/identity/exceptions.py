"""Domain errors of identity."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class UserNotFoundError(NotFoundError):
    """No such user in the current tenant."""


class UserInvalidError(InvalidError):
    """User data is invalid."""


class UserConflictError(ConflictError):
    """The e-mail is already used in this tenant."""
