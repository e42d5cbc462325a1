"""Domain errors of imports."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class ImportNotFoundError(NotFoundError):
    """No batch or item with that id in the current tenant."""


class ImportInvalidError(InvalidError):
    """The request or the file cannot be used (unknown field, malformed file…)."""


class ImportConflictError(ConflictError):
    """The batch is not in a state that allows the action (or its entities are in use)."""


class ImportFileError(ImportInvalidError):
    """The uploaded file cannot be read; the message names the line."""


class ImportTooLargeError(ImportInvalidError):
    """The upload is larger than GESTIQ_IMPORTS_MAX_UPLOAD_MB."""

    status = 413


class ImportPolicyError(ImportInvalidError):
    """The duplicate policy does not apply to the batch's kind (`update` of issued invoices or of opening balances)."""

    status = 400
