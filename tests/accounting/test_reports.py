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
from tests.purchases.helpers import add_supplier, create_invoice
from tests.purchases.helpers import line as pline
from tests.sales.helpers import add_customer, credit, issue, issued_invoice, line

Z = D("0.00")
EPOCH, FAR = date(2000, 1, 1), date(2099, 12, 31)


def _manual(tenant, entry_date, *lines, description="Asiento"):  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        return services.create_manual_entry(tenant_id=tenant.id, actor="test", data={
            "entry_date": entry_date, "description": description,
            "lines": [{"account_code": code, "debit": D(debit), "credit": D(credit_)} for code, debit, credit_ in lines]})


def _purchase(tenant, supplier, lines, issue_date, **data):  # type: ignore[no-untyped-def]
    """Create and record a supplier invoice through the purchases services (it posts its entry)."""
    from gestiq_app.purchases import services as purchases

    draft = create_invoice(tenant, supplier, lines, issue_date=issue_date, **data)
    with tenant_context(tenant.id):
        return purchases.record_invoice(tenant_id=tenant.id, document_id=draft.id, actor="test")


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


def _check_purchase_books(tenant_id, slug, trial, summary) -> None:  # type: ignore[no-untyped-def]
    """Demo purchases: VAT input side, withholdings, payables and the dashboard series equal the recorded documents."""
    from gestiq_app.purchases.models import PurchaseDocument
    from gestiq_app.sales.settings import get_sales_settings

    country = "ES" if slug == "demo-es" else "EC"
    documents = db.session.scalars(select(PurchaseDocument).where(PurchaseDocument.state != "draft")).all()
    assert len(documents) > 10 and any(document.amount_paid > 0 for document in documents), slug
    deductible: dict[D, tuple[D, D]] = {}
    withheld: dict[tuple[str, str, D], D] = {}
    non_deductible = Z
    for document in documents:
        for tax in document.taxes:
            if not tax.is_deductible:
                non_deductible += tax.amount
            elif tax.rate > 0 or country == "EC":
                base, amount = deductible.get(tax.rate.normalize(), (Z, Z))
                deductible[tax.rate.normalize()] = (base + tax.base, amount + tax.amount)
        for row in document.withholdings:
            key = ("renta" if country == "ES" else row.kind, row.code, row.rate.normalize())
            withheld[key] = withheld.get(key, Z) + row.amount
    got = {}
    for row in summary["input_tax"]:
        base, amount = got.get(row["rate"], (Z, Z))
        got[row["rate"]] = (base + row["base"], amount + row["amount"])
    assert got == deductible and summary["totals"]["non_deductible_tax"] == non_deductible, slug
    if country == "EC":  # demo-ec buys rice at 0 %: compras tarifa 0 % are in the 104
        assert deductible[D("0")][0] > 0 and deductible[D("0")][1] == Z
    else:  # demo-es has non-deductible IVA (meals with customers), excluded from the 303
        assert non_deductible > 0
    assert {(row["kind"], row["code"], row["rate"]): row["amount"] for row in summary["withholdings"]} == withheld, slug
    input_account = "472" if country == "ES" else "1.1.05.01"
    assert next(row["balance"] for row in trial["accounts"] if row["code"] == input_account) == summary["totals"]["input_tax"], slug
    # payables: what the suppliers are owed on the documents = the aged report = the journal's payable accounts
    owed = sum((document.amount_due for document in documents if document.state in ("recorded", "partially_paid")), Z)
    payable_codes = ("400", "410") if country == "ES" else ("2.1.03.01",)
    journal_payables = -sum((row["balance"] for row in trial["accounts"] if row["code"] in payable_codes), Z)
    assert reports.aged_payables(tenant_id=tenant_id, as_of=FAR)["total"] == owed == journal_payables > 0, slug
    paid = sum((document.amount_paid for document in documents), Z)
    paid_in_journal = db.session.scalar(select(func.sum(JournalLine.debit)).select_from(JournalLine).join(
        JournalEntry, (JournalEntry.id == JournalLine.entry_id) & (JournalEntry.tenant_id == JournalLine.tenant_id)).where(
        JournalEntry.source_type == "purchase_payment"))
    assert D(str(paid_in_journal)).quantize(D("0.01")) == paid > 0, slug
    # the dashboard's 12-month purchases series: the recorded documents' net bases by month
    today = get_sales_settings(tenant_id=tenant_id).today()
    board = get_dashboard(tenant_id=tenant_id, today=today)
    by_month: dict[str, D] = {}
    for document in documents:
        by_month[f"{document.issue_date:%Y-%m}"] = by_month.get(f"{document.issue_date:%Y-%m}", Z) + document.subtotal
    assert {m["month"]: m["purchases"] for m in board["monthly"]} == {m["month"]: by_month.get(m["month"], Z) for m in board["monthly"]}
    assert sum(m["purchases"] for m in board["monthly"]) == sum((d.subtotal for d in documents), Z) > 0, slug


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
            _check_purchase_books(tenant_id, slug, trial, summary)
        db.session.rollback()


