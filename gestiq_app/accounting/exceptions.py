"""Domain errors of accounting (mapped to problem+json 404/422/409 by the API's one handler)."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class AccountNotFoundError(NotFoundError):
    """No such account in this tenant."""


class AccountInvalidError(InvalidError):
    """The account cannot be created that way (unknown parent, code outside the parent's branch)."""


class AccountConflictError(ConflictError):
    """The account code is taken."""


class EntryNotFoundError(NotFoundError):
    """No such journal entry in this tenant."""


class EntryInvalidError(InvalidError):
    """The entry breaks a rule of double entry (unbalanced, one-sided lines, non-postable account)."""


class EntryConflictError(ConflictError):
    """The document is already posted, or the entry is already reversed."""


class PeriodLockedError(ConflictError):
    """The date falls on or before the tenant's lock date: the period is closed."""


class ReportInvalidError(InvalidError):
    """The report parameters are not valid (dates, format, account)."""
