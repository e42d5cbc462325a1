"""In-transaction domain events: one module tells others what it just did, inside the same transaction.

Use this when the subscriber's work must commit or roll back together with the event (the journal entry
of an issued invoice, the VERI*FACTU record of an issued invoice, the invoice's paid state after a
payment). A subscriber that raises aborts the whole unit of work: that is the point. For work that must
only happen after the commit (rendering a PDF, calling the SRI), use `db.call_after_commit` instead.

Events and their keyword payloads (keep this list the single source of the contract). Every object is
already flushed (it has its id) and belongs to the current tenant; amounts are Decimal.

- ``sales.document_issued``  document: `sales.models.SalesDocument` (kind "invoice" or "credit_note", numbered;
  `taxes` holds the breakdown rows: tax_type "iva" | "recargo" | "irpf" | "withholding", rate, base, amount).
- ``sales.document_voided``  document: the invoice SalesDocument just voided (`sales.voiding.void_document`: state
  "voided", voided_at, void_reason set, amount_due 0; it had no payments nor credits). Spain: e-invoicing chains the
  registro de anulación; Ecuador: e-invoicing raises a 409 ConflictError if it was sent to the SRI.
- ``purchases.invoice_recorded``  document: a purchase document with at least these attributes:
  id, tenant_id, kind ("supplier_invoice" | "expense"), supplier_id (None for an expense without supplier),
  supplier_number, issue_date (date), currency, subtotal, tax_total, withholding_total, total (Decimal:
  total = subtotal + tax_total; the supplier is owed total - withholding_total), expense_account (str | None:
  account code chosen by the user, else the country default), and `taxes`: rows with tax_type ("iva"),
  rate, base, amount, is_deductible (bool); and `withholdings`: rows with kind ("iva" | "renta"),
  code (SRI code; "irpf" for the IRPF a Spanish buyer withholds from a professional), rate, base, amount.
- ``purchases.payment_recorded``  a payment to a supplier, emitted inside the paying transaction (`POST
  /purchases/invoices/{id}/payments`, and an expense created already paid, right after its
  ``purchases.invoice_recorded``): payment_id (uuid.UUID, new for every payment: the accounting entry's source id),
  document (the purchase document paid, as above, with amount_paid / amount_due already updated), amount (Decimal > 0,
  at most what was owed), paid_on (date, the tenant's local date unless given), method ("bank_transfer" | "cash" |
  "card"). Accounting posts debit payable (400 invoices / 410 expenses; EC 2.1.03.01), credit bank (572) or cash (570).
- ``payments.payment_recorded``  payment: a payment row with id, tenant_id, amount, currency, method
  ("bank_transfer" | "cash" | "card_terminal" | "stripe" | "payphone" | "kushki"), paid_on (date),
  customer_id; document: the SalesDocument it was applied to, or None (amount held as customer credit);
  applied_amount: Decimal applied to the document (the rest, if any, is customer credit).
- ``payments.refund_recorded``  refund: a refund row with id, tenant_id, amount, currency, refunded_on
  (date); payment: the refunded payment row (as above).

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
    "purchases.payment_recorded",
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
