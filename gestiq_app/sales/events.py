"""After-commit hooks of sales: later modules (PDF rendering, e-invoicing) subscribe here.

`on_invoice_issued(tenant_id, invoice_id)` runs after the issuing transaction has committed (through
`db.call_after_commit`: a rolled-back issue notifies nobody), for invoices and credit notes alike (both
are invoices to the tax authorities; subscribers read the kind).
Subscribers should only enqueue work (Huey tasks take ids and run idempotently); the invoice is issued
whatever they do, so a failing subscriber is logged and the others still run.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

log = logging.getLogger("gestiq.sales.events")

InvoiceIssuedHandler = Callable[[uuid.UUID, uuid.UUID], None]
_invoice_issued_handlers: list[InvoiceIssuedHandler] = []


def subscribe_invoice_issued(handler: InvoiceIssuedHandler) -> InvoiceIssuedHandler:
    """Register a handler called as handler(tenant_id, invoice_id) after an invoice is issued (usable as a decorator)."""
    if handler not in _invoice_issued_handlers:
        _invoice_issued_handlers.append(handler)
    return handler


def unsubscribe_invoice_issued(handler: InvoiceIssuedHandler) -> None:
    """Remove a handler (tests)."""
    if handler in _invoice_issued_handlers:
        _invoice_issued_handlers.remove(handler)


def on_invoice_issued(tenant_id: uuid.UUID, invoice_id: uuid.UUID) -> None:
    """Tell every subscriber that an invoice or credit note was issued and committed."""
    for handler in list(_invoice_issued_handlers):
        try:
            handler(tenant_id, invoice_id)
        except Exception:  # noqa: BLE001 - the issue is committed: one subscriber must not hide it or stop the rest
            log.exception("invoice_issued handler failed", extra={"tenant_id": str(tenant_id), "invoice_id": str(invoice_id)})
