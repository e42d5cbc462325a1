"""Turn input into priced purchase content with catalog rates valid on the document's date (add/flush only).

Rates come from `taxes.services.get_rate` (through the sales `RateBook` cache), never from here. The buyer's
withholdings: Ecuador, renta (catalog `ret_renta`, SRI code) and IVA (`ret_iva`); Spain, the IRPF withheld
from a professional's invoice (catalog `irpf`, kind "renta", code "irpf"), no IVA withholding.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any


from gestiq_app.catalog.lines import resolve_lines
from gestiq_app.crm.models import Supplier
from gestiq_app.db import session
from gestiq_app.purchases.exceptions import PurchaseInvalidError
from gestiq_app.purchases.models import PurchaseDocument, PurchaseDocumentLine, PurchaseDocumentTax, PurchaseWithholdingLine
from gestiq_app.purchases.totals import PurchaseLineInput, PurchaseTotals, Rate, compute_expense_totals, compute_purchase_totals
from gestiq_app.sales.pricing import MAX_AMOUNT, RateBook
from gestiq_app.taxes.exceptions import TaxRateNotFoundError

#: Code of Spanish IRPF withholdings (the catalog has no authority code for them; the SRI codes are numeric).
IRPF_CODE = "irpf"
#: Account booked when the user names none (Spain, PGC PYMES: 600 compras, 629 otros servicios). Ecuador:
#: None, the accounting module applies its chart's default.
DEFAULT_EXPENSE_ACCOUNTS: dict[str, dict[str, str | None]] = {
    "ES": {"supplier_invoice": "600", "expense": "629"},
    "EC": {"supplier_invoice": None, "expense": None},
}


@dataclass(frozen=True)
class LineDraft:
    """A validated line before pricing."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_category: str
    is_iva_deductible: bool | None
    expense_account: str | None = None
    renta_withholding_category: str | None = None
    iva_withholding_category: str | None = None
    product_id: uuid.UUID | None = None


def load_supplier(supplier_id: uuid.UUID, *, require_active: bool = True) -> Supplier:
    """Return the tenant's supplier or raise a 422 naming `supplier_id`."""
    supplier = session().get(Supplier, supplier_id)
    if supplier is None:
        raise PurchaseInvalidError("Proveedor no encontrado", errors={"supplier_id": ["No existe ese proveedor."]})
    if require_active and not supplier.is_active:
        raise PurchaseInvalidError("Proveedor dado de baja", errors={"supplier_id": ["El proveedor está dado de baja."]})
    return supplier


def snapshot_supplier(document: PurchaseDocument, supplier: Supplier | None) -> None:
    """Copy the supplier's name and tax id onto the document (frozen when it is recorded)."""
    document.supplier_id = supplier.id if supplier else None
    document.supplier_name = supplier.legal_name if supplier else None
    document.supplier_tax_id = supplier.tax_id if supplier else None


def due_date_for(issue_date: date, supplier: Supplier | None) -> date:
    """Return the due date from the supplier's payment terms (the issue date without a supplier)."""
    return issue_date + timedelta(days=(supplier.payment_terms_days or 0) if supplier else 0)


def default_expense_account(country: str, kind: str) -> str | None:
    """Return the account booked when the user names none."""
    return DEFAULT_EXPENSE_ACCOUNTS.get(country, {}).get(kind)


def line_drafts(lines_data: Sequence[dict[str, Any]], *, country: str) -> list[LineDraft]:
    """Validate input lines, filling description and tax category from their products (never the selling price)."""
    errors: dict[str, list[str]] = {}
    if country != "EC":
        for index, data in enumerate(lines_data):
            if data.get("iva_withholding_category"):
                errors[f"lines.{index}.iva_withholding_category"] = ["La retención de IVA del comprador solo existe en Ecuador."]
    drafts = []
    for line in resolve_lines(lines_data, errors, price_from_product=False):
        data = line.data
        drafts.append(LineDraft(
            description=line.description, quantity=data["quantity"], unit_price=line.unit_price,
            discount_percent=data.get("discount_percent") or Decimal("0"), tax_category=line.tax_category,
            is_iva_deductible=data.get("is_iva_deductible"), expense_account=data.get("expense_account"),
            renta_withholding_category=data.get("renta_withholding_category"),
            iva_withholding_category=data.get("iva_withholding_category"), product_id=line.product.id if line.product else None,
        ))
    if errors:
        raise PurchaseInvalidError("Revise las líneas", errors=errors)
    return drafts


def draft_of(line: PurchaseDocumentLine) -> LineDraft:
    """Return the pricing input of a stored line."""
    return LineDraft(
        description=line.description, quantity=line.quantity, unit_price=line.unit_price, discount_percent=line.discount_percent,
        tax_category=line.tax_category, is_iva_deductible=line.is_iva_deductible, expense_account=line.expense_account,
        renta_withholding_category=line.renta_withholding_category, iva_withholding_category=line.iva_withholding_category,
        product_id=line.product_id,
    )


def _rate(book: RateBook, tax_type: str, category: str, field: str) -> Rate:
    try:
        applied = book.applied(tax_type, category)
    except TaxRateNotFoundError as error:
        messages = [message for values in error.errors.values() for message in values]
        raise PurchaseInvalidError(error.message, errors={field: messages}) from error
    return Rate(category=category, rate=applied.rate, code=applied.authority_code)


