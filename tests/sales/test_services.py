"""Draft, issue and quote use cases, priced through the real tax catalog."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from gestiq_app.audit.models import AuditEvent
from gestiq_app.extensions import db
from gestiq_app.sales import events, services
from gestiq_app.sales.exceptions import DocumentConflictError, DocumentInvalidError, DocumentNotFoundError
from gestiq_app.sales.models import DocumentImmutableError
from gestiq_app.sales.settings import tenant_today
from gestiq_app.taxes.models import TaxRate
from gestiq_app.tenancy.context import tenant_context
from tests.sales.helpers import ACTOR, add_customer, add_product, create_invoice, issue, issued_invoice, line, reload, sales_snapshot


def _breakdown(document) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(t.tax_type, t.category, t.rate, t.authority_code, t.base, t.amount) for t in document.taxes]


def test_draft_invoice_takes_due_date_currency_and_customer_snapshot(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    invoice = create_invoice(es_tenant, es_customer, [line("2", "10.00")], issue_date=date(2026, 3, 1))
    assert (invoice.kind, invoice.state, invoice.number, invoice.full_number) == ("invoice", "draft", None, None)
    assert (invoice.issue_date, invoice.due_date, invoice.currency) == (date(2026, 3, 1), date(2026, 3, 31), "EUR")
    assert (invoice.customer_name, invoice.customer_tax_id) == (es_customer.legal_name, es_customer.tax_id)
    assert (invoice.subtotal, invoice.tax_total, invoice.total, invoice.amount_due) == (D("20.00"), D("4.20"), D("24.20"), D("0"))
    assert [(li.position, li.tax_rate, li.base_amount) for li in invoice.lines] == [(1, D("21"), D("20.00"))]


def test_spanish_invoice_with_recargo_and_irpf_priced_from_the_catalog(es_tenant) -> None:  # type: ignore[no-untyped-def]
    customer = add_customer(es_tenant, has_recargo_equivalencia=True, is_irpf_professional=True)
    service = add_product(es_tenant, name="Asesoría", kind="service", unit_price=D("250.00"))
    invoice = create_invoice(es_tenant, customer, [
        line("10", "100.00"),
        line("3", "33.333", "reducido", discount_percent="10"),
        {"product_id": service.id, "quantity": D("2")},
        line("1", "19.99", "reducido"),
    ], issue_date=date(2026, 5, 4))
    assert [li.base_amount for li in invoice.lines] == [D("1000.00"), D("90.00"), D("500.00"), D("19.99")]
    assert [(li.description, li.is_service, li.recargo_rate, li.withholding_rate) for li in invoice.lines][2] == (
        "Asesoría", True, None, D("15"))
    assert _breakdown(invoice) == [
        ("iva", "general", D("21"), None, D("1500.00"), D("315.00")),
        ("iva", "reducido", D("10"), None, D("109.99"), D("11.00")),
        ("recargo", "general", D("5.2"), None, D("1000.00"), D("52.00")),
        ("recargo", "reducido", D("1.4"), None, D("109.99"), D("1.54")),
        ("irpf", "profesional", D("15"), None, D("500.00"), D("75.00")),
    ]
    assert (invoice.subtotal, invoice.tax_total, invoice.recargo_total, invoice.withholding_total, invoice.total) == (
        D("1609.99"), D("326.00"), D("53.54"), D("75.00"), D("1914.53"))


def test_irpf_category_comes_from_the_tenants_sales_settings(es_tenant) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.tenancy.models import TenantModule

    with tenant_context(es_tenant.id):
        module = db.session.scalar(select(TenantModule).where(TenantModule.module == "sales"))
        module.settings = {"irpf_category": "profesional_inicio"}
        db.session.commit()
    customer = add_customer(es_tenant, is_irpf_professional=True)
    invoice = create_invoice(es_tenant, customer, [line("1", "1000", is_service=True), line("1", "100")])
    assert _breakdown(invoice)[-1] == ("irpf", "profesional_inicio", D("7"), None, D("1000.00"), D("70.00"))
    assert invoice.total == D("1331.00") - D("70.00")


def test_ecuadorian_invoice_with_15_5_and_0_percent_lines(ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    invoice = create_invoice(ec_tenant, ec_customer, [
        line("2", "45.50"), line("4", "12.345", "reducido", discount_percent="5"), line("10", "1.10", "cero"),
        line("1", "20.00", "no_objeto"), line("1", "8.00", "exento"),
    ], issue_date=date(2024, 6, 1))
    assert invoice.currency == "USD"
    assert _breakdown(invoice) == [
        ("iva", "general", D("15"), "4", D("91.00"), D("13.65")),
        ("iva", "reducido", D("5"), "5", D("46.91"), D("2.35")),
        ("iva", "cero", D("0"), "0", D("11.00"), D("0.00")),
        ("iva", "exento", D("0"), "7", D("8.00"), D("0.00")),
        ("iva", "no_objeto", D("0"), "6", D("20.00"), D("0.00")),
    ]
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D("176.91"), D("16.00"), D("192.91"))


def test_ecuadorian_general_rate_switches_from_12_to_15_on_2024_04_01(ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    before = create_invoice(ec_tenant, ec_customer, [line("1", "100.00")], issue_date=date(2024, 3, 31))
    after = create_invoice(ec_tenant, ec_customer, [line("1", "100.00")], issue_date=date(2024, 4, 1))
    assert _breakdown(before) == [("iva", "general", D("12"), "2", D("100.00"), D("12.00"))]
    assert _breakdown(after) == [("iva", "general", D("15"), "4", D("100.00"), D("15.00"))]
    assert (before.total, after.total) == (D("112.00"), D("115.00"))


def test_issuing_reprices_with_the_rate_valid_on_the_issue_date(ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    draft = create_invoice(ec_tenant, ec_customer, [line("1", "100.00")], issue_date=date(2024, 3, 31))
    issued = issue(ec_tenant, draft.id, issue_date=date(2024, 4, 1))
    assert (issued.issue_date, issued.due_date, issued.total) == (date(2024, 4, 1), date(2024, 5, 1), D("115.00"))
    assert (issued.lines[0].tax_rate, issued.lines[0].tax_code) == (D("15"), "4")


def test_a_rate_the_catalog_lacks_on_that_date_is_a_422_naming_the_line(ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DocumentInvalidError) as error:
        create_invoice(ec_tenant, ec_customer, [line("1", "1"), line("1", "1", "reducido")], issue_date=date(2024, 3, 1))
    assert list(error.value.errors) == ["lines.1.tax_category"]


def test_rates_are_read_from_the_catalog_not_written_in_code(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    with db.session.begin_nested():
        db.session.add(TaxRate(country="ES", tax_type="iva", category="general", name="IVA futuro", rate=D("23"),
                               valid_from=date(2098, 1, 1)))
    db.session.commit()
    try:
        invoice = create_invoice(es_tenant, es_customer, [line("1", "100")], issue_date=date(2098, 1, 1))
        assert invoice.tax_total == D("23.00")
    finally:
        db.session.delete(db.session.scalar(select(TaxRate).where(TaxRate.valid_from == date(2098, 1, 1))))
        db.session.commit()


def test_product_lines_default_to_the_product(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    product = add_product(es_tenant, name="Libro", unit_price=D("15.5000"), tax_category="superreducido")
    invoice = create_invoice(es_tenant, es_customer, [{"product_id": product.id, "quantity": D("2")},
                                                      {"product_id": product.id, "quantity": D("1"), "unit_price": D("10"),
                                                       "description": "Libro usado"}])
    assert [(li.description, li.unit_price, li.tax_category, li.tax_rate, li.base_amount) for li in invoice.lines] == [
        ("Libro", D("15.5"), "superreducido", D("4"), D("31.00")), ("Libro usado", D("10"), "superreducido", D("4"), D("10.00"))]


def test_unknown_customer_product_and_missing_price_are_422_per_field(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    import uuid

    with pytest.raises(DocumentInvalidError) as error:
        with tenant_context(es_tenant.id):
            services.create_document(tenant_id=es_tenant.id, kind="invoice", data={"customer_id": uuid.uuid4(), "lines": []}, actor=ACTOR)
    assert error.value.errors == {"customer_id": ["No existe ese cliente."]}
    with pytest.raises(DocumentInvalidError) as error:
        create_invoice(es_tenant, es_customer, [{"product_id": uuid.uuid4(), "quantity": D("1")}, {"quantity": D("1")}])
    assert sorted(error.value.errors) == ["lines.0.product_id", "lines.1.description", "lines.1.unit_price"]


def test_update_replaces_lines_and_follows_payment_terms(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    invoice = create_invoice(es_tenant, es_customer, [line("1", "10")], issue_date=date(2026, 1, 10))
    other = add_customer(es_tenant, payment_terms_days=60)
    with tenant_context(es_tenant.id):
        updated = services.update_document(tenant_id=es_tenant.id, document_id=invoice.id, kinds=("invoice",), actor=ACTOR,
                                           data={"customer_id": other.id, "lines": [line("3", "10", "reducido")], "notes": "Nota"})
    assert (updated.customer_name, updated.due_date, updated.notes, updated.total) == (other.legal_name, date(2026, 3, 11), "Nota", D("33.00"))
    assert len(reload(es_tenant, invoice.id).lines) == 1
    with tenant_context(es_tenant.id):
        updated = services.update_document(tenant_id=es_tenant.id, document_id=invoice.id, kinds=("invoice",), actor=ACTOR,
                                           data={"issue_date": date(2026, 2, 1), "due_date": date(2026, 2, 5)})
    assert (updated.issue_date, updated.due_date) == (date(2026, 2, 1), date(2026, 2, 5))


def test_issue_numbers_freezes_and_audits_then_notifies_after_commit(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    seen = []

    def handler(tenant_id, invoice_id) -> None:  # type: ignore[no-untyped-def]
        seen.append((tenant_id, invoice_id, db.session().in_transaction()))

    events.subscribe_invoice_issued(handler)
    try:
        draft = create_invoice(es_tenant, es_customer, [line("1", "100")], issue_date=date(2026, 2, 2))
        issued = issue(es_tenant, draft.id)
    finally:
        events.unsubscribe_invoice_issued(handler)
    assert (issued.state, issued.full_number, issued.year, issued.number) == ("issued", "F2026-00001", 2026, 1)
    assert (issued.amount_due, issued.issued_at is not None) == (D("121.00"), True)
    assert seen == [(es_tenant.id, draft.id, False)]
    with tenant_context(es_tenant.id):
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(draft.id))).all()
    assert sorted(actions) == ["invoice.created", "invoice.issued"]


def test_a_failing_subscriber_does_not_undo_the_issue(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    def broken(tenant_id, invoice_id) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("pdf renderer down")

    events.subscribe_invoice_issued(broken)
    try:
        issued = issued_invoice(es_tenant, es_customer, [line("1", "1")])
    finally:
        events.unsubscribe_invoice_issued(broken)
    assert reload(es_tenant, issued.id).state == "issued"


def test_issued_invoice_cannot_be_changed_or_deleted(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    issued = issued_invoice(es_tenant, es_customer, [line("1", "50")])
    before = sales_snapshot(es_tenant.id)
    with tenant_context(es_tenant.id):
        with pytest.raises(DocumentConflictError):
            services.update_document(tenant_id=es_tenant.id, document_id=issued.id, kinds=("invoice",), data={"notes": "x"}, actor=ACTOR)
        with pytest.raises(DocumentConflictError):
            services.delete_document(tenant_id=es_tenant.id, document_id=issued.id, kinds=("invoice",), actor=ACTOR)
        with pytest.raises(DocumentConflictError):
            issue(es_tenant, issued.id)
    assert sales_snapshot(es_tenant.id) == before


def test_the_model_refuses_changes_to_an_issued_invoice_whatever_the_caller(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    issued = issued_invoice(es_tenant, es_customer, [line("1", "50")])
    document = reload(es_tenant, issued.id)
    with tenant_context(es_tenant.id):
        document.total = D("1.00")
        with pytest.raises(DocumentImmutableError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(reload(es_tenant, issued.id))
        with pytest.raises(DocumentImmutableError):
            db.session.flush()
        db.session.rollback()
        document = reload(es_tenant, issued.id)
        document.amount_paid, document.amount_due, document.state = D("60.50"), D("0"), "paid"
        db.session.commit()
    assert reload(es_tenant, issued.id).state == "paid"


def test_issue_without_lines_is_refused_and_notifies_nobody(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    seen: list = []
    handler = events.subscribe_invoice_issued(lambda tenant_id, invoice_id: seen.append(invoice_id))
    draft = create_invoice(es_tenant, es_customer, [])
    try:
        with pytest.raises(DocumentInvalidError) as error:
            issue(es_tenant, draft.id)
    finally:
        events.unsubscribe_invoice_issued(handler)
    assert list(error.value.errors) == ["lines"]
    assert seen == []


def test_draft_delete_and_other_tenants_documents_are_not_found(es_tenant, es_customer, ec_tenant) -> None:  # type: ignore[no-untyped-def]
    draft = create_invoice(es_tenant, es_customer, [line("1", "1")])
    with tenant_context(ec_tenant.id), pytest.raises(DocumentNotFoundError):
        services.get_document(tenant_id=ec_tenant.id, document_id=draft.id)
    with tenant_context(es_tenant.id):
        services.delete_document(tenant_id=es_tenant.id, document_id=draft.id, kinds=("invoice",), actor=ACTOR)
        with pytest.raises(DocumentNotFoundError):
            services.get_document(tenant_id=es_tenant.id, document_id=draft.id)
    assert sales_snapshot(es_tenant.id)["sales_document_lines"] == []


def test_quote_is_numbered_converts_once_and_returns_to_draft_when_its_invoice_is_deleted(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    year = tenant_today(tenant_id=es_tenant.id).year
    with tenant_context(es_tenant.id):
        quote = services.create_document(tenant_id=es_tenant.id, kind="quote", actor=ACTOR,
                                         data={"customer_id": es_customer.id, "lines": [line("2", "30", "reducido")]})
        quote_id = quote.id
        assert (quote.full_number, quote.due_date, quote.total) == (f"P{year}-00001", None, D("66.00"))
        invoice = services.convert_quote(tenant_id=es_tenant.id, quote_id=quote_id, actor=ACTOR)
        converted = (invoice.id, invoice.kind, invoice.state, invoice.source_quote_id, invoice.total, invoice.due_date - invoice.issue_date)
        with pytest.raises(DocumentConflictError):
            services.convert_quote(tenant_id=es_tenant.id, quote_id=quote_id, actor=ACTOR)
    assert converted[1:] == ("invoice", "draft", quote_id, D("66.00"), timedelta(days=30))
    assert reload(es_tenant, quote_id, ("quote",)).state == "converted"
    with tenant_context(es_tenant.id):
        services.delete_document(tenant_id=es_tenant.id, document_id=converted[0], kinds=("invoice",), actor=ACTOR)
    assert reload(es_tenant, quote_id, ("quote",)).state == "draft"


def test_preview_prices_without_saving(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    before = sales_snapshot(es_tenant.id)
    with tenant_context(es_tenant.id):
        preview = services.preview_document(tenant_id=es_tenant.id, data={"customer_id": es_customer.id, "issue_date": date(2026, 1, 1),
                                                                          "lines": [line("1", "10"), line("1", "10", "reducido")]})
    assert (preview.subtotal, preview.tax_total, preview.total, preview.due_date) == (D("20.00"), D("3.10"), D("23.10"), date(2026, 1, 31))
    assert sales_snapshot(es_tenant.id) == before
