"""Reports: demo tenants' books, VAT figures equal to the documents, receivables, isolation, statements, dashboard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, text

from gestiq_app.accounting import reports, services, vat
from gestiq_app.accounting.dashboard import get_dashboard, month_starts
from gestiq_app.accounting.models import Account, JournalEntry, JournalLine
from gestiq_app.demo import seed_demo
from gestiq_app.extensions import db
from gestiq_app.sales.models import SalesDocument
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant
from tests.accounting.helpers import Purchase, PurchaseTax, Withholding, emit_in_unit_of_work
from tests.sales.helpers import add_customer, credit, issue, issued_invoice, line

Z = D("0.00")
EPOCH, FAR = date(2000, 1, 1), date(2099, 12, 31)


def _manual(tenant, entry_date, *lines, description="Asiento"):  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        return services.create_manual_entry(tenant_id=tenant.id, actor="test", data={
            "entry_date": entry_date, "description": description,
            "lines": [{"account_code": code, "debit": D(debit), "credit": D(credit_)} for code, debit, credit_ in lines]})


def _document_taxes(tenant_id) -> dict[tuple[str, D], tuple[D, D]]:  # type: ignore[no-untyped-def]
    """Sum the issued documents' own breakdown rows in Python (the oracle for the SQL VAT summary)."""
    totals: dict[tuple[str, D], tuple[D, D]] = {}
    with tenant_context(tenant_id):
        documents = db.session.scalars(select(SalesDocument).where(SalesDocument.kind.in_(("invoice", "credit_note")),
                                                                   SalesDocument.state != "draft")).all()
        for document in documents:
            sign = -1 if document.kind == "credit_note" else 1
            for tax in document.taxes:
                base, amount = totals.get((tax.tax_type, tax.rate.normalize()), (Z, Z))
                totals[(tax.tax_type, tax.rate.normalize())] = (base + sign * tax.base, amount + sign * tax.amount)
    return totals


def test_demo_tenants_books_balance_vat_matches_documents_and_receivables_match_unpaid_invoices(app_context) -> None:  # type: ignore[no-untyped-def]
    list(seed_demo())
    for slug in ("demo-es", "demo-ec"):
        tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        with tenant_context(tenant_id):
            issued = db.session.scalar(select(func.count()).select_from(SalesDocument).where(
                SalesDocument.kind.in_(("invoice", "credit_note")), SalesDocument.state != "draft"))
            posted = db.session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.source_type == "sales_document"))
            assert issued == posted and issued > 10, slug  # every issued demo document has its entry
            trial = reports.trial_balance(tenant_id=tenant_id, date_from=None, date_to=FAR)
            assert trial["is_balanced"] and trial["total_debit"] == trial["total_credit"] > 0, slug
            summary = vat.vat_summary(tenant_id=tenant_id, date_from=EPOCH, date_to=FAR)
            got = {(row["tax_type"], row["rate"]): (row["base"], row["amount"])
                   for row in summary["output_tax"] + summary["surcharge"] + summary["withheld_by_customers"]}
            assert got == _document_taxes(tenant_id), slug
            expected_output = sum((amount for (kind, _), (_, amount) in got.items() if kind in ("iva", "recargo")), Z)
            assert summary["totals"]["accrued_tax"] == expected_output
            vat_account = "477" if slug == "demo-es" else "2.1.07.01"
            vat_row = next(row for row in trial["accounts"] if row["code"] == vat_account)
            assert -vat_row["balance"] == expected_output  # the journal's output VAT equals the documents' to the cent
            unpaid = db.session.scalar(select(func.sum(SalesDocument.amount_due)).where(
                SalesDocument.kind == "invoice", SalesDocument.state.in_(("issued", "partially_paid"))))
            aged = reports.aged_receivables(tenant_id=tenant_id, as_of=FAR)
            receivable = next(row for row in trial["accounts"] if row["code"] == ("430" if slug == "demo-es" else "1.1.02.05"))
            assert aged["total"] == D(unpaid).quantize(D("0.01")) == receivable["balance"], slug
        db.session.rollback()