def _inputs(drafts: Sequence[LineDraft], *, country: str, on_date: date, is_iva_deductible: bool) -> list[PurchaseLineInput]:
    book = RateBook(country=country, on_date=on_date)
    inputs = []
    for index, draft in enumerate(drafts):
        renta = iva_withholding = None
        if draft.renta_withholding_category:
            field = f"lines.{index}.renta_withholding_category"
            if country == "EC":
                renta = _rate(book, "ret_renta", draft.renta_withholding_category, field)
            else:  # Spain: IRPF withheld from a professional's invoice (catalog irpf: profesional 15 %, profesional_inicio 7 %)
                irpf = _rate(book, "irpf", draft.renta_withholding_category, field)
                renta = Rate(category=irpf.category, rate=irpf.rate, code=irpf.code or IRPF_CODE)
        if draft.iva_withholding_category:
            iva_withholding = _rate(book, "ret_iva", draft.iva_withholding_category, f"lines.{index}.iva_withholding_category")
        inputs.append(PurchaseLineInput(
            quantity=draft.quantity, unit_price=draft.unit_price, discount_percent=draft.discount_percent,
            iva=_rate(book, "iva", draft.tax_category, f"lines.{index}.tax_category"),
            is_iva_deductible=is_iva_deductible if draft.is_iva_deductible is None else draft.is_iva_deductible,
            renta_withholding=renta, iva_withholding=iva_withholding,
        ))
    return inputs


def _check_magnitude(totals: PurchaseTotals) -> None:
    amounts = [*totals.line_bases, totals.subtotal, totals.total, *(tax.amount for tax in totals.taxes)]
    if any(amount > MAX_AMOUNT for amount in amounts):
        raise PurchaseInvalidError("Importe demasiado grande", errors={"lines": ["El importe supera el máximo admitido."]})


def write_totals(document: PurchaseDocument, totals: PurchaseTotals) -> None:
    """Store the IVA breakdown, the withholdings and the totals on the document."""
    document.taxes = [
        PurchaseDocumentTax(tax_type="iva", category=tax.category, rate=tax.rate, authority_code=tax.authority_code,
                            is_deductible=tax.is_deductible, base=tax.base, amount=tax.amount)
        for tax in totals.taxes
    ]
    document.withholdings = [
        PurchaseWithholdingLine(kind=item.kind, category=item.category, code=item.code, rate=item.rate, base=item.base, amount=item.amount)
        for item in totals.withholdings
    ]
    document.subtotal, document.tax_total, document.deductible_tax_total = totals.subtotal, totals.tax_total, totals.deductible_tax_total
    document.withholding_total, document.total = totals.withholding_total, totals.total
    document.amount_due = totals.payable - (document.amount_paid or Decimal("0"))


def price_document(document: PurchaseDocument, *, country: str, drafts: Sequence[LineDraft] | None = None) -> None:
    """Price a supplier invoice on its issue date: new lines from drafts, or its stored lines re-priced."""
    if drafts is None:
        drafts = [draft_of(line) for line in document.lines]
    inputs = _inputs(drafts, country=country, on_date=document.issue_date, is_iva_deductible=document.is_iva_deductible)
    totals = compute_purchase_totals(inputs)
    _check_magnitude(totals)
    lines = [
        PurchaseDocumentLine(
            position=index, product_id=draft.product_id, description=draft.description, quantity=draft.quantity,
            unit_price=draft.unit_price, discount_percent=draft.discount_percent, tax_category=draft.tax_category,
            tax_rate=line_input.iva.rate, tax_code=line_input.iva.code, is_iva_deductible=line_input.is_iva_deductible,
            expense_account=draft.expense_account, renta_withholding_category=draft.renta_withholding_category,
            iva_withholding_category=draft.iva_withholding_category, base_amount=base,
        )
        for index, (draft, line_input, base) in enumerate(zip(drafts, inputs, totals.line_bases), start=1)
    ]
    document.lines = lines
    write_totals(document, totals)


def price_expense(document: PurchaseDocument, *, country: str, gross: Decimal, tax_category: str,
                  tax_amount: Decimal | None) -> None:
    """Price an expense receipt from its amount including IVA (one line)."""
    book = RateBook(country=country, on_date=document.issue_date)
    iva = _rate(book, "iva", tax_category, "tax_category")
    if tax_amount is not None and tax_amount > gross:
        raise PurchaseInvalidError("IVA mayor que el importe", errors={"tax_amount": ["No puede superar el importe total."]})
    totals = compute_expense_totals(gross=gross, iva=iva, is_iva_deductible=document.is_iva_deductible, tax_amount=tax_amount)
    _check_magnitude(totals)
    document.lines = [PurchaseDocumentLine(
        position=1, description=document.description or "Gasto", quantity=Decimal("1"), unit_price=totals.subtotal,
        discount_percent=Decimal("0"), tax_category=tax_category, tax_rate=iva.rate, tax_code=iva.code,
        is_iva_deductible=document.is_iva_deductible, expense_account=document.expense_account, base_amount=totals.subtotal,
    )]
    write_totals(document, totals)
