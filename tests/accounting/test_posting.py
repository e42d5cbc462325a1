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


def test_credit_note_posts_the_mirror_entry_on_the_returns_account(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    invoice = issued_invoice(es_tenant, es_customer, [line("2", "50.00")], issue_date=date(2026, 4, 1))
    note = issue(es_tenant, credit(es_tenant, invoice.id).id, issue_date=date(2026, 4, 10))
    assert entry_lines(es_tenant, source_id=note.id) == [("430", Z, D("121.00")), ("708", D("100.00"), Z), ("477", D("21.00"), Z)]


def test_ecuadorian_invoice_posts_to_the_superintendencia_accounts(ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    invoice = issued_invoice(ec_tenant, ec_customer, [line("2", "45.50"), line("10", "1.10", "cero")], issue_date=date(2026, 6, 1))
    assert entry_lines(ec_tenant, source_id=invoice.id) == [
        ("1.1.02.05", D("115.65"), Z), ("4.1.01", Z, D("102.00")), ("2.1.07.01", Z, D("13.65")),
    ]  # the 0 % IVA row has no amount: no zero line


def test_supplier_invoice_posts_expense_deductible_and_non_deductible_vat_and_payable(es_tenant) -> None:  # type: ignore[no-untyped-def]
    purchase = Purchase(tenant_id=es_tenant.id, subtotal=D("300.00"), tax_total=D("52.00"), withholding_total=D("0"), total=D("352.00"),
                        taxes=[PurchaseTax("iva", D("21"), D("200.00"), D("42.00")),
                               PurchaseTax("iva", D("10"), D("100.00"), D("10.00"), is_deductible=False)])
    emit_in_unit_of_work(es_tenant, "purchases.invoice_recorded", document=purchase)
    assert entry_lines(es_tenant, source_id=purchase.id) == [("600", D("310.00"), Z), ("472", D("42.00"), Z), ("400", Z, D("352.00"))]


def test_expense_with_its_own_account_and_professional_withholding(es_tenant) -> None:  # type: ignore[no-untyped-def]
    purchase = Purchase(tenant_id=es_tenant.id, kind="expense", subtotal=D("1000.00"), tax_total=D("210.00"),
                        withholding_total=D("150.00"), total=D("1210.00"), expense_account="621", supplier_number="A-7",
                        taxes=[PurchaseTax("iva", D("21"), D("1000.00"), D("210.00"))],
                        withholdings=[Withholding("renta", "", D("15"), D("1000.00"), D("150.00"))])
    emit_in_unit_of_work(es_tenant, "purchases.invoice_recorded", document=purchase)
    assert entry_lines(es_tenant, source_id=purchase.id) == [
        ("621", D("1000.00"), Z), ("472", D("210.00"), Z), ("410", Z, D("1060.00")), ("4751", Z, D("150.00"))]


def test_ecuadorian_purchase_withholdings_go_to_the_retention_payables(ec_tenant) -> None:  # type: ignore[no-untyped-def]
    purchase = Purchase(tenant_id=ec_tenant.id, subtotal=D("100.00"), tax_total=D("15.00"), withholding_total=D("4.05"), total=D("115.00"),
                        currency="USD", taxes=[PurchaseTax("iva", D("15"), D("100.00"), D("15.00"))],
                        withholdings=[Withholding("iva", "725", D("20"), D("15.00"), D("3.00")),
                                      Withholding("renta", "312", D("1.75"), D("60.00"), D("1.05"))])
    emit_in_unit_of_work(ec_tenant, "purchases.invoice_recorded", document=purchase)
    assert entry_lines(ec_tenant, source_id=purchase.id) == [
        ("5.1.01", D("100.00"), Z), ("1.1.05.01", D("15.00"), Z), ("2.1.03.01", Z, D("110.95")),
        ("2.1.07.02", Z, D("3.00")), ("2.1.07.03", Z, D("1.05"))]


def test_payment_applied_in_part_keeps_the_rest_as_customer_credit_and_refund_takes_credit_first(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    invoice = issued_invoice(es_tenant, es_customer, [line("1", "100.00")], issue_date=date(2026, 3, 1))
    payment = Payment(tenant_id=es_tenant.id, amount=D("150.00"), customer_id=es_customer.id)
    with tenant_context(es_tenant.id):
        emit_in_unit_of_work(es_tenant, "payments.payment_recorded", payment=payment, document=invoice, applied_amount=D("121.00"))
    assert entry_lines(es_tenant, source_id=payment.id) == [("572", D("150.00"), Z), ("430", Z, D("121.00")), ("438", Z, D("29.00"))]
    refund = Refund(tenant_id=es_tenant.id, amount=D("40.00"))
    emit_in_unit_of_work(es_tenant, "payments.refund_recorded", refund=refund, payment=payment)
    assert entry_lines(es_tenant, source_id=refund.id) == [("438", D("29.00"), Z), ("430", D("11.00"), Z), ("572", Z, D("40.00"))]


def test_cash_payment_without_document_is_all_customer_credit(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    payment = Payment(tenant_id=es_tenant.id, amount=D("80.00"), customer_id=es_customer.id, method="cash")
    emit_in_unit_of_work(es_tenant, "payments.payment_recorded", payment=payment, document=None, applied_amount=D("0"))
    assert entry_lines(es_tenant, source_id=payment.id) == [("570", D("80.00"), Z), ("438", Z, D("80.00"))]
