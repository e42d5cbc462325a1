"""Domain errors of webhooks."""

from __future__ import annotations

from gestiq_app.tenancy.exceptions import ConflictError, InvalidError, NotFoundError


class WebhookNotFoundError(NotFoundError):
    """No such subscription or delivery in this tenant."""


class WebhookInvalidError(InvalidError):
    """The subscription data is invalid (unknown event, unsafe URL…)."""


class WebhookConflictError(ConflictError):
    """The delivery cannot be replayed in its current state."""