def test_vat_summary_spain_303_figures(es_tenant) -> None:  # type: ignore[no-untyped-def]
    customer = add_customer(es_tenant, has_recargo_equivalencia=True)
    invoice = issued_invoice(es_tenant, customer, [line("10", "100.00"), line("5", "20.00", "reducido")], issue_date=date(2026, 4, 2))
    issue(es_tenant, credit(es_tenant, invoice.id, lines=[{"source_line_id": invoice.lines[1].id, "quantity": D("1")}]).id,
          issue_date=date(2026, 4, 20))
    purchase = Purchase(tenant_id=es_tenant.id, subtotal=D("400.00"), tax_total=D("84.00"), withholding_total=Z, total=D("484.00"),
                        issue_date=date(2026, 5, 5), taxes=[PurchaseTax("iva", D("21"), D("400.00"), D("84.00"))])
    emit_in_unit_of_work(es_tenant, "purchases.invoice_recorded", document=purchase)
    outside = Purchase(tenant_id=es_tenant.id, subtotal=D("100.00"), tax_total=D("21.00"), withholding_total=Z, total=D("121.00"),
                       issue_date=date(2026, 7, 1), taxes=[PurchaseTax("iva", D("21"), D("100.00"), D("21.00"))])
    emit_in_unit_of_work(es_tenant, "purchases.invoice_recorded", document=outside)
    with tenant_context(es_tenant.id):
        summary = vat.vat_summary(tenant_id=es_tenant.id, date_from=date(2026, 4, 1), date_to=date(2026, 6, 30))
    assert summary["form"] == "303"
    assert [(r["rate"], r["base"], r["amount"]) for r in summary["output_tax"]] == [
        (D("21"), D("1000.00"), D("210.00")), (D("10"), D("80.00"), D("8.00"))]
    assert [(r["rate"], r["base"], r["amount"]) for r in summary["surcharge"]] == [
        (D("5.2"), D("1000.00"), D("52.00")), (D("1.4"), D("80.00"), D("1.12"))]
    assert [(r["rate"], r["base"], r["amount"]) for r in summary["input_tax"]] == [(D("21"), D("400.00"), D("84.00"))]
    assert summary["totals"] == {"output_tax": D("218.00"), "surcharge": D("53.12"), "accrued_tax": D("271.12"), "input_tax": D("84.00"),
                                 "result": D("187.12"), "withheld_iva": Z, "withheld_renta": Z, "withheld_by_customers": Z}
    assert summary["figures"][-1] == {"label": "Resultado (devengado − deducible)", "amount": D("187.12")}


