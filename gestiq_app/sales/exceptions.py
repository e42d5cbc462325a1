"""Domain errors of sales (mapped to problem+json 404/422/409 by the API's one handler)."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class DocumentNotFoundError(NotFoundError):
    """No such quote, invoice or credit note in this tenant."""


class DocumentInvalidError(InvalidError):
    """The document breaks a business rule (unknown customer, missing lines, bad dates, limits)."""


class DocumentConflictError(ConflictError):
    """The document's state does not allow the action (e.g. editing an issued invoice)."""


class SeriesNotFoundError(NotFoundError):
    """No such numbering series in this tenant."""


class SeriesInvalidError(InvalidError):
    """The series cannot be used or changed that way."""


class SeriesConflictError(ConflictError):
    """The series prefix is taken, or the series has numbered documents already."""
