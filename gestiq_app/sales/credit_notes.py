"""Credit notes (facturas rectificativas / notas de crédito): what remains to credit, and creating one.

A credit note credits lines of one issued invoice: quantities at the invoice's price (or lower, for a
price correction). Amounts are stored positive; the kind says they are credited. Limits, checked when
the draft is created and again, under a lock on the invoice, when it is issued: per invoice line, the
quantity may not exceed what remains uncredited, nor the base what remains of the line's base. The
credit that closes a line takes exactly the base that remains, so rounding never leaves a stray cent.
Spain: `rectification_type` R1–R5 is required; `rectification_method` is `diferencias` (default) or
`sustitucion`, which replaces the whole invoice and therefore must credit everything that remains.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select

from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work
from gestiq_app.sales.drafting import applied_taxes_of, load_customer, price_document
from gestiq_app.sales.exceptions import DocumentConflictError, DocumentInvalidError
from gestiq_app.sales.models import SalesDocument, SalesDocumentLine
from gestiq_app.sales.numbering import resolve_series
from gestiq_app.sales.pricing import LineDraft
from gestiq_app.sales.services import lock_document
from gestiq_app.sales.settings import get_sales_settings
from gestiq_app.sales.totals import compute_line_base

CREDITABLE_STATES = ("issued", "partially_paid", "paid")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Remaining:
    """What an invoice line still has to credit."""

    quantity: Decimal
    base: Decimal


def remaining_by_line(invoice: SalesDocument) -> dict[uuid.UUID, Remaining]:
    """Return, per invoice line, the quantity and base not yet credited by issued credit notes."""
    statement = (
        select(SalesDocumentLine.source_line_id, func.sum(SalesDocumentLine.quantity), func.sum(SalesDocumentLine.base_amount))
        .join(SalesDocument, and_(SalesDocument.id == SalesDocumentLine.document_id,
                                  SalesDocument.tenant_id == SalesDocumentLine.tenant_id))
        .where(SalesDocument.rectified_document_id == invoice.id, SalesDocument.state == "issued")
        .group_by(SalesDocumentLine.source_line_id)
    )
    credited = {row[0]: (Decimal(row[1]), Decimal(row[2])) for row in session().execute(statement)}
    return {
        line.id: Remaining(line.quantity - credited.get(line.id, (ZERO, ZERO))[0],
                           line.base_amount - credited.get(line.id, (ZERO, ZERO))[1])
        for line in invoice.lines
    }


def credit_drafts(invoice: SalesDocument, requested: Sequence[dict[str, Any]] | None, *, method: str | None) -> list[LineDraft]:
    """Validate the lines to credit against what remains (None: everything that remains) and return their drafts."""
    remaining = remaining_by_line(invoice)
    if requested is None:
        requested = [{"source_line_id": line.id, "quantity": remaining[line.id].quantity}
                     for line in invoice.lines if remaining[line.id].quantity > 0 and remaining[line.id].base > 0]
        if not requested:
            raise DocumentConflictError("La factura ya está totalmente rectificada")
    lines = {line.id: line for line in invoice.lines}
    errors: dict[str, list[str]] = {}
    drafts: list[LineDraft] = []
    closed: set[uuid.UUID] = set()
    for index, item in enumerate(requested):
        line = lines.get(item["source_line_id"])
        if line is None or line.id in {draft.source_line_id for draft in drafts}:
            errors[f"lines.{index}.source_line_id"] = ["No es una línea de la factura, o está repetida."]
            continue
        left = remaining[line.id]
        price = item.get("unit_price") if item.get("unit_price") is not None else line.unit_price
        closes = item["quantity"] == left.quantity and price == line.unit_price
        base = left.base if closes else compute_line_base(item["quantity"], price, line.discount_percent)
        if price > line.unit_price:
            errors[f"lines.{index}.unit_price"] = [f"No puede superar el precio facturado ({line.unit_price})."]
        elif item["quantity"] > left.quantity:
            errors[f"lines.{index}.quantity"] = [f"Quedan {left.quantity} unidades por abonar en esta línea."]
        elif base > left.base:
            errors[f"lines.{index}.quantity"] = [f"Supera el importe pendiente de abonar de la línea ({left.base})."]
        if closes:
            closed.add(line.id)
        drafts.append(LineDraft(
            description=line.description, quantity=item["quantity"], unit_price=price, discount_percent=line.discount_percent,
            tax_category=line.tax_category, is_service=line.is_service, product_id=line.product_id, source_line_id=line.id,
            fixed_taxes=applied_taxes_of(line), fixed_base=base,
        ))
    open_lines = {line_id for line_id, left in remaining.items() if left.base > 0}
    if method == "sustitucion" and not errors and open_lines - closed:
        errors["rectification_method"] = ["Una rectificativa por sustitución anula toda la factura: incluya todo lo pendiente."]
    if errors:
        raise DocumentInvalidError("La rectificación supera lo pendiente de la factura", errors=errors)
    return drafts


def requested_lines(credit_note: SalesDocument) -> list[dict[str, Any]]:
    """Return a draft credit note's lines as a credit request (re-validated when it is issued)."""
    return [{"source_line_id": line.source_line_id, "quantity": line.quantity, "unit_price": line.unit_price}
            for line in credit_note.lines]


