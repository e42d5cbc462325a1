"""Purchase use cases: pricing with deductible IVA, unique supplier numbers, recording, immutability, the event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gestiq_app import domain_events
from gestiq_app.extensions import db
from gestiq_app.purchases import services
from gestiq_app.purchases.exceptions import PurchaseConflictError, PurchaseInvalidError
from gestiq_app.purchases.models import PurchaseDocument, PurchaseImmutableError, PurchaseWithholding
from gestiq_app.sales.settings import tenant_today
from gestiq_app.tenancy.context import tenant_context
from tests.purchases.helpers import ACTOR, add_supplier, create_invoice, line, purchases_snapshot, record, reload

ES_LINES = [line("3", "33.33"), line("1", "50.00", is_iva_deductible=False), line("2", "12.3450", "reducido", discount_percent="10")]
EC_LINES = [
    line("10", "100", description="Resmas de papel", renta_withholding_category="bienes_muebles", iva_withholding_category="iva_30"),
    line("1", "500", description="Mantenimiento", renta_withholding_category="otras", iva_withholding_category="iva_70"),
]


def test_a_supplier_invoice_is_priced_with_deductible_and_non_deductible_iva(es_tenant, es_supplier) -> None:  # type: ignore[no-untyped-def]
    created = create_invoice(es_tenant, es_supplier, ES_LINES, supplier_number="A-2026/0042")
    document = reload(es_tenant, created.id)
    assert (document.state, document.supplier_number, document.supplier_name, document.issue_date, document.due_date) == (
        "draft", "A-2026/0042", es_supplier.legal_name, date(2026, 3, 10), date(2026, 4, 9))
    assert [(t.category, t.rate, t.is_deductible, t.base, t.amount) for t in document.taxes] == [
        ("general", D("21.0000"), True, D("99.99"), D("21.00")),
        ("general", D("21.0000"), False, D("50.00"), D("10.50")),
        ("reducido", D("10.0000"), True, D("22.22"), D("2.22")),
    ]
    assert [(l.base_amount, l.tax_rate, l.is_iva_deductible) for l in document.lines] == [
        (D("99.99"), D("21.0000"), True), (D("50.00"), D("21.0000"), False), (D("22.22"), D("10.0000"), True)]
    assert (document.subtotal, document.tax_total, document.deductible_tax_total, document.total, document.amount_due,
            document.expense_account) == (D("172.21"), D("33.72"), D("23.22"), D("205.93"), D("205.93"), "600")


def test_a_document_marked_non_deductible_makes_every_line_non_deductible_unless_a_line_says_otherwise(es_tenant, es_supplier) -> None:  # type: ignore[no-untyped-def]
    document = create_invoice(es_tenant, es_supplier, [line("1", "100"), line("1", "10", is_iva_deductible=True)], is_iva_deductible=False)
    assert [(t.is_deductible, t.base, t.amount) for t in reload(es_tenant, document.id).taxes] == [
        (True, D("10.00"), D("2.10")), (False, D("100.00"), D("21.00"))]
    assert reload(es_tenant, document.id).deductible_tax_total == D("2.10")


def test_the_supplier_number_is_unique_per_supplier(es_tenant, es_supplier) -> None:  # type: ignore[no-untyped-def]
    create_invoice(es_tenant, es_supplier, [line("1", "10")], supplier_number="F-1")
    before = purchases_snapshot(es_tenant.id)
    with pytest.raises(PurchaseConflictError) as raised:
        create_invoice(es_tenant, es_supplier, [line("1", "20")], supplier_number="F-1")
    assert (raised.value.status, raised.value.errors) == (409, {"supplier_number": ["Ya hay un documento de este proveedor con ese número."]})
    assert purchases_snapshot(es_tenant.id) == before
    other = add_supplier(es_tenant)
    assert create_invoice(es_tenant, other, [line("1", "10")], supplier_number="F-1").supplier_number == "F-1"


def test_the_database_itself_refuses_a_duplicate_supplier_number(es_tenant, es_supplier) -> None:  # type: ignore[no-untyped-def]
    create_invoice(es_tenant, es_supplier, [line("1", "10")], supplier_number="F-9")
    with tenant_context(es_tenant.id):
        db.session.add(PurchaseDocument(kind="supplier_invoice", state="draft", supplier_id=es_supplier.id, supplier_number="F-9",
                                        issue_date=date(2026, 1, 1), currency="EUR"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_recorded_invoice_is_immutable(es_tenant, es_supplier) -> None:  # type: ignore[no-untyped-def]
    document = create_invoice(es_tenant, es_supplier, ES_LINES)
    recorded = record(es_tenant, document.id)
    assert (recorded.state, recorded.amount_due) == ("recorded", D("205.93"))
    before = purchases_snapshot(es_tenant.id)
    with tenant_context(es_tenant.id):
        with pytest.raises(PurchaseConflictError):
            services.update_invoice(tenant_id=es_tenant.id, document_id=document.id, data={"notes": "cambio"}, actor=ACTOR)
        with pytest.raises(PurchaseConflictError):
            services.update_invoice(tenant_id=es_tenant.id, document_id=document.id, data={"lines": [line("1", "1")]}, actor=ACTOR)
        with pytest.raises(PurchaseConflictError):
            services.delete_document(tenant_id=es_tenant.id, document_id=document.id, kind="supplier_invoice", actor=ACTOR)
        with pytest.raises(PurchaseConflictError):
            services.record_invoice(tenant_id=es_tenant.id, document_id=document.id, actor=ACTOR)
    assert purchases_snapshot(es_tenant.id) == before
    stored = reload(es_tenant, document.id)
    with tenant_context(es_tenant.id):
        stored.subtotal = D("1.00")
        with pytest.raises(PurchaseImmutableError):
            db.session.flush()
        db.session.rollback()
    assert purchases_snapshot(es_tenant.id) == before


def test_recording_reprices_with_the_rates_of_the_invoice_date(ec_tenant, ec_supplier) -> None:  # type: ignore[no-untyped-def]
    document = create_invoice(ec_tenant, ec_supplier, [line("1", "100")], issue_date=date(2024, 3, 31))
    recorded = record(ec_tenant, document.id)
    assert [(t.rate, t.authority_code, t.amount) for t in recorded.taxes] == [(D("12.0000"), "2", D("12.00"))]


def test_ecuadorian_worked_example_withholds_renta_and_iva_and_numbers_the_comprobante(ec_tenant, ec_supplier) -> None:  # type: ignore[no-untyped-def]
    first = record(ec_tenant, create_invoice(ec_tenant, ec_supplier, EC_LINES, supplier_number="001-001-000004567").id,
                   withholding_date=date(2026, 3, 12))
    document = reload(ec_tenant, first.id)
    assert [(w.kind, w.category, w.code, w.rate, w.base, w.amount) for w in document.withholdings] == [
        ("renta", "bienes_muebles", "312", D("1.7500"), D("1000.00"), D("17.50")),
        ("renta", "otras", "3440", D("2.7500"), D("500.00"), D("13.75")),
        ("iva", "iva_30", "1", D("30.0000"), D("150.00"), D("45.00")),
        ("iva", "iva_70", "2", D("70.0000"), D("75.00"), D("52.50")),
    ]
    assert (document.subtotal, document.tax_total, document.total, document.withholding_total, document.amount_due) == (
        D("1500.00"), D("225.00"), D("1725.00"), D("128.75"), D("1596.25"))
    second = record(ec_tenant, create_invoice(ec_tenant, ec_supplier, EC_LINES[:1]).id)
    with tenant_context(ec_tenant.id):
        comprobantes = db.session.scalars(select(PurchaseWithholding).order_by(PurchaseWithholding.sequential)).all()
        assert [(c.number, c.document_id, c.issue_date, c.fiscal_period, c.total) for c in comprobantes] == [
            ("001-001-000000001", first.id, date(2026, 3, 12), "03/2026", D("128.75")),
            ("001-001-000000002", second.id, tenant_today(tenant_id=ec_tenant.id), "03/2026", D("62.50")),
        ]
        assert [(l.code, l.amount) for l in comprobantes[0].lines] == [("312", D("17.50")), ("3440", D("13.75")), ("1", D("45.00")),
                                                                       ("2", D("52.50"))]


def test_spain_withholds_irpf_from_a_professional_and_issues_no_comprobante(es_tenant, es_supplier) -> None:  # type: ignore[no-untyped-def]
    document = record(es_tenant, create_invoice(es_tenant, es_supplier, [
        line("1", "500", description="Asesoría fiscal (trimestre)", renta_withholding_category="profesional"),
        line("1", "20", description="Suplidos de mensajería"),
    ]).id)
    stored = reload(es_tenant, document.id)
    assert [(w.kind, w.category, w.code, w.rate, w.base, w.amount) for w in stored.withholdings] == [
        ("renta", "profesional", "irpf", D("15.0000"), D("500.00"), D("75.00"))]
    assert (stored.subtotal, stored.tax_total, stored.total, stored.withholding_total, stored.amount_due) == (
        D("520.00"), D("109.20"), D("629.20"), D("75.00"), D("554.20"))
    with tenant_context(es_tenant.id):
        assert db.session.scalars(select(PurchaseWithholding)).all() == []


def test_iva_withholding_is_refused_outside_ecuador(es_tenant, es_supplier) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PurchaseInvalidError) as raised:
        create_invoice(es_tenant, es_supplier, [line("1", "10", iva_withholding_category="iva_30", renta_withholding_category="otras")])
    assert raised.value.errors == {"lines.0.iva_withholding_category": ["La retención de IVA del comprador solo existe en Ecuador."]}


def test_an_unknown_withholding_category_names_the_line(ec_tenant, ec_supplier) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PurchaseInvalidError) as raised:
        create_invoice(ec_tenant, ec_supplier, [line("1", "10"), line("1", "10", iva_withholding_category="iva_99")])
    assert list(raised.value.errors) == ["lines.1.iva_withholding_category"]


def test_the_recorded_event_carries_the_contract_attributes(ec_tenant, ec_supplier) -> None:  # type: ignore[no-untyped-def]
    received: list[dict[str, Any]] = []

    def subscriber(document: Any) -> None:
        received.append({
            "id": document.id, "tenant_id": document.tenant_id, "kind": document.kind, "supplier_id": document.supplier_id,
            "supplier_number": document.supplier_number, "issue_date": document.issue_date, "currency": document.currency,
            "subtotal": document.subtotal, "tax_total": document.tax_total, "withholding_total": document.withholding_total,
            "total": document.total, "expense_account": document.expense_account, "state": document.state,
            "taxes": [(t.tax_type, t.rate, t.base, t.amount, t.is_deductible) for t in document.taxes],
            "withholdings": [(w.kind, w.code, w.rate, w.base, w.amount) for w in document.withholdings],
        })

    document = create_invoice(ec_tenant, ec_supplier, EC_LINES + [line("1", "40", "cero", is_iva_deductible=False)],
                              supplier_number="002-010-000000077", expense_account="5.2.02")
    domain_events.subscribe("purchases.invoice_recorded")(subscriber)
    try:
        record(ec_tenant, document.id)
    finally:
        domain_events.unsubscribe("purchases.invoice_recorded", subscriber)
    assert received == [{
        "id": document.id, "tenant_id": ec_tenant.id, "kind": "supplier_invoice", "supplier_id": ec_supplier.id,
        "supplier_number": "002-010-000000077", "issue_date": date(2026, 3, 10), "currency": "USD", "subtotal": D("1540.00"),
        "tax_total": D("225.00"), "withholding_total": D("128.75"), "total": D("1765.00"), "expense_account": "5.2.02",
        "state": "recorded",
        "taxes": [("iva", D("15.0000"), D("1500.00"), D("225.00"), True), ("iva", D("0.0000"), D("40.00"), D("0.00"), False)],
        "withholdings": [("renta", "312", D("1.7500"), D("1000.00"), D("17.50")), ("renta", "3440", D("2.7500"), D("500.00"), D("13.75")),
                         ("iva", "1", D("30.0000"), D("150.00"), D("45.00")), ("iva", "2", D("70.0000"), D("75.00"), D("52.50"))],
    }]


def test_a_failing_subscriber_rolls_the_recording_back(ec_tenant, ec_supplier) -> None:  # type: ignore[no-untyped-def]
    document = create_invoice(ec_tenant, ec_supplier, EC_LINES)
    before = purchases_snapshot(ec_tenant.id)

    def failing(document: Any) -> None:
        raise RuntimeError("journal refused")

    domain_events.subscribe("purchases.invoice_recorded")(failing)
    try:
        with pytest.raises(RuntimeError):
            record(ec_tenant, document.id)
    finally:
        domain_events.unsubscribe("purchases.invoice_recorded", failing)
    assert purchases_snapshot(ec_tenant.id) == before


def test_an_expense_is_recorded_paid_and_announced(es_tenant) -> None:  # type: ignore[no-untyped-def]
    received: list[Any] = []
    handler = lambda document: received.append((document.kind, document.supplier_id, document.total, document.expense_account,  # noqa: E731
                                                [(t.base, t.amount, t.is_deductible) for t in document.taxes]))
    domain_events.subscribe("purchases.invoice_recorded")(handler)
    try:
        with tenant_context(es_tenant.id):
            expense = services.create_expense(tenant_id=es_tenant.id, data={"issue_date": date(2026, 2, 3), "description": "Taxi",
                                                                            "amount": D("10.00"), "tax_category": "reducido"}, actor=ACTOR)
    finally:
        domain_events.unsubscribe("purchases.invoice_recorded", handler)
    stored = reload(es_tenant, expense.id, "expense")
    assert (stored.state, stored.subtotal, stored.tax_total, stored.total, stored.amount_paid, stored.amount_due) == (
        "paid", D("9.09"), D("0.91"), D("10.00"), D("10.00"), D("0.00"))
    assert received == [("expense", None, D("10.00"), "629", [(D("9.09"), D("0.91"), True)])]


def test_payments_move_an_invoice_to_partially_paid_then_paid_and_overdue_is_shown(es_tenant, es_supplier) -> None:  # type: ignore[no-untyped-def]
    document = record(es_tenant, create_invoice(es_tenant, es_supplier, [line("1", "100")], issue_date=date(2025, 1, 10)).id)
    assert reload(es_tenant, document.id).status_on(date(2025, 3, 1)) == "overdue"
    with tenant_context(es_tenant.id):
        partial = services.record_payment(tenant_id=es_tenant.id, document_id=document.id, kind="supplier_invoice", amount=D("21.00"), actor=ACTOR)
        assert (partial.state, partial.amount_paid, partial.amount_due) == ("partially_paid", D("21.00"), D("100.00"))
        with pytest.raises(PurchaseInvalidError):
            services.record_payment(tenant_id=es_tenant.id, document_id=document.id, kind="supplier_invoice", amount=D("100.01"), actor=ACTOR)
        paid = services.record_payment(tenant_id=es_tenant.id, document_id=document.id, kind="supplier_invoice", amount=D("100.00"), actor=ACTOR)
    assert (paid.state, paid.amount_due, reload(es_tenant, document.id).status_on(date(2025, 3, 1))) == ("paid", D("0.00"), "paid")
