"""Purchases in the books: supplier payments post 400/410 → 572/570 in the paying transaction; aged payables from
the purchase documents (what the supplier is owed: total − withholdings − payments) equal the journal's payables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from gestiq_app import domain_events
from gestiq_app.accounting import reports, services
from gestiq_app.accounting.exceptions import PeriodLockedError
from gestiq_app.accounting.models import Account, JournalEntry, JournalLine
from gestiq_app.extensions import db
from gestiq_app.purchases import services as purchases
from gestiq_app.purchases.exceptions import PurchaseInvalidError
from gestiq_app.tenancy.context import tenant_context
from tests.accounting.helpers import journal_snapshot
from tests.api_helpers import login_as
from tests.purchases.helpers import add_supplier, create_invoice, line, purchases_snapshot, reload

Z = D("0.00")
FAR = date(2099, 12, 31)


def _recorded(tenant, supplier, lines, issue_date, **data):  # type: ignore[no-untyped-def]
    draft = create_invoice(tenant, supplier, lines, issue_date=issue_date, **data)
    with tenant_context(tenant.id):
        return purchases.record_invoice(tenant_id=tenant.id, document_id=draft.id, actor="test")


def _pay(tenant, document, amount, **kwargs):  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        return purchases.record_payment(tenant_id=tenant.id, document_id=document.id, kind=document.kind, amount=D(amount),
                                        actor="test", **kwargs)


def _payment_entries(tenant) -> list[tuple[date, str | None, list[tuple[str, D, D]]]]:  # type: ignore[no-untyped-def]
    """Return (date, reference, [(account, debit, credit)…]) of every supplier payment entry, oldest first."""
    tenant_id = tenant.id
    db.session.expunge_all()
    with tenant_context(tenant_id):
        rows = db.session.execute(
            select(JournalEntry.id, JournalEntry.entry_date, JournalEntry.reference, Account.code, JournalLine.debit, JournalLine.credit)
            .join(JournalLine, (JournalLine.entry_id == JournalEntry.id) & (JournalLine.tenant_id == JournalEntry.tenant_id))
            .join(Account, (Account.id == JournalLine.account_id) & (Account.tenant_id == JournalLine.tenant_id))
            .where(JournalEntry.source_type == "purchase_payment", JournalEntry.is_posted.is_(True))
            .order_by(JournalEntry.entry_date, JournalEntry.created_at, JournalLine.position)).all()
    db.session.rollback()
    entries: dict[object, tuple[date, str | None, list[tuple[str, D, D]]]] = {}
    for entry_id, entry_date, reference, code, debit, credit in rows:
        entries.setdefault(entry_id, (entry_date, reference, []))[2].append((code, D(debit), D(credit)))
    return list(entries.values())


def _balance(tenant, code: str, as_of: date = FAR) -> D:  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        trial = reports.trial_balance(tenant_id=tenant.id, date_from=None, date_to=as_of)
    db.session.rollback()
    return next((row["balance"] for row in trial["accounts"] if row["code"] == code), Z)


def test_supplier_payments_post_payable_debit_and_treasury_credit_and_settle_the_payables(es_tenant) -> None:  # type: ignore[no-untyped-def]
    supplier = add_supplier(es_tenant, legal_name="Asesores Laborales S.L.")
    supplier_id = supplier.id
    # 1000.00 of professional fees: IVA 21 % 210.00, IRPF 15 % 150.00 withheld → total 1210.00, the supplier is owed 1060.00
    invoice = _recorded(es_tenant, supplier, [line("1", "1000.00", renta_withholding_category="profesional")], date(2026, 3, 10),
                        supplier_number="A-77")
    assert (invoice.total, invoice.withholding_total, invoice.amount_due) == (D("1210.00"), D("150.00"), D("1060.00"))
    assert _balance(es_tenant, "400") == D("-1060.00")

    _pay(es_tenant, invoice, "500.00", paid_on=date(2026, 3, 20))
    with tenant_context(es_tenant.id):
        partly = reports.aged_payables(tenant_id=es_tenant.id, as_of=date(2026, 3, 31))
    assert [(p["party_id"], p["name"], p["current"], p["total"]) for p in partly["parties"]] == [
        (supplier_id, "Asesores Laborales S.L.", D("560.00"), D("560.00"))]
    assert partly["total"] == -_balance(es_tenant, "400") == D("560.00")

    _pay(es_tenant, invoice, "560.00", paid_on=date(2026, 4, 2), method="cash")
    assert _payment_entries(es_tenant) == [
        (date(2026, 3, 20), "A-77", [("400", D("500.00"), Z), ("572", Z, D("500.00"))]),
        (date(2026, 4, 2), "A-77", [("400", D("560.00"), Z), ("570", Z, D("560.00"))]),
    ]
    paid = reload(es_tenant, invoice.id)
    assert (paid.state, paid.amount_paid, paid.amount_due) == ("paid", D("1060.00"), Z)
    with tenant_context(es_tenant.id):
        settled = reports.aged_payables(tenant_id=es_tenant.id, as_of=date(2026, 4, 30))
    assert (settled["parties"], settled["total"]) == ([], Z)
    assert (_balance(es_tenant, "400"), _balance(es_tenant, "4751"), _balance(es_tenant, "572"), _balance(es_tenant, "570")) == (
        Z, D("-150.00"), D("-500.00"), D("-560.00"))


def test_an_expense_created_paid_posts_its_payment_to_410(es_tenant) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(es_tenant.id):
        expense = purchases.create_expense(tenant_id=es_tenant.id, actor="test", data={
            "issue_date": date(2026, 5, 4), "description": "Gasolina", "amount": D("60.50"), "tax_category": "general"})
        unpaid = purchases.create_expense(tenant_id=es_tenant.id, actor="test", data={
            "issue_date": date(2026, 5, 6), "description": "Aparcamiento", "amount": D("12.10"), "tax_category": "general",
            "is_paid": False})
    assert (expense.state, expense.amount_due, unpaid.state, unpaid.amount_due) == ("paid", Z, "recorded", D("12.10"))
    assert _payment_entries(es_tenant) == [(date(2026, 5, 4), None, [("410", D("60.50"), Z), ("572", Z, D("60.50"))])]
    with tenant_context(es_tenant.id):
        payables = reports.aged_payables(tenant_id=es_tenant.id, as_of=date(2026, 5, 31))
    # an expense without supplier: party None; no due date → ages from its issue date (25 days)
    assert [(p["party_id"], p["name"], p["days_1_30"], p["total"]) for p in payables["parties"]] == [(None, "", D("12.10"), D("12.10"))]
    assert payables["total"] == -_balance(es_tenant, "410") == D("12.10")


def test_aged_payables_equal_what_ecuadorian_suppliers_are_owed_after_withholdings_by_due_date(ec_tenant) -> None:  # type: ignore[no-untyped-def]
    early, late = add_supplier(ec_tenant, legal_name="A Proveedora S.A."), add_supplier(ec_tenant, legal_name="B Servicios Cía.")
    # 10 × 100.00 goods (312: 1.75 %, IVA withheld 30 %): IVA 150.00, total 1150.00; withheld 17.50 + 45.00 → owed 1087.50
    goods = _recorded(ec_tenant, early, [line("10", "100.00", renta_withholding_category="bienes_muebles",
                                              iva_withholding_category="iva_30")], date(2026, 1, 5), supplier_number="001-001-000000010")
    # 200.00 of fees (303: 10 %, IVA withheld 100 %): IVA 30.00, total 230.00; withheld 20.00 + 30.00 → owed 180.00
    fees = _recorded(ec_tenant, late, [line("1", "200.00", renta_withholding_category="honorarios", iva_withholding_category="iva_100")],
                     date(2026, 3, 1), supplier_number="001-002-000000099", due_date=date(2026, 3, 31))
    assert (goods.amount_due, fees.amount_due) == (D("1087.50"), D("180.00"))
    _pay(ec_tenant, goods, "87.50", paid_on=date(2026, 2, 1))
    with tenant_context(ec_tenant.id):
        aged = reports.aged_payables(tenant_id=ec_tenant.id, as_of=date(2026, 4, 10))
    # goods due 2026-02-04 (30 days) → 65 days past due; fees due 2026-03-31 → 10 days
    assert [(p["name"], p["days_1_30"], p["days_61_90"], p["total"]) for p in aged["parties"]] == [
        ("A Proveedora S.A.", Z, D("1000.00"), D("1000.00")), ("B Servicios Cía.", D("180.00"), Z, D("180.00"))]
    assert (aged["days_1_30"], aged["days_61_90"], aged["total"]) == (D("180.00"), D("1000.00"), D("1180.00"))
    assert -_balance(ec_tenant, "2.1.03.01") == aged["total"]
    assert _payment_entries(ec_tenant) == [
        (date(2026, 2, 1), "001-001-000000010", [("2.1.03.01", D("87.50"), Z), ("1.1.01.02", Z, D("87.50"))])]


def test_a_payment_in_a_locked_period_is_refused_and_changes_nothing(es_tenant) -> None:  # type: ignore[no-untyped-def]
    invoice = _recorded(es_tenant, add_supplier(es_tenant), [line("2", "50.00")], date(2026, 1, 10))
    with tenant_context(es_tenant.id):
        services.set_lock_date(tenant_id=es_tenant.id, lock_date=date(2026, 1, 31), actor="test")
    before = (purchases_snapshot(es_tenant.id), journal_snapshot(es_tenant.id))
    with pytest.raises(PeriodLockedError):
        _pay(es_tenant, invoice, "121.00", paid_on=date(2026, 1, 31))
    db.session.rollback()
    assert (purchases_snapshot(es_tenant.id), journal_snapshot(es_tenant.id)) == before
    with pytest.raises(PurchaseInvalidError):  # never before the invoice either
        _pay(es_tenant, invoice, "121.00", paid_on=date(2026, 1, 9))
    db.session.rollback()
    _pay(es_tenant, invoice, "121.00", paid_on=date(2026, 2, 1))
    assert reload(es_tenant, invoice.id).state == "paid"
    assert [entry[0] for entry in _payment_entries(es_tenant)] == [date(2026, 2, 1)]


def test_a_failing_subscriber_rolls_the_payment_back(es_tenant) -> None:  # type: ignore[no-untyped-def]
    invoice = _recorded(es_tenant, add_supplier(es_tenant), [line("1", "100.00")], date(2026, 2, 10))
    seen: list[tuple[D, D, D]] = []

    def boom(*, payment_id, document, amount, paid_on, method) -> None:  # type: ignore[no-untyped-def]
        seen.append((amount, document.amount_paid, document.amount_due))
        raise RuntimeError("fault injected after the payment entry")

    before = (purchases_snapshot(es_tenant.id), journal_snapshot(es_tenant.id))
    domain_events.subscribe("purchases.payment_recorded")(boom)
    try:
        with pytest.raises(RuntimeError):
            _pay(es_tenant, invoice, "21.00", paid_on=date(2026, 2, 11))
    finally:
        domain_events.unsubscribe("purchases.payment_recorded", boom)
    db.session.rollback()
    assert seen == [(D("21.00"), D("21.00"), D("100.00"))]  # the payload carries the document already updated
    assert (purchases_snapshot(es_tenant.id), journal_snapshot(es_tenant.id)) == before


def test_api_payment_takes_date_and_method_and_posts_it(app) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_tenant

    with app.app_context():
        tenant = make_tenant(country="ES")
        invoice = _recorded(tenant, add_supplier(tenant), [line("1", "200.00")], date(2026, 6, 1), supplier_number="X-1")
    session = login_as(app, tenant, "accountant")
    url = f"/api/v1/purchases/invoices/{invoice.id}/payments"
    bad = session.post(url, json={"amount": "10.00", "method": "cheque"})
    assert (bad.status_code, bad.content_type, list(bad.get_json()["errors"])) == (422, "application/problem+json", ["method"])
    response = session.post(url, json={"amount": "100.00", "paid_on": "2026-06-15", "method": "cash"})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["amount_due"], response.get_json()["status"]) == ("142.00", "overdue")  # due 2026-07-01, long past
    with app.app_context():
        assert _payment_entries(tenant) == [(date(2026, 6, 15), "X-1", [("400", D("100.00"), Z), ("570", Z, D("100.00"))])]
        report = login_as(app, tenant, "owner").get("/api/v1/reports/aged-payables?as_of=2026-06-30").get_json()
    assert (report["total"], report["current"]) == ("142.00", "142.00")
