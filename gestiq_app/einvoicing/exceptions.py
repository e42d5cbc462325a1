"""Domain errors of e-invoicing (mapped to problem+json by the API's DomainError handler)."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class EinvoicingNotFoundError(NotFoundError):
    """No certificate, submission or record with that id in this tenant."""


class EinvoicingInvalidError(InvalidError):
    """The document, certificate or configuration cannot be used."""


class EinvoicingConflictError(ConflictError):
    """The request conflicts with the submission's state (already authorized, nothing changed…)."""