def apply_credit(invoice: SalesDocument, credit_note: SalesDocument) -> None:
    """Record an issued credit note on its invoice: credited amount, amount due and, when nothing remains, rectified."""
    invoice.amount_credited = invoice.amount_credited + credit_note.total
    invoice.amount_due = max(invoice.total - invoice.amount_paid - invoice.amount_credited, ZERO)
    session().flush()  # the credit note is issued now: what remains already counts it
    if all(left.base <= 0 for left in remaining_by_line(invoice).values()):
        invoice.state = "rectified"


def _check_rectification(country: str, data: dict[str, Any]) -> tuple[str | None, str | None]:
    if country != "ES":
        return None, None
    if not data.get("rectification_type"):
        raise DocumentInvalidError("Falta el tipo de rectificativa", errors={"rectification_type": ["Obligatorio en España (R1–R5)."]})
    return data["rectification_type"], data.get("rectification_method") or "diferencias"


def create_credit_note(*, tenant_id: uuid.UUID, invoice_id: uuid.UUID, data: dict[str, Any], actor: str) -> SalesDocument:
    """Create a draft credit note of an issued invoice: all that remains, or the given lines and quantities."""
    settings = get_sales_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        invoice = lock_document(invoice_id, ("invoice",))
        if invoice.state not in CREDITABLE_STATES:
            raise DocumentConflictError("Solo se pueden rectificar facturas emitidas y no rectificadas del todo")
        rectification_type, method = _check_rectification(settings.country, data)
        issue_date = data.get("issue_date") or settings.today()
        if issue_date < invoice.issue_date:
            raise DocumentInvalidError("Fecha no válida", errors={"issue_date": ["No puede ser anterior a la factura rectificada."]})
        series = resolve_series(kind="credit_note", country=settings.country, series_id=data.get("series_id"))
        credit_note = SalesDocument(
            kind="credit_note", state="draft", series_id=series.id, issue_date=issue_date, currency=invoice.currency,
            customer_id=invoice.customer_id, customer_name=invoice.customer_name, customer_tax_id=invoice.customer_tax_id,
            notes=data.get("notes"), reason=data["reason"], rectified_document_id=invoice.id,
            rectification_type=rectification_type, rectification_method=method,
        )
        drafts = credit_drafts(invoice, data.get("lines"), method=method)
        customer = load_customer(invoice.customer_id, require_active=False)
        price_document(credit_note, settings=settings, customer=customer, drafts=drafts)
        current.add(credit_note)
        current.flush()
        record_event(actor=actor, action="credit_note.created", entity="sales_document", entity_id=credit_note.id,
                     changes={"invoice_id": invoice.id, "total": credit_note.total, "type": rectification_type, "method": method})
    return credit_note