def test_vat_summary_spain_303_figures(es_tenant) -> None:  # type: ignore[no-untyped-def]
    customer = add_customer(es_tenant, has_recargo_equivalencia=True)
    invoice = issued_invoice(es_tenant, customer, [line("10", "100.00"), line("5", "20.00", "reducido")], issue_date=date(2026, 4, 2))
    issue(es_tenant, credit(es_tenant, invoice.id, lines=[{"source_line_id": invoice.lines[1].id, "quantity": D("1")}]).id,
          issue_date=date(2026, 4, 20))
    supplier = add_supplier(es_tenant)
    _purchase(es_tenant, supplier, [pline("4", "100.00"), pline("1", "50.00", "reducido", is_iva_deductible=False)], date(2026, 5, 5))
    _purchase(es_tenant, supplier, [pline("1", "100.00")], date(2026, 7, 1))  # outside the period
    with tenant_context(es_tenant.id):
        summary = vat.vat_summary(tenant_id=es_tenant.id, date_from=date(2026, 4, 1), date_to=date(2026, 6, 30))
    assert summary["form"] == "303"
    assert [(r["rate"], r["base"], r["amount"]) for r in summary["output_tax"]] == [
        (D("21"), D("1000.00"), D("210.00")), (D("10"), D("80.00"), D("8.00"))]
    assert [(r["rate"], r["base"], r["amount"]) for r in summary["surcharge"]] == [
        (D("5.2"), D("1000.00"), D("52.00")), (D("1.4"), D("80.00"), D("1.12"))]
    assert [(r["rate"], r["base"], r["amount"]) for r in summary["input_tax"]] == [(D("21"), D("400.00"), D("84.00"))]
    # the non-deductible IVA (10 % of 50.00) is shown apart and never deducted
    assert [(r["rate"], r["base"], r["amount"]) for r in summary["non_deductible_input_tax"]] == [(D("10"), D("50.00"), D("5.00"))]
    assert summary["totals"] == {"output_tax": D("218.00"), "surcharge": D("53.12"), "accrued_tax": D("271.12"), "input_tax": D("84.00"),
                                 "non_deductible_tax": D("5.00"), "result": D("187.12"), "withheld_iva": Z, "withheld_renta": Z, "withheld_by_customers": Z}
    assert summary["figures"][-1] == {"label": "Resultado (devengado − deducible)", "amount": D("187.12")}
    with tenant_context(es_tenant.id):  # IVA deducible equals the journal's 472 movement of the period
        trial = reports.trial_balance(tenant_id=es_tenant.id, date_from=date(2026, 4, 1), date_to=date(2026, 6, 30))
    assert next(row["balance"] for row in trial["accounts"] if row["code"] == "472") == D("84.00")


