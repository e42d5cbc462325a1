"""In-transaction domain events: one module tells others what it just did, inside the same transaction.

Use this when the subscriber's work must commit or roll back together with the event (the journal entry
of an issued invoice, the VERI*FACTU record of an issued invoice, the invoice's paid state after a
payment). A subscriber that raises aborts the whole unit of work: that is the point. For work that must
only happen after the commit (rendering a PDF, calling the SRI), use `db.call_after_commit` instead.

Events and their keyword payloads (keep this list the single source of the contract):

- ``sales.document_issued``     document: SalesDocument (invoice or credit note, numbered, flushed)
- ``sales.document_voided``     document: SalesDocument
- ``purchases.invoice_recorded`` document: the supplier invoice / expense row (flushed)
- ``payments.payment_recorded``  payment: the payment row (flushed), document: SalesDocument it applies to or None
- ``payments.refund_recorded``   refund: the refund row (flushed), payment: the refunded payment row

Subscribers are called in registration order with ``handler(**payload)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[..., None]
_handlers: dict[str, list[Handler]] = defaultdict(list)

EVENTS = frozenset({
    "sales.document_issued",
    "sales.document_voided",
    "purchases.invoice_recorded",
    "payments.payment_recorded",
    "payments.refund_recorded",
})


def subscribe(event: str) -> Callable[[Handler], Handler]:
    """Decorator registering `handler` for `event` (idempotent: registering twice keeps one)."""
    if event not in EVENTS:
        raise ValueError(f"unknown domain event {event!r}")

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[event]:
            _handlers[event].append(handler)
        return handler

    return register


def unsubscribe(event: str, handler: Handler) -> None:
    """Remove a handler (tests)."""
    if handler in _handlers[event]:
        _handlers[event].remove(handler)


def emit(event: str, **payload: Any) -> None:
    """Call every subscriber of `event` now, inside the caller's transaction; exceptions propagate."""
    if event not in EVENTS:
        raise ValueError(f"unknown domain event {event!r}")
    for handler in list(_handlers[event]):
        handler(**payload)
