"""Void (anular) an issued invoice that nothing has touched yet: no payment, no credit note.

The invoice keeps its number (numbering stays gapless) and becomes `voided` with nothing due. The
`sales.document_voided` domain event runs inside the same transaction: in Spain e-invoicing chains the VERI*FACTU
registro de anulación; in Ecuador it refuses (409) once the invoice went to the SRI, whose offline scheme has no
cancellation service (see docs/modules/einvoicing.md). A refusal rolls everything back.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from gestiq_app import domain_events
from gestiq_app.audit.services import record_event
from gestiq_app.db import unit_of_work, utcnow
from gestiq_app.sales.exceptions import DocumentConflictError, DocumentInvalidError
from gestiq_app.sales.models import SalesDocument
from gestiq_app.sales.services import lock_document

ZERO = Decimal("0")


def void_document(*, tenant_id: uuid.UUID, document_id: uuid.UUID, reason: str, actor: str) -> SalesDocument:
    """Void an issued invoice without payments or credits, recording why."""
    reason = (reason or "").strip()
    if not reason:
        raise DocumentInvalidError("Indique el motivo de la anulación", errors={"reason": ["Obligatorio."]})
    with unit_of_work() as current:
        document = lock_document(document_id, ("invoice",))
        if document.state != "issued":
            raise DocumentConflictError("Solo se puede anular una factura emitida sin cobros ni rectificativas")
        if document.amount_paid > ZERO or document.amount_credited > ZERO:
            raise DocumentConflictError("La factura tiene cobros o rectificativas: no se puede anular")
        document.state, document.amount_due = "voided", ZERO
        document.voided_at, document.void_reason = utcnow(), reason[:300]
        current.flush()
        record_event(actor=actor, action="invoice.voided", entity="sales_document", entity_id=document.id,
                     changes={"number": document.full_number, "reason": document.void_reason})
        domain_events.emit("sales.document_voided", document=document)
    return document
