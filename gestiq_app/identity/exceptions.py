"""Domain errors of identity."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class UserNotFoundError(NotFoundError):
    """No such user in the current tenant."""


class UserInvalidError(InvalidError):
    """User data is invalid."""


class UserConflictError(ConflictError):
    """The e-mail is already used in this tenant."""


class AuthenticationError(Exception):
    """The caller is not authenticated (401): missing, invalid, expired or revoked credentials."""

    def __init__(self, message: str = "Credenciales no válidas.") -> None:
        super().__init__(message)
        self.message = message


class SecondFactorError(AuthenticationError):
    """The second factor is missing, wrong or replayed."""
