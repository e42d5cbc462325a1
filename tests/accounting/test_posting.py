"""Automatic posting from documents: invoices, credit notes, purchases, payments and refunds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from gestiq_app.tenancy.context import tenant_context
from tests.accounting.helpers import Payment, Purchase, PurchaseTax, Refund, Withholding, emit_in_unit_of_work, entry_lines
from tests.sales.helpers import add_customer, add_product, credit, issue, issued_invoice, line

Z = D("0")


def test_spanish_invoice_posts_receivable_income_vat_recargo_and_irpf(es_tenant) -> None:  # type: ignore[no-untyped-def]
    customer = add_customer(es_tenant, has_recargo_equivalencia=True, is_irpf_professional=True)
    service = add_product(es_tenant, name="Asesoría", kind="service", unit_price=D("250.00"))
    invoice = issued_invoice(es_tenant, customer, [
        line("10", "100.00"), line("1", "19.99", "reducido"), {"product_id": service.id, "quantity": D("2")},
    ], issue_date=date(2026, 5, 4))
    assert (invoice.subtotal, invoice.tax_total, invoice.recargo_total, invoice.total) == (D("1519.99"), D("317.00"), D("52.28"), D("1814.27"))
    lines = entry_lines(es_tenant, source_id=invoice.id)
    assert lines == [
        ("430", invoice.total, Z),
        ("700", Z, D("1019.99")),
        ("705", Z, D("500.00")),
        ("477", Z, D("315.00")),
        ("477", Z, D("2.00")),
        ("477", Z, D("52.00")),
        ("477", Z, D("0.28")),
        ("473", D("75.00"), Z),
    ]
    assert sum(d for _, d, _ in lines) == sum(c for _, _, c in lines)