def test_vat_summary_ecuador_104_figures(ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    issued_invoice(ec_tenant, ec_customer, [line("2", "45.50"), line("10", "1.10", "cero")], issue_date=date(2026, 6, 1))
    purchase = Purchase(tenant_id=ec_tenant.id, subtotal=D("100.00"), tax_total=D("15.00"), withholding_total=D("4.05"), total=D("115.00"),
                        currency="USD", issue_date=date(2026, 6, 3), taxes=[PurchaseTax("iva", D("15"), D("100.00"), D("15.00"))],
                        withholdings=[Withholding("iva", "725", D("20"), D("15.00"), D("3.00")),
                                      Withholding("renta", "312", D("1.75"), D("60.00"), D("1.05"))])
    emit_in_unit_of_work(ec_tenant, "purchases.invoice_recorded", document=purchase)
    with tenant_context(ec_tenant.id):
        summary = vat.vat_summary(tenant_id=ec_tenant.id, date_from=date(2026, 6, 1), date_to=date(2026, 6, 30))
    assert (summary["form"], summary["currency"]) == ("104", "USD")
    assert [(r["rate"], r["authority_code"], r["base"], r["amount"]) for r in summary["output_tax"]] == [
        (D("15"), "4", D("91.00"), D("13.65")), (D("0"), "0", D("11.00"), Z)]
    assert [(r["kind"], r["rate"], r["base"], r["amount"]) for r in summary["withholdings"]] == [
        ("iva", D("20"), D("15.00"), D("3.00")), ("renta", D("1.75"), D("60.00"), D("1.05"))]
    assert (summary["totals"]["output_tax"], summary["totals"]["input_tax"], summary["totals"]["result"]) == (D("13.65"), D("15.00"), D("-1.35"))
    assert (summary["totals"]["withheld_iva"], summary["totals"]["withheld_renta"]) == (D("3.00"), D("1.05"))


def test_statements_and_ledger(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    _manual(es_tenant, date(2026, 1, 2), ("572", "5000.00", "0"), ("100", "0", "5000.00"), description="Capital")
    issued_invoice(es_tenant, es_customer, [line("1", "1000.00")], issue_date=date(2026, 1, 10))
    purchase = Purchase(tenant_id=es_tenant.id, subtotal=D("300.00"), tax_total=D("63.00"), withholding_total=Z, total=D("363.00"),
                        issue_date=date(2026, 1, 12), taxes=[PurchaseTax("iva", D("21"), D("300.00"), D("63.00"))])
    emit_in_unit_of_work(es_tenant, "purchases.invoice_recorded", document=purchase)
    _manual(es_tenant, date(2026, 2, 1), ("400", "363.00", "0"), ("572", "0", "363.00"), description="Pago proveedor")
    with tenant_context(es_tenant.id):
        pnl = reports.profit_and_loss(tenant_id=es_tenant.id, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
        sheet = reports.balance_sheet(tenant_id=es_tenant.id, as_of=date(2026, 2, 28))
        ledger = reports.general_ledger(tenant_id=es_tenant.id, account_code="572", date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
        payables = reports.aged_payables(tenant_id=es_tenant.id, as_of=date(2026, 1, 31))
    assert [(r["code"], r["amount"]) for r in pnl["income"]] == [("700", D("1000.00"))]
    assert [(r["code"], r["amount"]) for r in pnl["expenses"]] == [("600", D("300.00"))]
    assert (pnl["total_income"], pnl["total_expenses"], pnl["result"]) == (D("1000.00"), D("300.00"), D("700.00"))
    assert [(r["code"], r["amount"]) for r in sheet["assets"]] == [("430", D("1210.00")), ("472", D("63.00")), ("572", D("4637.00"))]
    assert [(r["code"], r["amount"]) for r in sheet["liabilities"]] == [("400", Z), ("477", D("210.00"))]
    assert (sheet["result_of_the_period"], sheet["total_assets"], sheet["total_liabilities_and_equity"], sheet["is_balanced"]) == (
        D("700.00"), D("5910.00"), D("5910.00"), True)
    assert (ledger["opening_balance"], [(l["debit"], l["credit"], l["balance"]) for l in ledger["lines"]], ledger["closing_balance"]) == (
        D("5000.00"), [(Z, D("363.00"), D("4637.00"))], D("4637.00"))
    assert [(p["party_id"], p["days_1_30"], p["total"]) for p in payables["parties"]] == [(purchase.supplier_id, D("363.00"), D("363.00"))]


def _isolation_figures(tenant):  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        return (reports.trial_balance(tenant_id=tenant.id, date_from=None, date_to=FAR)["total_debit"],
                vat.vat_summary(tenant_id=tenant.id, date_from=EPOCH, date_to=FAR)["totals"]["output_tax"],
                reports.aged_receivables(tenant_id=tenant.id, as_of=FAR)["total"],
                get_dashboard(tenant_id=tenant.id, today=date(2026, 3, 31)))


def test_reports_of_a_tenant_never_include_another_tenants_entries(es_tenant, es_customer, ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    """Run on PostgreSQL too, where the app connects as the runtime role (RLS on every table)."""
    issued_invoice(es_tenant, es_customer, [line("1", "100.00")], issue_date=date(2026, 3, 1))
    _manual(es_tenant, date(2026, 3, 2), ("572", "50.00", "0"), ("100", "0", "50.00"))
    before = _isolation_figures(es_tenant)
    assert before[:3] == (D("171.00"), D("21.00"), D("121.00"))
    assert (before[3]["sales_this_month"], before[3]["receivables_outstanding"]) == (D("100.00"), D("121.00"))
    issued_invoice(ec_tenant, ec_customer, [line("1", "1000.00")], issue_date=date(2026, 3, 1))
    _manual(ec_tenant, date(2026, 3, 2), ("1.1.01.02", "900.00", "0"), ("3.1.01", "0", "900.00"))
    assert _isolation_figures(es_tenant) == before
    if db.engine.dialect.name == "postgresql":
        with tenant_context(es_tenant.id):
            role, bypass = db.session.execute(text("SELECT current_user, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
            assert bypass is False and role != "postgres"
            assert db.session.execute(text("SELECT count(DISTINCT tenant_id) FROM journal_lines")).scalar_one() == 1
        db.session.rollback()


def test_dashboard_figures(es_tenant) -> None:  # type: ignore[no-untyped-def]
    today = date(2026, 11, 15)
    big, small = add_customer(es_tenant, legal_name="Grande S.L."), add_customer(es_tenant, legal_name="Pequeña S.L.", payment_terms_days=0)
    issued_invoice(es_tenant, small, [line("1", "200.00")], issue_date=date(2026, 10, 5))
    old = issued_invoice(es_tenant, big, [line("1", "300.00")], issue_date=date(2026, 10, 20))
    issue(es_tenant, credit(es_tenant, old.id).id, issue_date=date(2026, 10, 25))
    issued_invoice(es_tenant, big, [line("1", "1000.00")], issue_date=date(2026, 11, 3))
    purchase = Purchase(tenant_id=es_tenant.id, subtotal=D("80.00"), tax_total=D("16.80"), withholding_total=Z, total=D("96.80"),
                        issue_date=date(2026, 9, 9), taxes=[PurchaseTax("iva", D("21"), D("80.00"), D("16.80"))])
    emit_in_unit_of_work(es_tenant, "purchases.invoice_recorded", document=purchase)
    with tenant_context(es_tenant.id):
        board = get_dashboard(tenant_id=es_tenant.id, today=today)
    assert (board["sales_this_month"], board["sales_last_month"], board["sales_change_percent"]) == (D("1000.00"), D("200.00"), D("400.0"))
    assert (board["receivables_outstanding"], board["receivables_overdue"], board["overdue_invoices"]) == (D("1452.00"), D("242.00"), 1)
    assert [(c["name"], c["sales"]) for c in board["top_customers"]] == [("Grande S.L.", D("1000.00")), ("Pequeña S.L.", D("200.00"))]
    assert [m["month"] for m in board["monthly"]] == [start.strftime("%Y-%m") for start in month_starts(today)]
    assert board["monthly"][0]["month"] == "2025-12"
    assert [(m["sales"], m["purchases"]) for m in board["monthly"][-3:]] == [(Z, D("80.00")), (D("200.00"), Z), (D("1000.00"), Z)]