def test_vat_summary_ecuador_104_figures(ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    issued_invoice(ec_tenant, ec_customer, [line("2", "45.50"), line("10", "1.10", "cero")], issue_date=date(2026, 6, 1))
    supplier = add_supplier(ec_tenant)
    _purchase(ec_tenant, supplier, [
        pline("10", "10.00", renta_withholding_category="bienes_muebles", iva_withholding_category="iva_30"),
        pline("5", "20.00", "cero", renta_withholding_category="bienes_muebles"),  # compras tarifa 0 %
        pline("1", "40.00", is_iva_deductible=False),  # sin derecho a crédito tributario
    ], date(2026, 6, 3))
    with tenant_context(ec_tenant.id):
        summary = vat.vat_summary(tenant_id=ec_tenant.id, date_from=date(2026, 6, 1), date_to=date(2026, 6, 30))
    assert (summary["form"], summary["currency"]) == ("104", "USD")
    assert [(r["rate"], r["authority_code"], r["base"], r["amount"]) for r in summary["output_tax"]] == [
        (D("15"), "4", D("91.00"), D("13.65")), (D("0"), "0", D("11.00"), Z)]
    assert [(r["rate"], r["authority_code"], r["base"], r["amount"]) for r in summary["input_tax"]] == [
        (D("15"), "4", D("100.00"), D("15.00")), (D("0"), "0", D("100.00"), Z)]
    assert [(r["rate"], r["base"], r["amount"]) for r in summary["non_deductible_input_tax"]] == [(D("15"), D("40.00"), D("6.00"))]
    # renta 312: 1.75 % of 200.00 (the 0 % line too); IVA code 1: 30 % of the 15.00 IVA of the line bearing it
    assert [(r["kind"], r["code"], r["rate"], r["base"], r["amount"]) for r in summary["withholdings"]] == [
        ("iva", "1", D("30"), D("15.00"), D("4.50")), ("renta", "312", D("1.75"), D("200.00"), D("3.50"))]
    assert (summary["totals"]["output_tax"], summary["totals"]["input_tax"], summary["totals"]["result"]) == (D("13.65"), D("15.00"), D("-1.35"))
    assert (summary["totals"]["withheld_iva"], summary["totals"]["withheld_renta"], summary["totals"]["non_deductible_tax"]) == (
        D("4.50"), D("3.50"), D("6.00"))
    assert {f["label"]: f["amount"] for f in summary["figures"]} == {
        "Ventas tarifa 15 % (código 4): valor neto": D("91.00"), "Ventas tarifa 15 %: IVA generado": D("13.65"),
        "Ventas tarifa 0 % (código 0): valor neto": D("11.00"), "Ventas tarifa 0 %: IVA generado": Z,
        "Total IVA cobrado en ventas": D("13.65"),
        "Compras tarifa 15 %: valor neto": D("100.00"), "Compras tarifa 15 %: IVA pagado": D("15.00"),
        "Compras tarifa 0 %: valor neto": D("100.00"), "Compras tarifa 0 %: IVA pagado": Z,
        "Compras tarifa 15 % sin derecho a crédito tributario: valor neto": D("40.00"),
        "Compras tarifa 15 % sin derecho a crédito tributario: IVA pagado": D("6.00"),
        "Total IVA pagado en compras (crédito tributario)": D("15.00"),
        "Retenciones en la fuente de IVA efectuadas": D("4.50"), "Retenciones en la fuente de renta efectuadas": D("3.50"),
        "Impuesto causado (IVA cobrado − IVA pagado)": D("-1.35")}


def test_statements_and_ledger(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    _manual(es_tenant, date(2026, 1, 2), ("572", "5000.00", "0"), ("100", "0", "5000.00"), description="Capital")
    issued_invoice(es_tenant, es_customer, [line("1", "1000.00")], issue_date=date(2026, 1, 10))
    supplier = add_supplier(es_tenant, legal_name="Proveedor Uno S.L.")  # 30 days: due 2026-02-11
    supplier_id = supplier.id
    purchase = _purchase(es_tenant, supplier, [pline("3", "100.00")], date(2026, 1, 12))
    with tenant_context(es_tenant.id):
        payables = reports.aged_payables(tenant_id=es_tenant.id, as_of=date(2026, 1, 31))
    from gestiq_app.purchases import services as purchases

    with tenant_context(es_tenant.id):  # the supplier payment posts 400 debit / 572 credit
        purchases.record_payment(tenant_id=es_tenant.id, document_id=purchase.id, kind="supplier_invoice", amount=D("363.00"),
                                 actor="test", paid_on=date(2026, 2, 1))
    with tenant_context(es_tenant.id):
        pnl = reports.profit_and_loss(tenant_id=es_tenant.id, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
        sheet = reports.balance_sheet(tenant_id=es_tenant.id, as_of=date(2026, 2, 28))
        ledger = reports.general_ledger(tenant_id=es_tenant.id, account_code="572", date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
        settled = reports.aged_payables(tenant_id=es_tenant.id, as_of=date(2026, 2, 28))
    assert [(r["code"], r["amount"]) for r in pnl["income"]] == [("700", D("1000.00"))]
    assert [(r["code"], r["amount"]) for r in pnl["expenses"]] == [("600", D("300.00"))]
    assert (pnl["total_income"], pnl["total_expenses"], pnl["result"]) == (D("1000.00"), D("300.00"), D("700.00"))
    assert [(r["code"], r["amount"]) for r in sheet["assets"]] == [("430", D("1210.00")), ("472", D("63.00")), ("572", D("4637.00"))]
    assert [(r["code"], r["amount"]) for r in sheet["liabilities"]] == [("400", Z), ("477", D("210.00"))]
    assert (sheet["result_of_the_period"], sheet["total_assets"], sheet["total_liabilities_and_equity"], sheet["is_balanced"]) == (
        D("700.00"), D("5910.00"), D("5910.00"), True)
    assert (ledger["opening_balance"], [(l["debit"], l["credit"], l["balance"]) for l in ledger["lines"]], ledger["closing_balance"]) == (
        D("5000.00"), [(Z, D("363.00"), D("4637.00"))], D("4637.00"))
    assert [(p["party_id"], p["name"], p["current"], p["days_1_30"], p["total"]) for p in payables["parties"]] == [
        (supplier_id, "Proveedor Uno S.L.", D("363.00"), Z, D("363.00"))]
    assert (payables["total"], settled["parties"], settled["total"]) == (D("363.00"), [], Z)


def _isolation_figures(tenant):  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        return (reports.trial_balance(tenant_id=tenant.id, date_from=None, date_to=FAR)["total_debit"],
                vat.vat_summary(tenant_id=tenant.id, date_from=EPOCH, date_to=FAR)["totals"]["output_tax"],
                reports.aged_receivables(tenant_id=tenant.id, as_of=FAR)["total"],
                get_dashboard(tenant_id=tenant.id, today=date(2026, 3, 31)),
                reports.aged_payables(tenant_id=tenant.id, as_of=FAR)["total"],
                vat.vat_summary(tenant_id=tenant.id, date_from=EPOCH, date_to=FAR)["input_tax"])


def test_reports_of_a_tenant_never_include_another_tenants_entries(es_tenant, es_customer, ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    """Run on PostgreSQL too, where the app connects as the runtime role (RLS on every table)."""
    issued_invoice(es_tenant, es_customer, [line("1", "100.00")], issue_date=date(2026, 3, 1))
    _manual(es_tenant, date(2026, 3, 2), ("572", "50.00", "0"), ("100", "0", "50.00"))
    _purchase(es_tenant, add_supplier(es_tenant), [pline("1", "10.00")], date(2026, 3, 3))
    before = _isolation_figures(es_tenant)
    assert before[:3] == (D("183.10"), D("21.00"), D("121.00"))
    assert (before[3]["sales_this_month"], before[3]["receivables_outstanding"], before[3]["monthly"][-1]["purchases"]) == (
        D("100.00"), D("121.00"), D("10.00"))
    assert (before[4], [(r["rate"], r["base"], r["amount"]) for r in before[5]]) == (D("12.10"), [(D("21"), D("10.00"), D("2.10"))])
    issued_invoice(ec_tenant, ec_customer, [line("1", "1000.00")], issue_date=date(2026, 3, 1))
    _purchase(ec_tenant, add_supplier(ec_tenant), [pline("1", "500.00")], date(2026, 3, 3))
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
    supplier = add_supplier(es_tenant)
    _purchase(es_tenant, supplier, [pline("1", "80.00")], date(2026, 9, 9))
    _purchase(es_tenant, supplier, [pline("1", "50.00", "reducido", is_iva_deductible=False)], date(2026, 9, 20))
    create_invoice(es_tenant, supplier, [pline("1", "999.00")], issue_date=date(2026, 10, 1))  # a draft: not a purchase yet
    from gestiq_app.purchases import services as purchases

    with tenant_context(es_tenant.id):  # 24.20 including 21 % IVA: base 20.00
        purchases.create_expense(tenant_id=es_tenant.id, actor="test", data={"issue_date": date(2026, 11, 2), "description": "Gasolina",
                                                                            "amount": D("24.20"), "tax_category": "general"})
    with tenant_context(es_tenant.id):
        board = get_dashboard(tenant_id=es_tenant.id, today=today)
    assert (board["sales_this_month"], board["sales_last_month"], board["sales_change_percent"]) == (D("1000.00"), D("200.00"), D("400.0"))
    assert (board["receivables_outstanding"], board["receivables_overdue"], board["overdue_invoices"]) == (D("1452.00"), D("242.00"), 1)
    assert [(c["name"], c["sales"]) for c in board["top_customers"]] == [("Grande S.L.", D("1000.00")), ("Pequeña S.L.", D("200.00"))]
    assert [m["month"] for m in board["monthly"]] == [start.strftime("%Y-%m") for start in month_starts(today)]
    assert board["monthly"][0]["month"] == "2025-12"
    assert [(m["sales"], m["purchases"]) for m in board["monthly"][-3:]] == [(Z, D("130.00")), (D("200.00"), Z), (D("1000.00"), D("20.00"))]
    assert sum(m["purchases"] for m in board["monthly"]) == D("150.00")
