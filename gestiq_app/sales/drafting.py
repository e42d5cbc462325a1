"""Helpers that turn input into priced document content (they only add and flush; callers commit)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any


from gestiq_app.catalog.lines import resolve_lines
from gestiq_app.crm.models import Customer
from gestiq_app.db import session
from gestiq_app.sales.exceptions import DocumentInvalidError
from gestiq_app.sales.models import SalesDocument, SalesDocumentLine, SalesDocumentTax
from gestiq_app.sales.pricing import LineDraft, TaxProfile, price_lines
from gestiq_app.sales.settings import SalesSettings
from gestiq_app.sales.totals import AppliedTax, DocumentTotals



def load_customer(customer_id: uuid.UUID, *, require_active: bool = True) -> Customer:
    """Return the tenant's customer or raise a 422 naming `customer_id`."""
    customer = session().get(Customer, customer_id)
    if customer is None:
        raise DocumentInvalidError("Cliente no encontrado", errors={"customer_id": ["No existe ese cliente."]})
    if require_active and not customer.is_active:
        raise DocumentInvalidError("Cliente dado de baja", errors={"customer_id": ["El cliente está dado de baja."]})
    return customer


def tax_profile(settings: SalesSettings, customer: Customer) -> TaxProfile:
    """Return the tax profile of invoicing this customer from this tenant."""
    return TaxProfile(
        country=settings.country,
        has_recargo_equivalencia=bool(customer.has_recargo_equivalencia),
        is_irpf_professional=bool(customer.is_irpf_professional),
        irpf_category=settings.irpf_category,
    )


def due_date_for(issue_date: date, customer: Customer) -> date:
    """Return the due date from the customer's payment terms."""
    return issue_date + timedelta(days=customer.payment_terms_days or 0)


def snapshot_customer(document: SalesDocument, customer: Customer) -> None:
    """Copy the customer's name and tax id onto the document (frozen when it is issued)."""
    document.customer_id = customer.id
    document.customer_name = customer.legal_name
    document.customer_tax_id = customer.tax_id


def line_drafts(lines_data: Sequence[dict[str, Any]]) -> list[LineDraft]:
    """Validate input lines, filling description, price, tax category and kind from their products."""
    errors: dict[str, list[str]] = {}
    drafts = []
    for line in resolve_lines(lines_data, errors, price_from_product=True):
        is_service = line.data.get("is_service")
        drafts.append(LineDraft(
            description=line.description,
            quantity=line.data["quantity"],
            unit_price=line.unit_price,
            discount_percent=line.data.get("discount_percent") or Decimal("0"),
            tax_category=line.tax_category,
            is_service=is_service if is_service is not None else bool(line.product and line.product.kind == "service"),
            product_id=line.product.id if line.product else None,
        ))
    if errors:
        raise DocumentInvalidError("Revise las líneas", errors=errors)
    return drafts


def applied_taxes_of(line: SalesDocumentLine) -> tuple[AppliedTax, ...]:
    """Return the taxes recorded on a priced line (credit notes reuse the credited line's rates)."""
    taxes = [AppliedTax("iva", line.tax_category, line.tax_rate, line.tax_code)]
    if line.recargo_rate is not None:
        taxes.append(AppliedTax("recargo", line.tax_category, line.recargo_rate))
    if line.withholding_rate is not None:
        taxes.append(AppliedTax("irpf", line.withholding_category or "", line.withholding_rate))
    return tuple(taxes)


def draft_of(line: SalesDocumentLine, *, is_credit: bool) -> LineDraft:
    """Return the pricing input of a stored line (credit-note lines keep their taxes and base)."""
    return LineDraft(
        description=line.description, quantity=line.quantity, unit_price=line.unit_price,
        discount_percent=line.discount_percent, tax_category=line.tax_category, is_service=line.is_service,
        product_id=line.product_id, source_line_id=line.source_line_id,
        fixed_taxes=applied_taxes_of(line) if is_credit else None, fixed_base=line.base_amount if is_credit else None,
    )


def new_lines(drafts: Sequence[LineDraft]) -> list[SalesDocumentLine]:
    """Build unpriced line rows from drafts."""
    return [
        SalesDocumentLine(
            position=index, product_id=draft.product_id, description=draft.description, quantity=draft.quantity,
            unit_price=draft.unit_price, discount_percent=draft.discount_percent, tax_category=draft.tax_category,
            is_service=draft.is_service, source_line_id=draft.source_line_id,
        )
        for index, draft in enumerate(drafts, start=1)
    ]


def write_pricing(document: SalesDocument, lines: Sequence[SalesDocumentLine], applied: Sequence[tuple[AppliedTax, ...]],
                  totals: DocumentTotals) -> None:
    """Store rate snapshots and bases on the lines, the breakdown and the totals on the document."""
    for line, taxes, base in zip(lines, applied, totals.line_bases):
        by_type = {tax.tax_type: tax for tax in taxes}
        line.tax_rate, line.tax_code = by_type["iva"].rate, by_type["iva"].authority_code
        line.recargo_rate = by_type["recargo"].rate if "recargo" in by_type else None
        line.withholding_rate = by_type["irpf"].rate if "irpf" in by_type else None
        line.withholding_category = by_type["irpf"].category if "irpf" in by_type else None
        line.base_amount = base
    if list(document.lines) != list(lines):
        document.lines = list(lines)
    document.taxes = [
        SalesDocumentTax(tax_type=tax.tax_type, category=tax.category, rate=tax.rate, authority_code=tax.authority_code,
                         base=tax.base, amount=tax.amount)
        for tax in totals.taxes
    ]
    document.subtotal, document.tax_total = totals.subtotal, totals.tax_total
    document.recargo_total, document.withholding_total, document.total = totals.recargo_total, totals.withholding_total, totals.total


def price_document(document: SalesDocument, *, settings: SalesSettings, customer: Customer,
                   lines: Sequence[SalesDocumentLine] | None = None, drafts: Sequence[LineDraft] | None = None) -> None:
    """Price a document on its issue date: new lines from drafts, or its stored lines re-priced."""
    is_credit = document.kind == "credit_note"
    if drafts is None:
        lines = list(document.lines) if lines is None else lines
        drafts = [draft_of(line, is_credit=is_credit) for line in lines]
    else:
        lines = new_lines(drafts)
    applied, totals = price_lines(profile=tax_profile(settings, customer), on_date=document.issue_date, drafts=drafts)
    write_pricing(document, lines, applied, totals)
