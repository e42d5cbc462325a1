"""Entries posted from documents: subscribers of the in-transaction domain events (see gestiq_app.domain_events).

Each handler builds lines by posting role (the country's chart says which account) and calls `post_entry`
in the emitting transaction: if posting fails (locked period, unbalanced document) the document is not
issued / recorded either. Purchase and payment objects are read by duck typing on the documented attributes.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from gestiq_app import domain_events
from gestiq_app.accounting.journal import ZERO, LineDraft, credit, debit, post_entry
from gestiq_app.accounting.chart import ROLE_CODES
from gestiq_app.accounting.models import Account, JournalEntry, JournalLine
from gestiq_app.accounting.settings import get_accounting_settings
from gestiq_app.db import session

ACTOR = "system:accounting"
CASH_METHODS = frozenset({"cash"})


def _rate(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def _tax(row: Any) -> dict[str, Decimal]:
    return {"tax_rate": row.rate, "tax_base": row.base}


def sales_document_lines(document: Any) -> list[LineDraft]:
    """Return the lines of an issued invoice (credit notes: the same with sides swapped and returns account)."""
    customer = document.customer_id
    is_credit_note = document.kind == "credit_note"
    goods = sum((line.base_amount for line in document.lines if not line.is_service), ZERO)
    services = sum((line.base_amount for line in document.lines if line.is_service), ZERO)
    # Invoice: receivable and withholdings debit, income and output taxes credit.
    drafts = [debit("receivable", document.total, party_id=customer, description=document.full_number)]
    if is_credit_note:
        drafts.append(credit("sales_returns", goods + services, description="Devolución / rectificación"))
    else:
        drafts.append(credit("sales_goods", goods, description="Ventas"))
        drafts.append(credit("sales_services", services, description="Prestaciones de servicios"))
    for tax in document.taxes:
        if tax.tax_type == "iva":
            drafts.append(credit("vat_output", tax.amount, description=f"IVA {_rate(tax.rate)} %", **_tax(tax)))
        elif tax.tax_type == "recargo":
            drafts.append(credit("surcharge_output", tax.amount, description=f"Recargo de equivalencia {_rate(tax.rate)} %",
                                 **_tax(tax)))
        else:  # irpf / withholding: the customer keeps it and pays it to the tax authority on our behalf
            drafts.append(debit("withholding_receivable", tax.amount, description=f"Retención {_rate(tax.rate)} %", **_tax(tax)))
    if is_credit_note:
        drafts = [replace(d, amount=-d.amount) for d in drafts]
    return drafts


@domain_events.subscribe("sales.document_issued")
def post_sales_document(*, document: Any) -> JournalEntry:
    """Post an issued invoice or credit note."""
    label = "Factura" if document.kind == "invoice" else "Factura rectificativa"
    return post_entry(tenant_id=document.tenant_id, entry_date=document.issue_date,
                      description=f"{label} {document.full_number} — {document.customer_name}",
                      lines=sales_document_lines(document), actor=ACTOR, source_type="sales_document",
                      source_id=document.id, reference=document.full_number)


def purchase_document_lines(document: Any) -> list[LineDraft]:
    """Return the lines of a recorded supplier invoice or expense."""
    is_expense = document.kind == "expense"
    non_deductible = sum((tax.amount for tax in document.taxes if not tax.is_deductible), ZERO)
    expense_amount = document.subtotal + non_deductible
    if document.expense_account:
        expense = LineDraft(amount=expense_amount, account_code=document.expense_account, description="Gasto")
    else:
        expense = debit("purchases_services" if is_expense else "purchases_goods", expense_amount, description="Compras y gastos")
    drafts = [expense]
    for tax in document.taxes:
        if tax.is_deductible:
            drafts.append(debit("vat_input", tax.amount, description=f"IVA soportado {_rate(tax.rate)} %", **_tax(tax)))
    payable_role = "payable_services" if is_expense else "payable_goods"
    drafts.append(credit(payable_role, document.total - document.withholding_total, party_id=document.supplier_id,
                         description=document.supplier_number))
    for withholding in document.withholdings:
        role = "withholding_payable_iva" if withholding.kind == "iva" else "withholding_payable_renta"
        label = " ".join(part for part in ("Retención", withholding.kind, withholding.code, f"{_rate(withholding.rate)} %") if part)
        drafts.append(credit(role, withholding.amount, description=label, **_tax(withholding)))
    return drafts


@domain_events.subscribe("purchases.invoice_recorded")
def post_purchase_document(*, document: Any) -> JournalEntry:
    """Post a recorded supplier invoice or expense."""
    label = "Gasto" if document.kind == "expense" else "Factura de proveedor"
    return post_entry(tenant_id=document.tenant_id, entry_date=document.issue_date,
                      description=f"{label} {document.supplier_number or ''}".strip(),
                      lines=purchase_document_lines(document), actor=ACTOR, source_type="purchase_document",
                      source_id=document.id, reference=document.supplier_number)


def _treasury_role(method: str) -> str:
    return "cash" if method in CASH_METHODS else "bank"


@domain_events.subscribe("purchases.payment_recorded")
def post_supplier_payment(*, payment_id: Any, document: Any, amount: Decimal, paid_on: Any, method: str) -> JournalEntry:
    """Post a payment to a supplier: debit the payable the document credited (400 / 410), credit bank or cash."""
    payable_role = "payable_services" if document.kind == "expense" else "payable_goods"
    lines = [
        debit(payable_role, amount, party_id=document.supplier_id, description=document.supplier_number),
        credit(_treasury_role(method), amount, description="Pago"),
    ]
    return post_entry(tenant_id=document.tenant_id, entry_date=paid_on,
                      description=f"Pago a proveedor {document.supplier_number or ''}".strip(), lines=lines, actor=ACTOR,
                      source_type="purchase_payment", source_id=payment_id, reference=document.supplier_number)


@domain_events.subscribe("payments.payment_recorded")
def post_payment(*, payment: Any, document: Any = None, applied_amount: Decimal = ZERO) -> JournalEntry:
    """Post a customer payment: treasury debit; receivable credit for what was applied, customer credit for the rest."""
    applied = applied_amount if document is not None else ZERO
    lines = [
        debit(_treasury_role(payment.method), payment.amount, description="Cobro"),
        credit("receivable", applied, party_id=payment.customer_id, description=getattr(document, "full_number", None)),
        credit("customer_credit", payment.amount - applied, party_id=payment.customer_id, description="Anticipo / saldo a favor"),
    ]
    return post_entry(tenant_id=payment.tenant_id, entry_date=payment.paid_on, description="Cobro de cliente",
                      lines=lines, actor=ACTOR, source_type="payment", source_id=payment.id,
                      reference=getattr(document, "full_number", None))


def _customer_credit_left(payment: Any, country: str) -> Decimal:
    """Return what the payment left as customer credit, minus what earlier refunds of it took back (journal)."""
    line, entry = JournalLine, JournalEntry
    account_id = session().scalar(select(Account.id).where(Account.code == ROLE_CODES[country]["customer_credit"]))
    joined = select(func.coalesce(func.sum(line.credit - line.debit), 0)).select_from(line).join(
        entry, (entry.id == line.entry_id) & (entry.tenant_id == line.tenant_id)).where(line.account_id == account_id)
    credited = session().scalar(joined.where(entry.source_type == "payment", entry.source_id == payment.id))
    refunded = session().scalar(joined.where(entry.source_type == "refund", entry.reference == str(payment.id)))
    return Decimal(credited or 0).quantize(Decimal("0.01")) + Decimal(refunded or 0).quantize(Decimal("0.01"))


@domain_events.subscribe("payments.refund_recorded")
def post_refund(*, refund: Any, payment: Any) -> JournalEntry:
    """Post a refund: treasury credit; customer credit first, then the receivable the payment had settled."""
    settings = get_accounting_settings(tenant_id=refund.tenant_id)
    from_credit = min(refund.amount, max(_customer_credit_left(payment, settings.country), ZERO))
    lines = [
        debit("customer_credit", from_credit, party_id=payment.customer_id, description="Devolución de saldo a favor"),
        debit("receivable", refund.amount - from_credit, party_id=payment.customer_id, description="Devolución de cobro"),
        credit(_treasury_role(payment.method), refund.amount, description="Devolución"),
    ]
    return post_entry(tenant_id=refund.tenant_id, entry_date=refund.refunded_on, description="Devolución a cliente",
                      lines=lines, actor=ACTOR, source_type="refund", source_id=refund.id, reference=str(payment.id))
